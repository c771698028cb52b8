import { describe, expect, it } from 'vitest';
import { sequenceNotes, targetNames } from './benchChecks';

const M = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const T = '01JBBBBBBBBBBBBBBBBBBBBBBB';
const A = '01JCCCCCCCCCCCCCCCCCCCCCCC';
const name = (): string => 'tiny.gguf';
const loaded = (sequences: number) => ({ modelId: M, settings: { sequences } as never });

describe('sequenceNotes', () => {
  it('says a loaded model with fewer sequences than the sweep is reloaded before the run', () => {
    const notes = sequenceNotes([{ kind: 'concurrency', concurrency: 1 }, { kind: 'concurrency', concurrency: 4 }], [M], loaded(1), name);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.text).toMatch(/loaded with 1 sequence .*reloaded with 4/);
  });
  it('says nothing when the loaded sequences cover the sweep, or for remote targets', () => {
    expect(sequenceNotes([{ kind: 'concurrency', concurrency: 4 }], [M], loaded(4), name)).toEqual([]);
    expect(sequenceNotes([{ kind: 'concurrency', concurrency: 64 }], [`remote:${T}:qwen`], null, name)).toEqual([]);
  });
  it('warns that concurrency above 16 and uncapped request rates queue inside the engine', () => {
    const high = sequenceNotes([{ kind: 'concurrency', concurrency: 32 }], [M], loaded(16), name);
    expect(high.map((n) => n.level)).toEqual(['warn']);
    expect(high[0]?.text).toMatch(/queue/);
    const rate = sequenceNotes([{ kind: 'rate', requestsPerSec: 2, maxConcurrency: null }], [M], loaded(1), name);
    expect(rate[0]?.level).toBe('warn');
    expect(rate[0]?.text).toMatch(/Max concurrency/);
  });
  it('says a model that is not loaded is loaded with the sweep\'s sequences', () => {
    expect(sequenceNotes([{ kind: 'concurrency', concurrency: 2 }], [M], null, name)[0]?.text).toMatch(/not the loaded model.*2 sequences/);
  });
});

describe('targetNames', () => {
  it('turns target keys into names and keeps labels as they are', () => {
    const names = targetNames([`remote:${T}:qwen:7b`, `local:${M}+${A}@0.5`, M, 'vLLM · qwen'], [{ id: M, fileName: 'tiny.gguf' }], [{ id: T, name: 'vLLM' }], [{ id: A, fileName: 'tone.gguf' }]);
    expect(names).toEqual(['vLLM · qwen:7b', 'tiny.gguf + tone@0.5', 'tiny.gguf', 'vLLM · qwen']);
  });
  it("uses a model's own name where it has one, as results do", () => {
    expect(targetNames([M], [{ id: M, fileName: 'tiny.gguf', metadata: { name: 'lamplight-tiny' } }], [])).toEqual(['lamplight-tiny']);
  });
  it('never shows an id, even for a target or model it does not know (removed, or not listed yet)', () => {
    expect(targetNames([`remote:${T}:m`, `local:${M}`], [], [])).toEqual(['a remote target · m', 'a local model']);
  });
});
