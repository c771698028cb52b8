// The guardrails through the real core: PII masked before it reaches a loopback "remote" server and put back
// in the reply, block and warn policies, output rules, and the audit record of each (with no raw PII in it).
// Roles and profiles are tested in core/profiles.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { startFakeVllm, type FakeVllm } from '../remote/testing/fakeVllm';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { closeAfterEach } from '../testing/closeAfterEach';

const ID = '11010519491231002X';
const CARD = '6222021234567890128'; // 19-digit UnionPay, Luhn-valid
const opened = closeAfterEach();

function core(): Core {
  const c = openTestCore({ dataDir: tempDir() });
  opened.core(c);
  return c;
}

/** Echoes every placeholder it received, so the reply must be unmasked locally. */
async function echoServer(): Promise<FakeVllm> {
  const s = await startFakeVllm({
    lifetimeMs: 30_000,
    answer: (b) => {
      const user = b.messages.at(-1)?.content ?? '';
      const held = user.match(/\[[A-Z_]+_\d+\]/g) ?? [];
      return held.length ? `Noted: ${held.join(' and ')} are on file.` : 'Nothing to note.';
    },
  });
  opened.server(s);
  return s;
}

async function remoteTarget(c: Core, s: FakeVllm) {
  const t = await c.invoke('targets.add', { name: 'cloud box', baseUrls: [s.baseUrl] });
  return { kind: 'remote' as const, targetId: t.id, model: s.baseModel };
}

function chatBodies(s: FakeVllm): string {
  return s.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => JSON.stringify(r.body)).join('\n');
}

describe('PII before egress', () => {
  it('masks an ID and a card before they leave, unmasks the streamed reply locally, and audits hashes only', async () => {
    const c = core();
    const s = await echoServer();
    const target = await remoteTarget(c, s);
    const userMessage = `客户身份证号 ${ID}，银行卡 ${CARD}，请核对。`;

    const preview = await c.invoke('guard.preview', { target: { kind: 'remote', targetId: target.targetId }, userMessage });
    expect(preview.action).toBe('mask');
    expect(preview.findings.map((f) => [f.kind, f.placeholder])).toEqual([
      ['id_card', '[ID_1]'],
      ['bank_card', '[CARD_1]'],
    ]);
    expect(preview.sentUser).not.toContain(ID);
    expect(JSON.stringify(preview)).not.toContain(CARD);

    const chunks: string[] = [];
    const off = c.on('runs.chunk', (ch) => chunks.push(ch.text));
    const { runId } = await c.invoke('runs.start', { target, userMessage });
    const rec = await c.runs.wait(runId);
    off();
    expect(rec.error).toBeNull();
    expect(rec.output).toBe(`Noted: ${ID} and ${CARD} are on file.`);
    expect(chunks.join('')).toBe(rec.output);
    expect(rec.guard).toMatchObject({ piiAction: 'mask', piiCounts: { id_card: 1, bank_card: 1 } });
    expect(rec.guard?.sentUser).toBe('客户身份证号 [ID_1]，银行卡 [CARD_1]，请核对。');

    const sent = chatBodies(s);
    expect(sent).toContain('[ID_1]');
    expect(sent).not.toContain(ID);
    expect(sent).not.toContain(CARD);
    expect(sent).not.toContain('1949');

    const { records } = await c.invoke('audit.list', { filter: { kind: 'ai_call' }, limit: 10 });
    expect(records[0]).toMatchObject({ path: 'playground', runId, pii: { action: 'mask', counts: { id_card: 1, bank_card: 1 } }, finishReason: 'eos' });
    expect(records[0]?.target).toMatchObject({ kind: 'remote', targetName: 'cloud box', endpoints: [s.baseUrl] });
    expect(records[0]?.decisions.join('\n')).toMatch(/pii: masked 1 ID number, 1 card number/);
    const raw = c.db.prepare('SELECT group_concat(body_json) AS all_ FROM audit_log').get() as { all_: string };
    expect(raw.all_).not.toContain(ID);
    expect(raw.all_).not.toContain(CARD);
    expect(readFileSync(join(c.dataDir, 'lamplight.db')).includes(Buffer.from(`"${ID}`))).toBe(false);
  });

  it('block refuses before anything is sent; warn sends as is; allow on a target overrides the default', async () => {
    const c = core();
    const s = await echoServer();
    const target = await remoteTarget(c, s);
    const policy = await c.invoke('guard.getPolicy', {});
    await c.invoke('guard.setPolicy', { policy: { ...policy, pii: { ...policy.pii, remoteDefault: 'block' } } });
    const blocked = await failureOf(c.invoke('runs.start', { target, userMessage: `ID ${ID}` }));
    expect(blocked.code).toBe('BLOCKED');
    expect(blocked.message).toMatch(/1 ID number/);
    expect(chatBodies(s)).toBe('');
    const rec = (await c.invoke('audit.list', { filter: { outcome: 'blocked' }, limit: 5 })).records[0];
    expect(rec).toMatchObject({ kind: 'ai_call', finishReason: 'blocked', pii: { action: 'block', counts: { id_card: 1 } } });

    await c.invoke('guard.setPolicy', { policy: { ...policy, pii: { ...policy.pii, remoteDefault: 'block', targets: { [target.targetId]: 'warn' } } } });
    const warned = await c.runs.wait((await c.invoke('runs.start', { target, userMessage: `ID ${ID}` })).runId);
    expect(warned.guard?.piiAction).toBe('warn');
    expect(chatBodies(s)).toContain(ID);
  });
});

describe('output rules', () => {
  it('a must-be-JSON block rule holds the stream back and releases the whole reply once it passes', async () => {
    const c = core();
    const s = await startFakeVllm({ lifetimeMs: 30_000, answer: () => '{"answer": "[ID_1] ok"}' });
    opened.server(s);
    const target = await remoteTarget(c, s);
    const policy = await c.invoke('guard.getPolicy', {});
    await c.invoke('guard.setPolicy', { policy: { ...policy, output: { rules: [{ kind: 'json', name: 'json', action: 'block', enabled: true }] } } });
    const chunks: string[] = [];
    let finishedWith: string[] | null = null;
    const offChunk = c.on('runs.chunk', (ch) => chunks.push(ch.text));
    const offDone = c.on('runs.finished', () => (finishedWith ??= chunks.slice()));
    const rec = await c.runs.wait((await c.invoke('runs.start', { target, userMessage: `id ${ID}` })).runId);
    offChunk();
    offDone();
    expect(rec.output).toBe(`{"answer": "${ID} ok"}`);
    expect(rec.guard?.output?.decision).toBe('pass');
    // One release of the whole (unmasked) reply, before the run is announced finished.
    expect(finishedWith).toEqual([rec.output]);
  });

  it('flags or blocks an output with the reason stored on the run and in the audit log; a bad regex names its rule', async () => {
    const c = core();
    const s = await startFakeVllm({ lifetimeMs: 30_000, answer: () => 'The password is hunter2.' });
    opened.server(s);
    const target = await remoteTarget(c, s);
    const policy = await c.invoke('guard.getPolicy', {});

    await c.invoke('guard.setPolicy', { policy: { ...policy, output: { rules: [{ kind: 'words', name: 'secrets', words: ['password'], action: 'flag', enabled: true }] } } });
    const flagged = await c.runs.wait((await c.invoke('runs.start', { target, userMessage: 'hi' })).runId);
    expect(flagged.output).toBe('The password is hunter2.');
    expect(flagged.guard?.output).toEqual({ decision: 'flag', reasons: ['rule "secrets" (flag): output contains "password" at character 5'] });

    // A block rule is checked as the text streams: the run stops at the match and no more text is shown.
    await c.invoke('guard.setPolicy', { policy: { ...policy, output: { rules: [{ kind: 'words', name: 'secrets', words: ['password'], action: 'block', enabled: true }] } } });
    const shown: string[] = [];
    const off = c.on('runs.chunk', (ch) => shown.push(ch.text));
    const cut = await c.runs.wait((await c.invoke('runs.start', { target, userMessage: 'hi' })).runId);
    expect(cut).toMatchObject({ stopReason: 'blocked', output: '' });
    expect(shown.join('')).not.toContain('password');
    expect(shown.join('')).not.toContain('hunter2');

    // Must-be-JSON can only be judged at the end: nothing is shown before it is.
    shown.length = 0;
    await c.invoke('guard.setPolicy', {
      policy: { ...policy, output: { rules: [{ kind: 'json', name: 'must be JSON', action: 'block', enabled: true }] } },
    });
    const blocked = await c.runs.wait((await c.invoke('runs.start', { target, userMessage: 'hi' })).runId);
    off();
    expect(shown.join('')).toBe('');
    expect(blocked.stopReason).toBe('blocked');
    expect(blocked.output).toBe('');
    expect(blocked.error).toMatch(/^Blocked by output policy: rule "must be JSON" \(block\): output is not valid JSON/);
    const audit = (await c.invoke('audit.list', { filter: { outcome: 'blocked' }, limit: 5 })).records[0];
    expect(audit?.runId).toBe(blocked.id);

    const bad = await failureOf(
      c.invoke('guard.setPolicy', { policy: { ...policy, pii: { ...policy.pii, customRules: [{ name: 'EMP', pattern: '(unclosed', flags: '' }] } } }),
    );
    expect(bad.code).toBe('BAD_INPUT');
    expect(bad.message).toMatch(/EMP/);
    expect((await c.invoke('guard.getPolicy', {})).output.rules[0]?.name).toBe('must be JSON');
    expect((await c.invoke('audit.list', { filter: { kind: 'policy' }, limit: 10 })).total).toBe(3);
  });
});
