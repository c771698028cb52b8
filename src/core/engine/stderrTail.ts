/** The worker writes this line when a load starts: what llama.cpp said about an earlier file is not the reason now. */
export const STDERR_MARK = '--- lamplight: load ---';

/** Keeps the last few KiB a worker wrote to stderr, so a native abort can be explained to the user. */
export class StderrTail {
  private buf = '';
  constructor(private readonly max = 4096) {}

  push(chunk: Buffer | string): void {
    this.buf = (this.buf + chunk.toString()).slice(-this.max);
  }

  /** The last non-empty lines, most useful first for a one-line message. */
  text(lines = 3): string {
    const all = this.buf.split('\n').map((l) => l.trim());
    return all
      .slice(all.lastIndexOf(STDERR_MARK) + 1)
      .filter((l) => l !== '')
      .slice(-lines)
      .join(' | ');
  }
}
