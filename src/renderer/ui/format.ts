// Number, size and time formatting shared by every view. Pure: safe to unit-test in node.

/** Parameter counts the way model cards write them: 1.2M, 336M, 1.1B, 70B. */
export function formatParams(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n) || n < 0) return '—';
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (n >= size * 0.9995) return `${scaled(n / size)}${suffix}`;
  }
  return String(Math.round(n));
}

/** One decimal below 10 (1.2M), none from 10 up (336M); never "10.0". */
function scaled(v: number): string {
  const oneDecimal = Math.round(v * 10) / 10;
  if (oneDecimal < 10) return oneDecimal.toFixed(1).replace(/\.0$/, '');
  return String(Math.round(v));
}

// One formatBytes for the UI, the CLI and core: it lives in shared/.
export { formatBytes } from '../../shared/format';

/** 0..1 → "42%"; null → "". */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction == null || !Number.isFinite(fraction)) return '';
  const pct = Math.max(0, Math.min(100, fraction * 100));
  return `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.floor(pct)}%`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

/** Wall time: ms below a second, then seconds with one decimal, then m:ss. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} min`;
}

/** A configured duration: "10 s", "2.5 s", "250 ms". */
export function formatSeconds(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(2))} s`;
}

export function formatRate(tokPerSec: number | null | undefined): string {
  if (tokPerSec == null || !Number.isFinite(tokPerSec)) return '—';
  return tokPerSec >= 100 ? tokPerSec.toFixed(0) : tokPerSec.toFixed(1);
}

export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US');
}

/** First 10 hex digits: enough to tell files apart at a glance. */
export function shortHash(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 10) : '—';
}

/** "14:03:27" today, "Mar 4 14:03" otherwise; `now` is a parameter so tests are stable. */
export function formatTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const n = new Date(now);
  const pad = (v: number): string => String(v).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  if (sameDay) return `${time}:${pad(d.getSeconds())}`;
  const month = d.toLocaleString('en-US', { month: 'short' });
  const year = d.getFullYear() === n.getFullYear() ? '' : ` ${d.getFullYear()}`;
  return `${month} ${d.getDate()}${year} ${time}`;
}

/** One line, whitespace collapsed, cut at `max` characters with an ellipsis. */
export function preview(text: string | null | undefined, max = 80): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** Last path segment, for either separator. */
export function baseName(path: string | null | undefined): string {
  if (!path) return '';
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** Core messages often start with "file.gguf: "; where the name is already shown, drop the repeat. */
export function withoutNamePrefix(message: string, name: string): string {
  return name && message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}
