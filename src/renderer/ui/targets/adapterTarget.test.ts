import { describe, expect, it } from 'vitest';
import { MAX_STACKED_ADAPTERS as CONTRACT_MAX } from '../../../shared/adapters.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import {
  adaptersOf, attachAdapter, clampScale, formatScale, MAX_STACKED_ADAPTERS, parseSweepScales, setAdapterScale, sweepColumns,
  targetWithAdaptersLabel, withAdapters,
} from './adapterTarget';

const base: RunTarget = { kind: 'local', modelId: 'M1' };
const names = new Map([
  ['A1', 'style-lora'],
  ['A2', 'tone'],
]);

describe('local targets with adapters', () => {
  it('keep the contract’s stack limit', () => {
    expect(MAX_STACKED_ADAPTERS).toBe(CONTRACT_MAX);
  });
  it('label a target "base + adapter@scale", in attach order', () => {
    const t = withAdapters(base, [{ adapterId: 'A1', scale: 0.5 }, { adapterId: 'A2', scale: 1 }]);
    expect(targetWithAdaptersLabel('tiny.gguf', adaptersOf(t), names)).toBe('tiny.gguf + style-lora@0.5 + tone@1');
    expect(targetWithAdaptersLabel('tiny.gguf', [], names)).toBe('tiny.gguf');
    expect(targetWithAdaptersLabel('tiny.gguf', [{ adapterId: 'GONE', scale: 1.25 }], names)).toBe('tiny.gguf + GONE@1.25');
  });
  it('stay plain without adapters, and remote targets take none', () => {
    expect(withAdapters(base, [])).toEqual({ kind: 'local', modelId: 'M1' });
    const remote: RunTarget = { kind: 'remote', targetId: 'T', model: 'm' };
    expect(withAdapters(remote, [{ adapterId: 'A1', scale: 1 }])).toBe(remote);
    expect(adaptersOf(remote)).toEqual([]);
    expect(adaptersOf(null)).toEqual([]);
  });
  it('attach each adapter once, at scale 1, up to the limit', () => {
    let uses = attachAdapter([], 'A1');
    uses = attachAdapter(uses, 'A1');
    expect(uses).toEqual([{ adapterId: 'A1', scale: 1 }]);
    for (const id of ['A2', 'A3', 'A4', 'A5']) uses = attachAdapter(uses, id);
    expect(uses.map((u) => u.adapterId)).toEqual(['A1', 'A2', 'A3', 'A4']);
  });
  it('snap scales to 0.05 steps within 0–2', () => {
    expect(clampScale(0.537)).toBe(0.55);
    expect(clampScale(-1)).toBe(0);
    expect(clampScale(7)).toBe(2);
    expect(clampScale(Number.NaN)).toBe(1);
    expect(setAdapterScale([{ adapterId: 'A1', scale: 1 }], 'A1', 0.3)).toEqual([{ adapterId: 'A1', scale: 0.3 }]);
    expect(formatScale(0.30000000000000004)).toBe('0.3');
  });
});

describe('scale sweep', () => {
  it('reads scales, dropping duplicates and 0', () => {
    expect(parseSweepScales('0.5, 1 1.5;1')).toEqual({ ok: true, scales: [0.5, 1, 1.5] });
    expect(parseSweepScales('0, 1')).toEqual({ ok: true, scales: [1] });
    expect(parseSweepScales('abc').ok).toBe(false);
    expect(parseSweepScales('3').ok).toBe(false);
    expect(parseSweepScales('0').ok).toBe(false);
    expect(parseSweepScales(' ').ok).toBe(false);
  });
  it('makes columns: the base, then the adapter at each scale', () => {
    expect(sweepColumns('M1', 'A1', [0.5, 1], 8)).toEqual([
      { kind: 'local', modelId: 'M1' },
      { kind: 'local', modelId: 'M1', adapters: [{ adapterId: 'A1', scale: 0.5 }] },
      { kind: 'local', modelId: 'M1', adapters: [{ adapterId: 'A1', scale: 1 }] },
    ]);
    expect(sweepColumns('M1', 'A1', [0.25, 0.5, 0.75, 1], 3)).toHaveLength(3);
  });
});
