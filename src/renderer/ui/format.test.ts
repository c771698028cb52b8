import { describe, expect, it } from 'vitest';
import { baseName, withoutNamePrefix, formatBytes, formatDuration, formatMs, formatParams, formatPercent, formatRate, formatSeconds, formatTime, preview, shortHash } from './format';

describe('formatParams', () => {
  it('writes counts the way model cards do', () => {
    expect(formatParams(1_200_000)).toBe('1.2M');
    expect(formatParams(1_048_576)).toBe('1M');
    expect(formatParams(336_000_000)).toBe('336M');
    expect(formatParams(1_100_000_000)).toBe('1.1B');
    expect(formatParams(7_241_732_096)).toBe('7.2B');
    expect(formatParams(70_553_706_496)).toBe('71B');
    expect(formatParams(12_500)).toBe('13K');
    expect(formatParams(950)).toBe('950');
  });
  it('rounds up across a unit boundary instead of writing 1000M', () => {
    expect(formatParams(999_900_000)).toBe('1B');
  });
  it('shows a dash when unknown', () => {
    expect(formatParams(null)).toBe('—');
    expect(formatParams(Number.NaN)).toBe('—');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4 * 1024 + 512)).toBe('4.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.50 GiB');
    expect(formatBytes(null)).toBe('—');
  });
});

describe('small formatters', () => {
  it('formats percent, ms and rates', () => {
    expect(formatPercent(0.4242)).toBe('42%');
    expect(formatPercent(0.051)).toBe('5.1%');
    expect(formatPercent(1.2)).toBe('100%');
    expect(formatPercent(null)).toBe('');
    expect(formatMs(123.4)).toBe('123 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatDuration(640)).toBe('640 ms');
    expect(formatDuration(6631)).toBe('6.6 s');
    expect(formatDuration(125_000)).toBe('2:05 min');
    expect(formatSeconds(10_000)).toBe('10 s');
    expect(formatSeconds(2500)).toBe('2.5 s');
    expect(formatSeconds(250)).toBe('250 ms');
    expect(formatRate(243.2)).toBe('243');
    expect(formatRate(31.25)).toBe('31.3');
    expect(formatRate(null)).toBe('—');
  });
  it('shortens hashes and paths', () => {
    expect(shortHash('0123456789abcdef0123')).toBe('0123456789');
    expect(shortHash(null)).toBe('—');
    expect(baseName('/a/b/model.gguf')).toBe('model.gguf');
    expect(baseName('C:\\m\\x.gguf')).toBe('x.gguf');
  });
  it('previews text on one line', () => {
    expect(preview('hello\n\n  world', 80)).toBe('hello world');
    expect(preview('abcdefghij', 5)).toBe('abcd…');
    expect(preview(null)).toBe('');
  });
  it('formats times relative to today', () => {
    const now = new Date(2025, 2, 4, 18, 0, 0).getTime();
    expect(formatTime(new Date(2025, 2, 4, 14, 3, 27).getTime(), now)).toBe('14:03:27');
    expect(formatTime(new Date(2025, 1, 9, 8, 5, 0).getTime(), now)).toBe('Feb 9 08:05');
    expect(formatTime(new Date(2024, 11, 31, 23, 59, 0).getTime(), now)).toBe('Dec 31 2024 23:59');
  });
});

describe('withoutNamePrefix', () => {
  it('drops a leading file name only', () => {
    expect(withoutNamePrefix('a.gguf: truncated', 'a.gguf')).toBe('truncated');
    expect(withoutNamePrefix('other: x', 'a.gguf')).toBe('other: x');
  });
});
