// The audit log's checkpoint file: the newest record's seq and hash with their HMAC, rewritten in place
// after every commit. Kept open: one read and one write at offset 0 per record.
import { closeSync, constants as fsConstants, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';

export interface Checkpoint {
  seq: number;
  hash: string;
  hmac: string;
}

const CHECKPOINT_BYTES = 512;

function parsed(text: string): Checkpoint | null {
  try {
    const c = JSON.parse(text) as Partial<Checkpoint>;
    if (Number.isInteger(c.seq) && typeof c.hash === 'string' && typeof c.hmac === 'string') return c as Checkpoint;
  } catch {
    // a file that is not our JSON is as good as altered
  }
  return null;
}

export class CheckpointFile {
  private fd: number | null = null;
  private fdIno = -1;
  /** The open file is longer than a checkpoint (written by another version): cut after the next write. */
  private fdTrim = false;
  private readonly readBuf = Buffer.alloc(4096);

  constructor(readonly path: string) {}

  read(): Checkpoint | 'unreadable' | null {
    if (!existsSync(this.path)) return null;
    // Written in place (below): a read that meets another process's write half-done sees it whole a moment later.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const c = parsed(readFileSync(this.path, 'utf8'));
        if (c) return c;
      } catch {
        // read again
      }
    }
    return 'unreadable';
  }

  /**
   * Writes the checkpoint made by `make` unless another process already checkpointed this record or a later
   * one. Throws when the file cannot be written.
   */
  advance(seq: number, make: () => Checkpoint): void {
    const fd = this.open();
    const current = this.readOpen(fd);
    if (current && current !== 'unreadable' && current.seq >= seq) return;
    // One write of a fixed size at offset 0: the whole new JSON (space-padded) replaces the whole old one.
    const buf = Buffer.alloc(CHECKPOINT_BYTES, 0x20);
    buf.write(JSON.stringify(make()));
    buf[CHECKPOINT_BYTES - 1] = 0x0a;
    writeSync(fd, buf, 0, CHECKPOINT_BYTES, 0);
    if (this.fdTrim) ftruncateSync(fd, CHECKPOINT_BYTES);
    this.fdTrim = false;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.fdIno = -1;
  }

  /**
   * The file, open for writing in place. A temporary file renamed over it cost ~0.5–1 ms per AI call (file
   * creation and a directory update); one fixed-size write to an open file costs ~20 µs, so every record is
   * still checkpointed at once. Reopened when the file was replaced (a restore, an older version).
   */
  private open(): number {
    let ino = -1;
    try {
      ino = statSync(this.path).ino;
    } catch {
      // not there yet: created below
    }
    if (this.fd !== null && ino === this.fdIno) return this.fd;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.path, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600);
    const st = fstatSync(this.fd);
    this.fdIno = st.ino;
    this.fdTrim = st.size > CHECKPOINT_BYTES;
    return this.fd;
  }

  /** Through the open file: one read at offset 0 instead of a stat, an open, a read and a close per record. */
  private readOpen(fd: number): Checkpoint | 'unreadable' | null {
    for (let attempt = 0; attempt < 3; attempt++) {
      const n = readSync(fd, this.readBuf, 0, this.readBuf.length, 0);
      if (n === 0) return null;
      if (n === this.readBuf.length) return this.read(); // longer than any checkpoint: read it whole
      const c = parsed(this.readBuf.toString('utf8', 0, n));
      if (c) return c;
    }
    return 'unreadable';
  }
}
