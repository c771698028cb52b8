// Who is acting, through the real core: the role × command matrix over the contract, refusals audited, role
// changes applied at once, one admin kept, labelers acting only as themselves, and access tokens.
import { describe, expect, it } from 'vitest';
import { commandNames } from '../../shared/contract';
import { can, Role } from '../../shared/roles';
import type { Core } from '../createCore';
import { closeAfterEach } from '../testing/closeAfterEach';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';

const opened = closeAfterEach();

function core(): Core {
  const c = openTestCore({ dataDir: tempDir() });
  opened.core(c);
  return c;
}

describe('roles', () => {
  it('refuses exactly the commands a role lacks, for every command in the contract, and audits each refusal', async () => {
    const c = core();
    const me = await c.invoke('session.whoami', {});
    expect(me.role).toBe('admin');
    for (const role of Role.options) {
      const p = await c.invoke('profiles.create', { name: `p-${role}`, role });
      const before = (await c.invoke('audit.list', { filter: { kind: 'denied' }, limit: 1000 })).total;
      let denied = 0;
      for (const name of commandNames) {
        // Input 42 is wrong for every command: an allowed one fails validation, a refused one never gets there.
        const r = await c.dispatch(name, 42, { profileId: p.id });
        expect(r.ok).toBe(false);
        const code = r.ok ? null : r.error.code;
        if (can(role, name)) expect([name, code]).toEqual([name, 'BAD_INPUT']);
        else {
          expect([name, code]).toEqual([name, 'FORBIDDEN']);
          denied++;
        }
      }
      const after = await c.invoke('audit.list', { filter: { kind: 'denied' }, limit: 1000 });
      expect(after.total - before).toBe(denied);
      if (denied > 0) expect(after.records[0]?.profileName).toBe(`p-${role}`);
    }
    expect((await c.invoke('audit.verify', {})).ok).toBe(true);
  });

  it('names the refused permission, applies a role change at once, and keeps one admin', async () => {
    const c = core();
    const lena = await c.invoke('profiles.create', { name: 'Lena', role: 'labeler' });
    const refused = await c.dispatch('targets.add', { name: 'x', baseUrls: ['http://127.0.0.1:9/v1'] }, { profileId: lena.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(!refused.ok && refused.error.message).toMatch(/Lena \(Labeler\) may not change policies, endpoints and profiles: targets\.add/);
    const asLena = await c.dispatch('session.whoami', {}, { profileId: lena.id });
    expect(asLena.ok && (asLena.value as { allowed: string[] }).allowed).toContain('datasets.label');

    await c.invoke('profiles.setRole', { profileId: lena.id, role: 'admin' });
    expect((await c.dispatch('guard.getPolicy', {}, { profileId: lena.id })).ok).toBe(true);
    expect((await c.dispatch('audit.verify', {}, { profileId: lena.id })).ok).toBe(true);

    const owner = (await c.invoke('session.whoami', {})).profileId;
    await c.invoke('profiles.setRole', { profileId: lena.id, role: 'analyst' });
    const last = await failureOf(c.invoke('profiles.setRole', { profileId: owner, role: 'analyst' }));
    expect(last).toMatchObject({ code: 'CONFLICT' });
    expect(last.message).toMatch(/only admin/);
  });

  it('lets a labeler label only as themselves', async () => {
    const c = core();
    const a = await c.invoke('profiles.create', { name: 'A', role: 'labeler' });
    const b = await c.invoke('profiles.create', { name: 'B', role: 'labeler' });
    const r = await c.dispatch('datasets.undo', { datasetId: 'nope', labelerId: b.id }, { profileId: a.id });
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const label = { datasetId: 'nope', rowId: 1, labelerId: b.id, patch: { status: 'accepted' } };
    expect(await c.dispatch('datasets.label', label, { profileId: a.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // As themselves, or as an admin for someone else, the check passes and the dataset is looked up.
    expect(await c.dispatch('datasets.label', label, { profileId: b.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await c.dispatch('datasets.undo', { datasetId: 'nope', labelerId: b.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('access tokens', () => {
  it('names the profile a token was issued to; a new token replaces the old one, and both are audited', async () => {
    const c = core();
    const ana = await c.invoke('profiles.create', { name: 'Ana', role: 'analyst' });
    const { token: first } = await c.invoke('profiles.issueToken', { profileId: ana.id });
    expect(c.profiles.profileForToken(first)).toBe(ana.id);
    const { token: second } = await c.invoke('profiles.issueToken', { profileId: ana.id });
    expect(c.profiles.profileForToken(first)).toBeNull();
    expect(c.profiles.profileForToken(second)).toBe(ana.id);
    const records = await c.invoke('audit.list', { filter: { kind: 'profile' }, limit: 10 });
    expect(records.total).toBe(2);
    expect(JSON.stringify(records)).not.toContain(second);
    expect(await failureOf(c.invoke('profiles.create', { name: 'ana' }))).toMatchObject({ code: 'CONFLICT' });
  });
});
