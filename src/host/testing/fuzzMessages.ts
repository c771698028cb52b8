// Seeded WebSocket messages for the host's fuzz test: valid command names with garbage inputs, wrong
// types for id/name/input, mutated JSON, binary, deep nesting, big and oversize frames.
import { commandNames, commands, type CommandName } from '../../shared/contract';
import { Gen, mutate } from './fuzzInputs';

/**
 * Commands that reach past the database (network, child processes, files at a given path, model loads).
 * Garbage that happens to parse for one of these is replaced by input that cannot: the fuzz tests the
 * host, not what these do with valid input, and it must stay on loopback and in its temp folder.
 */
const REACHES_OUT = new Set<string>([
  'models.scan', 'models.download', 'models.add', 'engine.load', 'engine.restart', 'apiServer.start',
  'targets.check', 'targets.loadLora', 'targets.unloadLora', 'training.start', 'training.package', 'bench.start',
  'evals.start', 'compare.start', 'runs.start', 'datasets.import', 'testsets.import', 'datasets.export',
  'testsets.exportJsonl', 'evals.export', 'bench.export', 'audit.export', 'datasets.draft', 'adapters.add',
  'adapters.check', 'datasets.preview', 'testsets.preview',
  'vision.load', 'vision.restart', 'vision.buildServer', 'vision.setServerBinary', 'vision.projectorInfo',
  // Not outward, but a success ends the fuzzing socket's own access (its owner token is replaced).
  'profiles.rotateLaunchToken',
]);

const FIELDS = ['path', 'dir', 'modelId', 'runId', 'targetId', 'limit', 'before', 'name', 'role', 'profileId', 'promptId', 'datasetId', 'testSetId', 'evalId', 'rowId', 'text', 'settings', 'patch', 'labelerId', 'baseUrls', 'messages', '__proto__', 'constructor', 'toString'];
const ID_LIKE = ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '', 'nope', '../../etc/passwd', '%E0', '\u0000', 'x'.repeat(5000)];

export function randomValue(g: Gen, depth: number): unknown {
  switch (g.int(depth > 0 ? 10 : 7)) {
    case 0:
      return null;
    case 1:
      return g.chance(0.5);
    case 2:
      return g.pick([0, -1, 1, 1.5, -0, 2 ** 53 + 2, 1e308, -1e308, 4e54, 1000, 2 ** 31]);
    case 3:
      return g.pick(ID_LIKE);
    case 4:
      return g.word(g.int(30));
    case 5:
      return mutate(g, g.pick(['/tmp/x.gguf', 'hf:user/repo/f.gguf', 'labeler', 'admin', '{{var}}', 'http://127.0.0.1:9/v1']));
    case 6:
      return g.pick(['', 'é文😀', '\ud800', '<script>alert(1)</script>']);
    case 7:
    case 8: {
      const o: Record<string, unknown> = {};
      for (let i = g.int(5); i > 0; i--) o[g.chance(0.8) ? g.pick(FIELDS) : g.word(1 + g.int(10))] = randomValue(g, depth - 1);
      return o;
    }
    default:
      return Array.from({ length: g.int(5) }, () => randomValue(g, depth - 1));
  }
}

export interface WsCase {
  kind: string;
  data: string | Buffer;
  binary: boolean;
  /** The host must answer it with exactly one reply; otherwise it closes the socket (a protocol error). */
  replies: boolean;
}

function deep(n: number, open: string, close: string): string {
  return open.repeat(n) + close.repeat(n);
}

/** Input for `name` that its schema refuses, when the garbage would have passed for a command that reaches out. */
function safeInput(name: string, input: unknown): unknown | undefined {
  if (!REACHES_OUT.has(name)) return input;
  const schema = commands[name as CommandName].input;
  if (!schema.safeParse(input ?? {}).success) return input;
  return schema.safeParse(42).success ? undefined : 42;
}

let nextId = 1;

export function wsCase(g: Gen): WsCase | null {
  const id = nextId++;
  const text = (v: unknown, kind: string): WsCase => ({ kind, data: JSON.stringify(v), binary: false, replies: true });
  const roll = g.int(100);
  if (roll < 35) {
    const name = g.pick(commandNames);
    const input = safeInput(name, g.chance(0.1) ? undefined : randomValue(g, 3));
    return input === undefined && REACHES_OUT.has(name) ? null : text({ id, name, input }, 'command-garbage');
  }
  if (roll < 45) {
    const name = g.pick(commandNames);
    const input = safeInput(name, { [g.pick(FIELDS)]: randomValue(g, 2), [g.pick(FIELDS)]: randomValue(g, 1) });
    return input === undefined ? null : text({ id, name, input }, 'command-fields');
  }
  if (roll < 60) {
    const shapes: unknown[] = [
      null, 5, 'app.info', [], true, {}, { id: {}, name: 'app.info' }, { id: [1, 2], name: 'app.info' },
      { id: 'x'.repeat(10_000), name: 'app.info' }, { id: 1e308, name: 'engine.status' }, { id: -0, name: 'app.info' },
      { id, name: ['app.info'] }, { id, name: 'a'.repeat(1000) }, { id, name: null }, { id, name: 5 }, { id, name: {} },
      { id, name: 'app.info', input: 'string' }, { id, name: 'app.info', input: [] }, { id, name: 'app.info', input: null },
      { id: true, name: 'session.whoami' }, { id: null, name: 'runs.list', input: { limit: 1e9 } }, { name: 'engine.status' },
    ];
    return text(g.pick(shapes), 'wrong-shape');
  }
  if (roll < 68) {
    const name = g.pick(['', ' app.info', 'APP.INFO', 'app.info\u0000', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', g.word(1 + g.int(20)), mutate(g, g.pick(commandNames))]);
    return text({ id, name, input: randomValue(g, 2) }, 'random-name');
  }
  if (roll < 85) {
    const base = JSON.stringify({ id, name: g.pick(commandNames), input: randomValue(g, 2) });
    return { kind: 'mutated-json', data: mutate(g, base, 1 + g.int(4)), binary: false, replies: true };
  }
  if (roll < 89) {
    const n = g.pick([101, 1000, 100_000, 200_000]);
    const where = g.pick([
      `{"id":${id},"name":"app.info","input":${deep(n, '[', ']')}}`,
      `{"id":${deep(n, '[', ']')},"name":"app.info"}`,
      `{"id":${id},"name":"runs.list","input":${deep(n, '{"a":', '}').replace(/\{"a":\}/, '1')}}`,
      '['.repeat(n),
      `{"id":${id},"name":"app.info","input":"${'['.repeat(n)}"}`, // brackets inside a string do not nest
    ]);
    return { kind: 'deep', data: where, binary: false, replies: true };
  }
  if (roll < 91) {
    const size = (1 + g.int(8)) << 18; // 256 KiB – 2 MiB
    return text({ id, name: g.pick(['profiles.create', 'prompts.create', 'app.info', 'datasets.rename']), input: { path: 'p'.repeat(size), name: 'n'.repeat(size >> 2) } }, 'big');
  }
  if (roll < 97) {
    const data = g.chance(0.5) ? Buffer.from(g.bytes(1 + g.int(500)), 'latin1') : Buffer.from(JSON.stringify({ id, name: 'app.info' }));
    return { kind: 'binary', data, binary: true, replies: true };
  }
  // The rest close the socket: a frame over the 16 MiB limit, and a text frame that is not UTF-8.
  if (g.chance(0.1)) return { kind: 'oversize', data: Buffer.alloc((16 << 20) + 1, 0x20), binary: false, replies: false };
  return { kind: 'invalid-utf8', data: Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]), binary: false, replies: false };
}
