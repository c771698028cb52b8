// `lamplight audit` — check the hash chain (exit 1 when broken, so it can run from cron or CI), list records
// with filters, export them as JSONL.
import { AuditFilter, AuditKind, type AuditRecord } from '../shared/guard.schema';
import { parseFlags, UsageError, type Command } from './main';

const OUTCOMES = AuditFilter.shape.outcome.unwrap().options;

/** An ISO date/time or epoch milliseconds. */
function time(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be an ISO date/time (2026-11-23 or 2026-11-23T09:30) or epoch milliseconds, got "${v}"`);
  return n;
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function filterFrom(values: Record<string, string | boolean | undefined>): AuditFilter {
  const s = (k: string) => values[k] as string | undefined;
  const kind = s('kind');
  if (kind !== undefined && !(AuditKind.options as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of: ${AuditKind.options.join(', ')}`);
  const outcome = s('outcome');
  if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome)) throw new UsageError(`--outcome must be one of: ${OUTCOMES.join(', ')}`);
  const f = { kind, path: s('path'), profileId: s('profile'), target: s('target'), outcome, from: time('from', s('from')), to: time('to', s('to')) };
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as AuditFilter;
}

function line(r: AuditRecord): string {
  const t = r.target ? (r.target.kind === 'local' ? r.target.modelName : `${r.target.targetName}/${r.target.model}`) : '-';
  const pii = r.pii && Object.keys(r.pii.counts).length ? ` pii:${r.pii.action}(${Object.entries(r.pii.counts).map(([k, n]) => `${n} ${k}`).join(', ')})` : '';
  const end = r.error ? ` error: ${r.error}` : r.finishReason ? ` ${r.finishReason}` : '';
  const tokens = r.promptTokens !== null || r.completionTokens !== null ? ` ${r.promptTokens ?? '?'}+${r.completionTokens ?? '?'} tok` : '';
  return `${String(r.seq).padStart(6)}  ${new Date(r.startedAt).toISOString()}  ${r.kind.padEnd(7)} ${r.path.padEnd(12)} ${r.profileName}  ${t}${tokens}${pii}${end}${r.decisions.length ? `  [${r.decisions.join('; ')}]` : ''}`;
}

export const auditCommand: Command = {
  summary: 'verify, list and export the audit log',
  usage: [
    'Usage: lamplight audit verify [--json]',
    '       lamplight audit list [--limit N] [--before SEQ] [FILTERS] [--json]',
    '       lamplight audit export FILE [FILTERS]',
    '',
    'FILTERS: --kind ai_call|denied|policy|profile  --path PATH (playground, eval, api…)  --profile ID',
    '         --target TEXT (part of a model name, target name or endpoint)',
    '         --outcome error|cancelled|masked|blocked|flagged  --from TIME  --to TIME (ISO or epoch ms)',
    '',
    'verify checks every record\'s hash and link and the HMAC-signed checkpoint of the head; it names the',
    'first broken record and exits 1 when the log was altered. list prints newest first (default 50).',
    'export writes one record per line, oldest first, as JSON.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, {
      json: { type: 'boolean' },
      limit: { type: 'string' },
      before: { type: 'string' },
      kind: { type: 'string' },
      path: { type: 'string' },
      profile: { type: 'string' },
      target: { type: 'string' },
      outcome: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    });
    const [sub, arg, extra] = positionals;
    if (sub !== 'verify' && sub !== 'list' && sub !== 'export') {
      throw new UsageError(sub ? `unknown subcommand "audit ${sub}"` : 'audit needs a subcommand: verify, list or export');
    }
    if (sub === 'export' ? extra !== undefined : arg !== undefined) throw new UsageError(`unexpected argument "${sub === 'export' ? extra : arg}"`);
    const filter = filterFrom(values);
    const limit = int('limit', values.limit, 1, 1000) ?? 50;
    const beforeSeq = int('before', values.before, 1, Number.MAX_SAFE_INTEGER);
    if (sub === 'export' && !arg) throw new UsageError('audit export needs a FILE');
    const core = ctx.openCore();
    try {
      switch (sub) {
        case 'verify': {
          const v = await core.invoke('audit.verify', {});
          if (values.json) ctx.out(JSON.stringify(v, null, 2) + '\n');
          else if (v.ok) ctx.out(`audit log OK: ${v.message}\n`);
          else ctx.err(`audit log BROKEN: ${v.message}\n`);
          return v.ok ? 0 : 1;
        }
        case 'list': {
          const r = await core.invoke('audit.list', { filter, limit, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
          if (values.json) ctx.out(JSON.stringify(r, null, 2) + '\n');
          else if (r.total === 0) ctx.out('No audit records match.\n');
          else {
            for (const rec of r.records) ctx.out(line(rec) + '\n');
            const last = r.records.at(-1);
            if (last && last.seq > 1 && r.records.length === limit) ctx.out(`(${r.total} matching in all; older: --before ${last.seq})\n`);
          }
          return 0;
        }
        case 'export': {
          const r = await core.invoke('audit.export', { path: arg as string, filter });
          ctx.out(`${r.count} records written to ${r.path}\n`);
          return 0;
        }
      }
    } finally {
      await core.close();
    }
  },
};
