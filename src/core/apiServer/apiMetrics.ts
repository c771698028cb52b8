// Prometheus metrics of the local API server, in the text exposition format (version 0.0.4): requests and
// tokens per key, a request-latency histogram, and the generations in flight and waiting for a sequence.
// Counters live in memory since the server started, as Prometheus expects of a process's counters.

/** Latency bucket bounds in seconds (cumulative `le` buckets, +Inf added). */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class ApiMetrics {
  private readonly requests = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private readonly buckets = BUCKETS.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;

  private add(m: Map<string, number>, k: string, n: number): void {
    m.set(k, (m.get(k) ?? 0) + n);
  }

  observe(key: string, status: number, promptTokens: number, completionTokens: number, latencyMs: number): void {
    this.add(this.requests, `key="${label(key)}",status="${status}"`, 1);
    this.add(this.tokens, `key="${label(key)}",kind="prompt"`, promptTokens);
    this.add(this.tokens, `key="${label(key)}",kind="completion"`, completionTokens);
    const s = latencyMs / 1000;
    BUCKETS.forEach((b, i) => {
      if (s <= b) this.buckets[i] = (this.buckets[i] as number) + 1;
    });
    this.latencyCount++;
    this.latencySum += s;
  }

  /** The exposition text; `inFlight` generations running, `parallel` sequences (more than that wait). */
  render(inFlight: number, parallel: number): string {
    const out: string[] = [];
    const series = (name: string, help: string, type: string, rows: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of rows) out.push(`${name}${labels ? `{${labels}}` : ''} ${v}`);
    };
    series('lamplight_api_requests_total', 'Requests answered, by API key prefix and HTTP status.', 'counter', [...this.requests]);
    series('lamplight_api_tokens_total', 'Prompt and completion tokens, by API key prefix.', 'counter', [...this.tokens]);
    out.push('# HELP lamplight_api_request_duration_seconds Request latency, first byte in to last byte out.', '# TYPE lamplight_api_request_duration_seconds histogram');
    BUCKETS.forEach((b, i) => out.push(`lamplight_api_request_duration_seconds_bucket{le="${b}"} ${this.buckets[i]}`));
    out.push(`lamplight_api_request_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    out.push(`lamplight_api_request_duration_seconds_sum ${this.latencySum}`, `lamplight_api_request_duration_seconds_count ${this.latencyCount}`);
    series('lamplight_api_inflight_requests', 'Generations running or waiting now.', 'gauge', [['', inFlight]]);
    series('lamplight_api_queue_depth', 'Generations waiting for a free sequence now.', 'gauge', [['', Math.max(0, inFlight - parallel)]]);
    return `${out.join('\n')}\n`;
  }
}
