// Events follow roles: each socket hears only what its profile may see. Real core, real host, real sockets,
// and a run streamed from a loopback vLLM-like server.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../core/createCore';
import { startFakeVllm, type FakeVllm } from '../core/remote/testing/fakeVllm';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { eventNames } from '../shared/contract';
import { canSee, EVENT_PERMISSION, Role } from '../shared/roles';
import { startHost, type Host } from './server';
import { callOn, eventsIn, openTestSocket, valueOf, waitFor, type TestSocket } from './testing/wsClient';

let core: Core;
let host: Host;
let vllm: FakeVllm;
const open: TestSocket[] = [];

beforeAll(async () => {
  const staticDir = tempDir('lamplight-static-');
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  core = openTestCore();
  host = await startHost({ core, staticDir, port: 0 });
  vllm = await startFakeVllm();
});
afterAll(async () => {
  for (const s of open) s.ws.terminate();
  await host?.close();
  await core?.close();
  await vllm?.close();
});

async function socketAs(token: string): Promise<TestSocket> {
  const s = await openTestSocket(host.port, token);
  open.push(s);
  return s;
}

describe('event permissions', () => {
  it('places every event (a new one without a permission fails the build, and this test)', () => {
    expect(Object.keys(EVENT_PERMISSION).sort()).toEqual([...eventNames].sort());
  });

  it('labelers see no run, target, API-server or training events; analysts see runs but not the API server', () => {
    expect(canSee('labeler', 'runs.chunk')).toBe(false);
    expect(canSee('labeler', 'targets.changed')).toBe(false);
    expect(canSee('labeler', 'apiServer.status')).toBe(false);
    expect(canSee('analyst', 'runs.chunk')).toBe(true);
    expect(canSee('analyst', 'apiServer.status')).toBe(false);
    expect(canSee('analyst', 'downloads.progress')).toBe(false);
    for (const r of Role.options) expect(canSee(r, 'engine.status')).toBe(true);
  });
});

describe('delivery per socket', () => {
  it("a labeler's socket never receives an admin's run, target or API-server events; an analyst's gets the run only", async () => {
    const admin = await socketAs(host.token);
    const lena = await valueOf<{ id: string }>(admin, 'profiles.create', { name: 'Lena events', role: 'labeler' });
    const ann = await valueOf<{ id: string }>(admin, 'profiles.create', { name: 'Ann events', role: 'analyst' });
    const labeler = await socketAs((await valueOf<{ token: string }>(admin, 'profiles.issueToken', { profileId: lena.id })).token);
    const analyst = await socketAs((await valueOf<{ token: string }>(admin, 'profiles.issueToken', { profileId: ann.id })).token);

    const target = await valueOf<{ id: string }>(admin, 'targets.add', { name: 'events box', baseUrls: [vllm.baseUrl] });
    await valueOf(admin, 'targets.check', { targetId: target.id });
    const { runId } = await valueOf<{ runId: string }>(admin, 'runs.start', {
      target: { kind: 'remote', targetId: target.id, model: vllm.baseModel },
      userMessage: 'Secret plans for the quarter',
    });
    await waitFor('the admin to see the run finish', () => admin.frames.find((f) => f.event === 'runs.finished' && (f.payload as { id: string }).id === runId));
    core.apiServer.emit('status', core.apiServer.status()); // as the API server does on start and stop

    // A reply is sent after every event emitted before the command ran, so these are complete.
    await callOn(labeler, 'session.whoami', {});
    await callOn(analyst, 'session.whoami', {});
    await callOn(admin, 'session.whoami', {});

    expect(eventsIn(admin)).toEqual(expect.arrayContaining(['runs.chunk', 'runs.finished', 'targets.changed', 'apiServer.status']));
    expect(eventsIn(analyst)).toEqual(expect.arrayContaining(['runs.chunk', 'runs.finished', 'targets.changed']));
    expect(eventsIn(analyst)).not.toContain('apiServer.status');
    const heard = eventsIn(labeler);
    for (const e of ['runs.chunk', 'runs.finished', 'targets.changed', 'apiServer.status']) expect(heard).not.toContain(e);
    expect(JSON.stringify(labeler.frames)).not.toContain('Secret plans');
    expect(JSON.stringify(labeler.frames)).not.toContain(vllm.baseUrl);
  });

  it('a labeler that starts a run hears its own run and no one else’s', async () => {
    const admin = await socketAs(host.token);
    const lab = await valueOf<{ id: string }>(admin, 'profiles.create', { name: 'Lara events', role: 'labeler' });
    expect(core.profiles.maySee(lab.id, 'runs.chunk', () => lab.id)).toBe(true);
    expect(core.profiles.maySee(lab.id, 'runs.chunk', () => core.profiles.ownerId)).toBe(false);
    expect(core.profiles.maySee(lab.id, 'targets.changed', () => lab.id)).toBe(false);
    expect(core.profiles.maySee('no-such-profile', 'engine.status', () => null)).toBe(false);
  });

  it('a re-issued token ends the old socket at once, before any event reaches it', async () => {
    const admin = await socketAs(host.token);
    const p = await valueOf<{ id: string }>(admin, 'profiles.create', { name: 'Pia events', role: 'analyst' });
    const pia = await socketAs((await valueOf<{ token: string }>(admin, 'profiles.issueToken', { profileId: p.id })).token);
    const closed = new Promise<number>((resolve) => pia.ws.once('close', (code) => resolve(code)));
    await valueOf(admin, 'profiles.issueToken', { profileId: p.id });
    expect(await closed).toBe(4001);
    core.engine.emit('status', core.engine.status);
    expect(eventsIn(pia)).not.toContain('engine.status');
  });
});
