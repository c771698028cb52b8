// API keys of the local API server: issued per profile (only a hash kept), revoked, limited per minute, with
// a token quota per day or month and a monthly budget priced from the target's cost profile ('api' kind:
// price per 1M input and output tokens). Every request's usage is one SQLite row per key and target.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiBudgetAlert, ApiKeyInfo, ApiUsageRow } from '../../shared/apiServer.schema';
import { CostProfile } from '../../shared/bench.schema';
import { ulid } from '../../shared/ids';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';

export type IssueKeyInput = Pick<ApiKeyInfo, 'profileId' | 'name' | 'scope' | 'ratePerMinute' | 'tokenQuota' | 'quotaPeriod' | 'budgetPerMonth'>;

export interface KeyRow {
  id: string;
  profile_id: string;
  profile_name: string;
  name: string;
  prefix: string;
  scope: 'inference' | 'metrics';
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  rate_per_minute: number | null;
  token_quota: number | null;
  quota_period: 'day' | 'month';
  budget_per_month: number | null;
  budget_alerted: string | null;
}

/** The key a request authenticated with: null id is the server's start key (the owner's, no limits). */
export interface KeyIdentity {
  id: string | null;
  prefix: string;
  profileId: string | null;
  scope: 'inference' | 'metrics';
}

export interface Usage {
  targetKey: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

const hashOf = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const SELECT = `SELECT k.*, p.name AS profile_name FROM api_keys k JOIN profiles p ON p.id = k.profile_id`;

export function periodStart(period: 'day' | 'month', now: number): number {
  const d = new Date(now);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

const monthName = (now: number) => new Date(now).toISOString().slice(0, 7);

export class ApiKeys {
  /** Request times in the last minute per key id, for the rate limit (in memory: a restart forgives). */
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly deps: { db: Db; now?: () => number }) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private row(id: string): KeyRow {
    const r = this.deps.db.prepare<[string], KeyRow>(`${SELECT} WHERE k.id = ?`).get(id);
    if (!r) throw new CoreError('NOT_FOUND', `keyId: no API key ${id}`);
    return r;
  }

  private info(r: KeyRow): ApiKeyInfo {
    const now = this.now();
    return {
      id: r.id,
      prefix: r.prefix,
      name: r.name,
      profileId: r.profile_id,
      profileName: r.profile_name,
      scope: r.scope,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
      ratePerMinute: r.rate_per_minute,
      tokenQuota: r.token_quota,
      quotaPeriod: r.quota_period,
      budgetPerMonth: r.budget_per_month,
      periodTokens: this.tokensSince(r.id, periodStart(r.quota_period, now)),
      monthCost: this.costSince(r.id, periodStart('month', now)),
    };
  }

  issue(input: IssueKeyInput): { key: string; info: ApiKeyInfo } {
    const exists = this.deps.db.prepare<[string], { id: string }>('SELECT id FROM profiles WHERE id = ?').get(input.profileId);
    if (!exists) throw new CoreError('NOT_FOUND', `profileId: no profile ${input.profileId}`);
    const key = `llk-${randomBytes(24).toString('base64url')}`;
    const id = ulid();
    this.deps.db
      .prepare(
        `INSERT INTO api_keys (id, profile_id, name, prefix, key_hash, scope, created_at, rate_per_minute, token_quota, quota_period, budget_per_month)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.profileId, input.name, key.slice(0, 10), hashOf(key), input.scope, this.now(), input.ratePerMinute, input.tokenQuota, input.quotaPeriod, input.budgetPerMonth);
    return { key, info: this.info(this.row(id)) };
  }

  list(): ApiKeyInfo[] {
    return this.deps.db.prepare<[], KeyRow>(`${SELECT} ORDER BY k.created_at DESC, k.id`).all().map((r) => this.info(r));
  }

  revoke(id: string): ApiKeyInfo {
    this.row(id);
    this.deps.db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(this.now(), id);
    this.recent.delete(id);
    return this.info(this.row(id));
  }

  /** The unrevoked key with this secret, or null. */
  find(key: string): (KeyIdentity & { row: KeyRow }) | null {
    const r = this.deps.db.prepare<[string], KeyRow>(`${SELECT} WHERE k.key_hash = ? AND k.revoked_at IS NULL`).get(hashOf(key));
    return r ? { id: r.id, prefix: r.prefix, profileId: r.profile_id, scope: r.scope, row: r } : null;
  }

  /** Why this key may not make a request now (rate, quota, budget), or null; counts it when allowed. */
  admit(r: KeyRow): { status: 429; code: string; message: string; retryAfterS?: number } | null {
    const now = this.now();
    if (r.rate_per_minute !== null) {
      const times = (this.recent.get(r.id) ?? []).filter((t) => t > now - 60_000);
      this.recent.set(r.id, times);
      if (times.length >= r.rate_per_minute) {
        const retryAfterS = Math.max(1, Math.ceil(((times[0] as number) + 60_000 - now) / 1000));
        return { status: 429, code: 'rate_limit_exceeded', message: `Rate limit reached for key ${r.prefix}…: ${r.rate_per_minute} requests per minute.`, retryAfterS };
      }
      times.push(now);
    }
    if (r.token_quota !== null && this.tokensSince(r.id, periodStart(r.quota_period, now)) >= r.token_quota) {
      return { status: 429, code: 'insufficient_quota', message: `Key ${r.prefix}… has used its quota of ${r.token_quota} tokens this ${r.quota_period}.` };
    }
    if (r.budget_per_month !== null && (this.costSince(r.id, periodStart('month', now)) ?? 0) >= r.budget_per_month) {
      return { status: 429, code: 'insufficient_quota', message: `Key ${r.prefix}… has spent its monthly budget of ${r.budget_per_month}.` };
    }
    return null;
  }

  /** Stores one request's usage, priced from the target's cost profile; returns a budget alert to send, if due. */
  record(key: KeyIdentity, u: Usage): ApiBudgetAlert | null {
    const now = this.now();
    const price = this.price(u.targetKey);
    const cost = price ? (u.promptTokens * price.inputPer1M + u.completionTokens * price.outputPer1M) / 1e6 : null;
    const db = this.deps.db;
    db.prepare(
      'INSERT INTO api_usage (key_id, target_key, at, status, prompt_tokens, completion_tokens, latency_ms, cost, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(key.id, u.targetKey, now, u.status, u.promptTokens, u.completionTokens, u.latencyMs, cost, price?.currency ?? null);
    if (key.id === null) return null;
    db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, key.id);
    const r = this.row(key.id);
    if (r.budget_per_month === null || r.budget_alerted === monthName(now)) return null;
    const spent = this.costSince(r.id, periodStart('month', now)) ?? 0;
    if (spent < 0.8 * r.budget_per_month) return null;
    db.prepare('UPDATE api_keys SET budget_alerted = ? WHERE id = ?').run(monthName(now), r.id);
    return { keyId: r.id, prefix: r.prefix, profileId: r.profile_id, spent, budget: r.budget_per_month, currency: price?.currency ?? '$', fraction: spent / r.budget_per_month };
  }

  usage(since: number | null): ApiUsageRow[] {
    const from = since ?? periodStart('month', this.now());
    type R = { key_id: string | null; prefix: string | null; target_key: string; requests: number; errors: number; prompt: number; completion: number; latency: number; cost: number | null; currency: string | null };
    return this.deps.db
      .prepare<[number], R>(
        `SELECT u.key_id, k.prefix, u.target_key, count(*) AS requests, sum(u.status >= 400) AS errors, sum(u.prompt_tokens) AS prompt,
                sum(u.completion_tokens) AS completion, avg(u.latency_ms) AS latency, sum(u.cost) AS cost, max(u.currency) AS currency
         FROM api_usage u LEFT JOIN api_keys k ON k.id = u.key_id WHERE u.at >= ? GROUP BY u.key_id, u.target_key ORDER BY requests DESC`,
      )
      .all(from)
      .map((r) => ({ keyId: r.key_id, prefix: r.prefix, targetKey: r.target_key, requests: r.requests, errors: r.errors, promptTokens: r.prompt, completionTokens: r.completion, meanLatencyMs: r.latency, cost: r.cost, currency: r.currency }));
  }

  private tokensSince(id: string, from: number): number {
    return this.deps.db.prepare<[string, number], { n: number }>('SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS n FROM api_usage WHERE key_id = ? AND at >= ?').get(id, from)?.n ?? 0;
  }

  private costSince(id: string, from: number): number | null {
    return this.deps.db.prepare<[string, number], { c: number | null }>('SELECT sum(cost) AS c FROM api_usage WHERE key_id = ? AND at >= ?').get(id, from)?.c ?? null;
  }

  /** Per-token prices from the target's cost profile (bench's cost_profiles); hardware profiles have none. */
  private price(targetKey: string): { inputPer1M: number; outputPer1M: number; currency: string } | null {
    const r = this.deps.db.prepare<[string], { profile_json: string }>('SELECT profile_json FROM cost_profiles WHERE target_key = ?').get(targetKey);
    if (!r) return null;
    const p = CostProfile.safeParse(JSON.parse(r.profile_json));
    return p.success && p.data.kind === 'api' ? { inputPer1M: p.data.inputPer1M, outputPer1M: p.data.outputPer1M, currency: p.data.currency } : null;
  }
}
