import { describe, expect, it } from 'vitest';
import { LineSplitter, LogTail, parseProgress } from './trainingLog';
import { TrainingRunner, type RunnerUpdate } from './trainingRunner';

describe('parseProgress', () => {
  it('reads the HF Trainer logging dict, LLaMA-Factory trainer_log lines and the tqdm training bar', () => {
    expect(parseProgress("{'loss': 1.2345, 'grad_norm': 0.81, 'learning_rate': 0.0002, 'epoch': 0.5}")).toEqual({ loss: 1.2345, epoch: 0.5 });
    // Newer transformers print the values as strings.
    expect(parseProgress("{'loss': '0.9876', 'epoch': '1.25'}")).toEqual({ loss: 0.9876, epoch: 1.25 });
    expect(parseProgress('{"current_steps": 10, "total_steps": 100, "loss": 2.5e-1, "lr": 1e-4, "epoch": 0.33, "percentage": 10.0}')).toEqual({ step: 10, totalSteps: 100, loss: 0.25, epoch: 0.33 });
    expect(parseProgress('  3%|▎         | 37/1200 [00:10<05:00,  3.87it/s]')).toEqual({ step: 37, totalSteps: 1200 });
    expect(parseProgress('  37/120 [00:10<00:30, 1.2it/s]')).toEqual({ step: 37, totalSteps: 120 });
  });

  it('ignores bars of other work, summary losses and plain text', () => {
    expect(parseProgress('Map: 100%|██████████| 500/500 [00:00<00:00, 9000 examples/s]')).toEqual({});
    expect(parseProgress('Loading checkpoint shards:  50%|█████     | 1/2 [00:01<00:01]')).toEqual({});
    expect(parseProgress("{'train_runtime': 12.3, 'train_loss': 1.1, 'epoch': 3.0}")).toEqual({ epoch: 3 });
    expect(parseProgress("{'eval_loss': 0.7}")).toEqual({});
    expect(parseProgress("{'loss': nan, 'epoch': 1.0}")).toEqual({ epoch: 1 });
    expect(parseProgress('Saving model checkpoint to adapter/hf/checkpoint-500')).toEqual({});
  });
});

describe('LineSplitter and LogTail', () => {
  it('splits on \\n, \\r\\n and \\r across chunks, and marks \\r redraws', () => {
    const s = new LineSplitter();
    expect(s.push('one\r\ntw')).toEqual([{ text: 'one', redraw: false }]);
    expect(s.push('o\n 1/3 [\r')).toEqual([{ text: 'two', redraw: false }]);
    expect(s.push(' 2/3 [\r 3/3 [\nlast')).toEqual([
      { text: ' 1/3 [', redraw: true },
      { text: ' 2/3 [', redraw: true },
      { text: ' 3/3 [', redraw: false },
    ]);
    expect(s.flush()).toEqual([{ text: 'last', redraw: false }]);
    // Multi-byte characters split between chunks survive.
    const bytes = Buffer.from('损失\n');
    expect(s.push(bytes.subarray(0, 4))).toEqual([]);
    expect(s.push(bytes.subarray(4))).toEqual([{ text: '损失', redraw: false }]);
  });

  it('keeps the last lines, a redraw replacing the redraw before it', () => {
    const t = new LogTail(3);
    for (const text of ['a', 'b']) t.add({ text, redraw: false });
    t.add({ text: '1/3', redraw: true });
    t.add({ text: '2/3', redraw: true });
    t.add({ text: '3/3', redraw: false });
    expect(t.texts()).toEqual(['a', 'b', '3/3']);
    t.add({ text: 'c', redraw: false });
    expect(t.texts()).toEqual(['b', '3/3', 'c']);
  });
});

describe('TrainingRunner', () => {
  it('sends SIGKILL to a command that ignores SIGTERM', async () => {
    const updates: RunnerUpdate[] = [];
    const r = new TrainingRunner({ command: 'trap "" TERM; echo ready; sleep 30; echo never', cwd: process.cwd(), killAfterMs: 300, flushMs: 20, onUpdate: (u) => updates.push(u) });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (updates.some((u) => u.lines.includes('ready'))) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    const t0 = Date.now();
    r.cancel();
    const exit = await r.exited;
    expect(exit).toMatchObject({ cancelled: true, signal: 'SIGKILL' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(r.lastLines(5)).toEqual(['ready']);
  });

  it('reports the exit code of a command that fails', async () => {
    const r = new TrainingRunner({ command: 'echo oops >&2; exit 7', cwd: process.cwd(), onUpdate: () => undefined });
    expect(await r.exited).toEqual({ code: 7, signal: null, cancelled: false, spawnError: null });
    expect(r.lastLines(1)).toEqual(['oops']);
  });
});
