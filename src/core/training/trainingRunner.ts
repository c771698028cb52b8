// One training command as a child process: `bash -lc <command>` in the package folder (an ssh command
// works the same way), its output read as log lines and progress, batched for the UI, and a cancel that
// takes down the whole process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { CONVERT_MARKER } from './packageFiles';
import { LineSplitter, LogTail, parseProgress, type LogLine } from './trainingLog';

export interface RunnerUpdate {
  /** Lines since the last update (progress-bar redraws collapsed to the latest). */
  lines: string[];
  tail: string[];
  step: number | null;
  totalSteps: number | null;
  epoch: number | null;
  loss: number | null;
  /** The conversion step (scripts/convert.sh) has started. */
  converting: boolean;
}

export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  /** The command could not be started at all. */
  spawnError: string | null;
}

export interface RunnerOptions {
  command: string;
  cwd: string;
  onUpdate(u: RunnerUpdate): void;
  flushMs?: number;
  tailLines?: number;
  /** After SIGTERM, how long the process group gets before SIGKILL. */
  killAfterMs?: number;
}

export class TrainingRunner {
  readonly exited: Promise<RunnerExit>;
  private readonly child: ChildProcess;
  private readonly tail: LogTail;
  private pending: LogLine[] = [];
  private dirty = false;
  private cancelled = false;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly progress = { step: null as number | null, totalSteps: null as number | null, epoch: null as number | null, loss: null as number | null, converting: false };

  constructor(private readonly opts: RunnerOptions) {
    this.tail = new LogTail(opts.tailLines ?? 200);
    // detached: the command leads its own process group, so a cancel reaches everything it started.
    this.child = spawn('bash', ['-lc', opts.command], { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = new LineSplitter();
    const err = new LineSplitter();
    this.child.stdout?.on('data', (c: Buffer) => this.take(out.push(c)));
    this.child.stderr?.on('data', (c: Buffer) => this.take(err.push(c)));
    const timer = setInterval(() => this.flush(), opts.flushMs ?? 250);
    this.exited = new Promise((resolve) => {
      let spawnError: string | null = null;
      this.child.on('error', (e) => {
        spawnError = e.message;
      });
      this.child.on('close', (code, signal) => {
        clearInterval(timer);
        if (this.killTimer) clearTimeout(this.killTimer);
        this.take([...out.flush(), ...err.flush()]);
        this.flush();
        resolve({ code, signal, cancelled: this.cancelled, spawnError });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to the process group, SIGKILL if it is still there after killAfterMs. */
  cancel(): void {
    if (this.cancelled || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.cancelled = true;
    this.signalGroup('SIGTERM');
    this.killTimer = setTimeout(() => this.signalGroup('SIGKILL'), this.opts.killAfterMs ?? 5000);
  }

  lastLines(n: number): string[] {
    return this.tail.texts().slice(-n);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  private take(lines: LogLine[]): void {
    for (const line of lines) {
      const p = parseProgress(line.text);
      if (p.step !== undefined) this.progress.step = p.step;
      if (p.totalSteps !== undefined) this.progress.totalSteps = p.totalSteps;
      if (p.epoch !== undefined) this.progress.epoch = p.epoch;
      if (p.loss !== undefined) this.progress.loss = p.loss;
      if (line.text.includes(CONVERT_MARKER)) this.progress.converting = true;
      this.tail.add(line);
      const last = this.pending.at(-1);
      if (last?.redraw) this.pending[this.pending.length - 1] = line;
      else this.pending.push(line);
      this.dirty = true;
    }
  }

  private flush(): void {
    if (!this.dirty) return;
    const lines = this.pending.map((l) => l.text);
    this.pending = [];
    this.dirty = false;
    this.opts.onUpdate({ lines, tail: this.tail.texts(), ...this.progress });
  }
}
