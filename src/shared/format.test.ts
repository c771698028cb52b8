import { describe, expect, it } from 'vitest';
import { formatByteLimit, formatBytes } from './format';

describe('formatBytes (the one the UI, the CLI and core share)', () => {
  it('writes display sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150.0 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.50 GiB');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });

  it('names a limit as a whole number of units when it is one', () => {
    expect(formatByteLimit(16 << 20)).toBe('16 MiB');
    expect(formatByteLimit(1024)).toBe('1 KiB');
    expect(formatByteLimit(1500)).toBe('1500 bytes');
  });
});
