// `lamplight api-key issue/list/revoke/usage`: per-profile keys of the local API server, from a shell. Keys
// live in the database, so they can be managed whether or not `serve-api` is running.
import type { ApiKeyInfo, ApiUsageRow } from '../shared/apiServer.schema';
import { parseFlags, UsageError, type CliContext, type Command } from './main';

const USAGE = [
  'Usage: lamplight api-key <issue|list|revoke|usage> [options]',
  '',
  '  issue --profile NAME [--name TEXT] [--rpm N] [--tokens-per-day N] [--budget USD] [--scope metrics] [--json]',
  '        a key for that profile, printed once (only its hash is kept); requests with it act as the profile.',
  '        --rpm: requests per minute; --tokens-per-day: prompt+completion tokens a day; --budget: per month',
  '        (alert at 80%, refused at 100%); --scope metrics: a key that may read only GET /metrics',
  '  list [--json]          every key: prefix, profile, created, last used, limits, usage, revoked',
  '  revoke ID              the key stops working at once (ID or prefix, from list)',
  '  usage [--json]         requests, tokens, latency and cost per key and target this month',
].join('\n');

function positive(flag: string, v: string | undefined, integer: boolean): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} must be a positive ${integer ? 'whole number' : 'number'}, got "${v}"`);
  return n;
}

const when = (t: number | null) => (t === null ? '—' : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z'));

function limitsText(k: ApiKeyInfo): string {
  const parts = [k.ratePerMinute ? `${k.ratePerMinute} rpm` : null, k.tokenQuota ? `${k.tokenQuota} tokens/${k.quotaPeriod}` : null, k.budgetPerMonth ? `budget ${k.budgetPerMonth}/month` : null];
  return parts.filter(Boolean).join(', ') || 'none';
}

async function issue(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    profile: { type: 'string' }, name: { type: 'string' }, rpm: { type: 'string' }, 'tokens-per-day': { type: 'string' },
    budget: { type: 'string' }, scope: { type: 'string' }, json: { type: 'boolean' },
  });
  if (!values.profile) throw new UsageError('--profile NAME is required');
  if (values.scope !== undefined && values.scope !== 'metrics' && values.scope !== 'inference') throw new UsageError(`--scope takes "metrics" (or "inference", the default), got "${values.scope}"`);
  const limits = { ratePerMinute: positive('--rpm', values.rpm, true), tokenQuota: positive('--tokens-per-day', values['tokens-per-day'], true), budgetPerMonth: positive('--budget', values.budget, false) };
  const core = ctx.openCore();
  const profiles = await core.invoke('profiles.list', {});
  const profile = profiles.find((p) => p.name === values.profile) ?? profiles.find((p) => p.name.toLowerCase() === values.profile?.toLowerCase());
  if (!profile) throw new Error(`--profile: no profile named "${values.profile}" (profiles: ${profiles.map((p) => p.name).join(', ') || 'none'})`);
  const { key, info } = await core.invoke('apiServer.issueKey', {
    profileId: profile.id, name: values.name ?? `${profile.name} (CLI)`, scope: values.scope === 'metrics' ? 'metrics' : 'inference',
    ...limits, quotaPeriod: limits.tokenQuota ? 'day' : 'month',
  });
  if (values.json) ctx.out(`${JSON.stringify({ key, info })}\n`);
  else ctx.out(`Key for ${profile.name} (${info.prefix}…, id ${info.id}), limits: ${limitsText(info)}\n  ${key}\n(shown once: copy it now; only its hash is kept)\n`);
  return 0;
}

async function list(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' } });
  const keys = await ctx.openCore().invoke('apiServer.listKeys', {});
  if (values.json) {
    ctx.out(`${JSON.stringify(keys)}\n`);
    return 0;
  }
  if (keys.length === 0) ctx.out('No API keys issued. Issue one with: lamplight api-key issue --profile NAME\n');
  for (const k of keys) {
    const cost = k.monthCost === null ? '' : `, cost this month ${k.monthCost.toFixed(4)}`;
    ctx.out(`${k.id}  ${k.prefix}…  ${k.profileName}  ${k.scope}  created ${when(k.createdAt)}  last used ${when(k.lastUsedAt)}  limits: ${limitsText(k)}  tokens this ${k.quotaPeriod} ${k.periodTokens}${cost}${k.revokedAt ? `  REVOKED ${when(k.revokedAt)}` : ''}\n`);
  }
  return 0;
}

async function revoke(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals } = parseFlags(args, {});
  const ref = positionals[0];
  if (!ref || positionals.length > 1) throw new UsageError('revoke takes one key ID (or prefix), from "lamplight api-key list"');
  const core = ctx.openCore();
  const keys = await core.invoke('apiServer.listKeys', {});
  const matches = keys.filter((k) => k.id === ref || k.prefix === ref.replace(/…$/, ''));
  if (matches.length !== 1) throw new Error(matches.length ? `"${ref}" names ${matches.length} keys; give the ID` : `no API key with ID or prefix "${ref}"`);
  const info = await core.invoke('apiServer.revokeKey', { keyId: (matches[0] as ApiKeyInfo).id });
  ctx.out(`Revoked ${info.prefix}… (${info.profileName}) at ${when(info.revokedAt)}\n`);
  return 0;
}

async function usage(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' } });
  const rows: ApiUsageRow[] = await ctx.openCore().invoke('apiServer.usage', { since: null });
  if (values.json) {
    ctx.out(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) ctx.out('No API requests this month.\n');
  for (const r of rows) {
    const cost = r.cost === null ? 'no price' : `${r.cost.toFixed(4)} ${r.currency ?? ''}`.trim();
    ctx.out(`${(r.prefix ?? 'owner').padEnd(14)} ${r.targetKey}  ${r.requests} requests (${r.errors} errors)  ${r.promptTokens}+${r.completionTokens} tokens  mean ${Math.round(r.meanLatencyMs)} ms  ${cost}\n`);
  }
  return 0;
}

export const apiKeyCommand: Command = {
  summary: "issue, list, revoke per-profile keys of the local API server, and show their usage",
  usage: USAGE,
  async run(ctx) {
    const [sub, ...rest] = ctx.args;
    if (sub === 'issue') return issue(ctx, rest);
    if (sub === 'list') return list(ctx, rest);
    if (sub === 'revoke') return revoke(ctx, rest);
    if (sub === 'usage') return usage(ctx, rest);
    throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'give a subcommand: issue, list, revoke or usage');
  },
};
