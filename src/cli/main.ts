// `lamplight` — headless commands over createCore(). Every command has --help, clear errors, and a
// non-zero exit code on failure (1: the command failed, 2: it was called wrongly).
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createCore, type Core } from '../core/createCore';
import { resolveDataDir } from '../core/dataDir';
import { CoreError } from '../core/errors';
import { serveCommand } from './serve';
import { serveApiCommand } from './serveApi';
import { apiKeyCommand } from './apiKey';
import { modelsCommand } from './models';
import { runCommand } from './run';
import { fixturesCommand } from './fixtures';
import { scoreCommand } from './score';
import { evalCommand } from './eval';
import { datasetCommand } from './dataset';
import { adapterCommand } from './adapter';
import { benchCommand } from './bench';
import { piiCommand } from './pii';
import { imageCommand } from './image';
import { auditCommand } from './audit';
import { engineCommand } from './engine';
import { backupCommand, restoreCommand } from './backup';

export class UsageError extends Error {}

export interface CliContext {
  args: string[];
  dataDir: string;
  version: string;
  out: (s: string) => void;
  err: (s: string) => void;
  openCore(): Core;
}

export interface Command {
  summary: string;
  usage: string;
  run(ctx: CliContext): Promise<number>;
}

const commands: Record<string, Command> = {
  serve: serveCommand,
  'serve-api': serveApiCommand,
  'api-key': apiKeyCommand,
  models: modelsCommand,
  run: runCommand,
  fixtures: fixturesCommand,
  score: scoreCommand,
  eval: evalCommand,
  dataset: datasetCommand,
  adapter: adapterCommand,
  bench: benchCommand,
  pii: piiCommand,
  image: imageCommand,
  audit: auditCommand,
  engine: engineCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: lamplight [--data-dir DIR] <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  --data-dir DIR   where lamplight.db lives (default: $LAMPLIGHT_DATA_DIR, else the app\'s data folder)',
    '  --server-bin P   the llama-server binary for vision models (Settings\' choice wins; else PATH, else the built one)',
    '  --help           show help (also after a command: lamplight run --help)',
    '  --version        print the version',
  ].join('\n');
}

/** Parses a command's own flags; unknown flags are a usage error that names the flag. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export type CliIo = Pick<CliContext, 'out' | 'err'>;

const stdio: CliIo = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
};

/** Removes `--flag V` or `--flag=V` from args (a global flag given after the command) and returns V. */
function takeFlag(args: string[], flag: string): string | undefined {
  const idx = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (idx < 0) return undefined;
  const a = args[idx] as string;
  if (a === flag) return args.splice(idx, 2)[1];
  args.splice(idx, 1);
  return a.slice(flag.length + 1);
}

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  // Global flags come before the command name.
  let dataDirFlag: string | undefined;
  let serverBinFlag: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--data-dir') dataDirFlag = argv[++i];
    else if (a.startsWith('--data-dir=')) dataDirFlag = a.slice('--data-dir='.length);
    else if (a === '--server-bin') serverBinFlag = argv[++i];
    else if (a.startsWith('--server-bin=')) serverBinFlag = a.slice('--server-bin='.length);
    else break;
  }
  const name = argv[i];
  const rest = argv.slice(i + 1);
  serverBinFlag = takeFlag(rest, '--server-bin') ?? serverBinFlag;
  // --data-dir is also accepted after the command (npm run serve -- --data-dir D).
  const idx = rest.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  if (idx >= 0) {
    const a = rest[idx] as string;
    if (a === '--data-dir') {
      dataDirFlag = rest[idx + 1];
      rest.splice(idx, 2);
    } else {
      dataDirFlag = a.slice('--data-dir='.length);
      rest.splice(idx, 1);
    }
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(version() + '\n');
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    io.err(`lamplight: unknown command "${name}"\n\n${mainHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${cmd.usage}\n`);
    return 0;
  }
  const dataDir = resolveDataDir(dataDirFlag);
  let core: Core | null = null;
  const ctx: CliContext = {
    args: rest,
    dataDir,
    version: version(),
    out: io.out,
    err: io.err,
    openCore: () => (core ??= createCore({ dataDir, version: version(), transport: 'browser-host', serverBin: serverBinFlag ? resolvePath(serverBinFlag) : null })),
  };
  try {
    return await cmd.run(ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`lamplight ${name}: ${e.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    const msg = e instanceof CoreError || e instanceof Error ? e.message : String(e);
    io.err(`lamplight ${name}: ${msg}\n`);
    return 1;
  } finally {
    const c = core as Core | null;
    // The serve commands run until a signal and close the core themselves.
    if (c && name !== 'serve' && name !== 'serve-api') await c.close();
  }
}
