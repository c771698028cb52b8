// Saves run one at a time in the order they were asked for, so a fast A-then-R on one row ends as R.
// A failed task does not stop the ones behind it; its caller sees the failure.

export interface SaveQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks queued or running. */
  readonly size: number;
  /** Resolves when everything queued so far has settled. */
  idle(): Promise<void>;
}

export function createSaveQueue(): SaveQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let size = 0;
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      size++;
      const result = tail.then(task);
      tail = result.then(
        () => void size--,
        () => void size--,
      );
      return result;
    },
    get size() {
      return size;
    },
    idle() {
      return tail.then(() => undefined);
    },
  };
}
