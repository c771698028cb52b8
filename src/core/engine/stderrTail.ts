/** Keeps the last few KiB a worker wrote to stderr, so a native abort can be explained to the user. */
export class StderrTail {
  private buf = '';
  constructor(private readonly max = 4096) {}

  push(chunk: Buffer | string): void {
    this.buf = (this.buf + chunk.toString()).slice(-this.max);
  }

  /** The last non-empty lines, most useful first for a one-line message. */
  text(lines = 3): string {
    return this.buf
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .slice(-lines)
      .join(' | ');
  }
}
