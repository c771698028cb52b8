import { describe, expect, it } from 'vitest';
import type { RemoteModel, TargetCheck, TargetInfo } from '../../../shared/targets.schema';
import { describeTarget, isLoraModule, parseTargetKey, remoteChoiceGroups, replicaErrorAdvice, sameTarget, shortReplicaError, targetKey } from './targetChoices';

const model = (id: string, extra: Partial<RemoteModel> = {}): RemoteModel => ({ id, ownedBy: 'vllm', root: null, parent: null, maxModelLen: null, ...extra });
const target = (id: string, name: string): TargetInfo => ({
  id, name, baseUrls: ['http://a/v1'], hasApiKey: false, headerNames: [],
  timeouts: { connectMs: 1000, firstTokenMs: 1000, idleMs: 1000 }, maxRetries: 0, createdAt: 0, replicas: [],
});

describe('target keys', () => {
  it('round-trip local and remote targets, model names with colons included', () => {
    for (const t of [
      { kind: 'local', modelId: '01J0MODEL' } as const,
      { kind: 'remote', targetId: '01J0TARGET', model: 'org/llama:8b-instruct' } as const,
    ]) expect(parseTargetKey(targetKey(t))).toEqual(t);
    expect(targetKey({ kind: 'local', modelId: 'M1' })).toBe('M1');
    expect(parseTargetKey('')).toBeNull();
    expect(parseTargetKey('remote:T1:')).toBeNull();
    expect(sameTarget({ kind: 'local', modelId: 'M' }, { kind: 'local', modelId: 'M' })).toBe(true);
    expect(sameTarget({ kind: 'remote', targetId: 'T', model: 'a' }, { kind: 'remote', targetId: 'T', model: 'b' })).toBe(false);
  });
});

describe('isLoraModule', () => {
  it('marks vLLM LoRA modules, not the base model whose root is its weights path', () => {
    const base = model('llama', { root: '/models/llama-3-8b' });
    const lora = model('sql-lora', { root: '/adapters/sql', parent: 'llama' });
    const byRoot = model('chat-lora', { root: 'llama' });
    const all = [base, lora, byRoot];
    expect(isLoraModule(base, all)).toBe(false);
    expect(isLoraModule(lora, all)).toBe(true);
    expect(isLoraModule(byRoot, all)).toBe(true);
    expect(isLoraModule(model('x', { root: 'x', parent: 'x' }), all)).toBe(false);
  });
});

describe('remoteChoiceGroups', () => {
  const check = (targetId: string, models: RemoteModel[], ok = true): TargetCheck => ({
    targetId, checkedAt: 1, models, replicas: [{ url: 'http://a/v1', ok, latencyMs: ok ? 3 : null, status: ok ? 200 : null, error: ok ? null : 'ECONNREFUSED' }],
  });
  it('labels choices "Target · model" and reports state per target', () => {
    const groups = remoteChoiceGroups(
      [target('T1', 'gpu box'), target('T2', 'down'), target('T3', 'new'), target('T4', 'busy')],
      { T1: check('T1', [model('llama'), model('sql', { parent: 'llama' })]), T2: check('T2', [], false) },
      ['T4'],
      {},
    );
    expect(groups.map((g) => g.state)).toEqual(['ok', 'unreachable', 'unchecked', 'checking']);
    expect(groups[0]?.choices.map((c) => [c.label, c.lora])).toEqual([['gpu box · llama', false], ['gpu box · sql', true]]);
    expect(groups[1]?.error).toBe('ECONNREFUSED');
  });
  it('a failed check command counts as unreachable', () => {
    const [g] = remoteChoiceGroups([target('T1', 'x')], {}, [], { T1: 'Not found' });
    expect(g).toMatchObject({ state: 'unreachable', error: 'Not found' });
  });
});

describe('describeTarget', () => {
  it('names local files and remote targets, even removed ones', () => {
    expect(describeTarget({ kind: 'local', modelId: 'M1' }, [{ id: 'M1', fileName: 'tiny.gguf' }], [])).toBe('tiny.gguf');
    expect(describeTarget({ kind: 'remote', targetId: 'T1', model: 'llama' }, [], [{ id: 'T1', name: 'gpu' }])).toBe('gpu · llama');
    expect(describeTarget({ kind: 'remote', targetId: 'T9', model: 'llama' }, [], [])).toBe('removed target · llama');
  });
});

describe('shortReplicaError', () => {
  it('drops the request line of the replica itself, keeps anything else', () => {
    expect(shortReplicaError('GET http://127.0.0.1:8195/v1/models: could not connect (ECONNREFUSED)', 'http://127.0.0.1:8195/v1')).toBe('could not connect (ECONNREFUSED)');
    expect(shortReplicaError('GET http://other/v1/models: x', 'http://127.0.0.1:8195/v1')).toBe('GET http://other/v1/models: x');
    expect(shortReplicaError('HTTP 401: bad key', 'http://a/v1')).toBe('HTTP 401: bad key');
  });
});

describe('replicaErrorAdvice', () => {
  it('says what to check and the URL tried when a replica refuses the connection', () => {
    const a = replicaErrorAdvice('GET http://127.0.0.1:8195/v1/models: could not connect (ECONNREFUSED)', 'http://127.0.0.1:8195/v1');
    expect(a.what).toBe('could not connect (ECONNREFUSED)');
    expect(a.tried).toBe('GET http://127.0.0.1:8195/v1/models');
    expect(a.check).toMatch(/server is running/);
    expect(a.check).toMatch(/port/);
    expect(a.check).toMatch(/firewall/);
  });
  it('names DNS for an unknown host, time for a timeout, and a port fetch will not use', () => {
    expect(replicaErrorAdvice('GET http://a:9/v1/models: could not connect (bad port)', 'http://a:9/v1').check).toMatch(/another port/);
    expect(replicaErrorAdvice('GET http://nohost/v1/models: could not connect (ENOTFOUND)', 'http://nohost/v1').check).toMatch(/did not resolve/);
    expect(replicaErrorAdvice('GET http://a/v1/models: no response within 10000 ms', 'http://a/v1').check).toMatch(/in time/);
  });
  it('keeps a message that already says what to check, and falls back to the replica URL', () => {
    const a = replicaErrorAdvice('HTTP 401 — the server refused the API key; check the API key.', 'http://a/v1');
    expect(a.check).toBeNull();
    expect(a.tried).toBe('http://a/v1');
  });
});
