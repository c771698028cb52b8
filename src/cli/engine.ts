import { buildLlamaServer, builtServer, CPU_VARIANTS, llamaSource, SERVER_BACKENDS, type CpuVariant, type ServerBackend } from '../core/llamaServer/buildServer';
import { engineGpuBackend } from '../core/vision/serverBinary';
import { parseFlags, UsageError, type Command } from './main';

export const engineCommand: Command = {
  summary: "build llama.cpp's llama-server from the source node-llama-cpp ships",
  usage: [
    'Usage: lamplight engine build-server [--gpu auto|cpu|cuda|vulkan|metal] [--cpu portable|avx512] [--jobs N] [--json]',
    '       lamplight engine server-path [--gpu BACKEND] [--cpu VARIANT]',
    '       lamplight [--server-bin PATH] engine vision-binary [--json]',
    '',
    "Builds llama.cpp's own OpenAI-compatible server from node-llama-cpp's bundled source (the same llama.cpp",
    'the engine runs), once per source and backend, into $LAMPLIGHT_CACHE_DIR (default ~/.cache/lamplight).',
    'Needs git, cmake and a C++ compiler; ~5 minutes on 2 CPU cores. A second call finds it cached.',
    'Ctrl-C cancels. server-path prints the built binary, or exits 1 when it has not been built.',
    '',
    '  --gpu BACKEND   cpu (default), cuda, vulkan or metal (needs that toolkit installed); auto = the GPU',
    "                  backend node-llama-cpp uses here (cpu when none), so both engines run alike",
    'vision-binary prints the llama-server vision models will use and where it came from (Settings,',
    '--server-bin, PATH or the built one), or exits 1 saying how to get one.',
    '  --cpu VARIANT   CPU kernels: portable (AVX2, default) or avx512 (the AVX-512 kernels',
    "                  node-llama-cpp's own engine runs on such CPUs: for like-for-like speed comparisons)",
    '  --jobs N        parallel compile jobs (default: every core)',
    '  --json          print {"binary","backend","commit","cached","seconds"} when done',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, { gpu: { type: 'string' }, cpu: { type: 'string' }, jobs: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals[0] === 'vision-binary') {
      const st = await ctx.openCore().invoke('vision.status', {});
      if (!st.binary) {
        ctx.err(`${st.binaryError ?? 'No llama-server found for vision models.'}\n`);
        return 1;
      }
      ctx.out(values.json ? `${JSON.stringify({ binary: st.binary, source: st.binarySource })}\n` : `${st.binary} (${st.binarySource})\n`);
      return 0;
    }
    const backend = (values.gpu === 'auto' ? await engineGpuBackend() : values.gpu ?? 'cpu') as ServerBackend;
    if (!SERVER_BACKENDS.includes(backend)) throw new UsageError(`--gpu must be one of ${SERVER_BACKENDS.join(', ')} (got "${values.gpu}")`);
    const cpuVariant = (values.cpu ?? 'portable') as CpuVariant;
    if (!CPU_VARIANTS.includes(cpuVariant)) throw new UsageError(`--cpu must be one of ${CPU_VARIANTS.join(', ')} (got "${values.cpu}")`);
    if (values.cpu !== undefined && backend !== 'cpu') throw new UsageError('--cpu applies to CPU builds only (leave out --gpu)');
    const cpuFlag = cpuVariant === 'portable' ? '' : ` --cpu ${cpuVariant}`;
    const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) throw new UsageError(`--jobs must be a positive whole number (got "${values.jobs}")`);
    if (positionals[0] === 'server-path') {
      const bin = builtServer(backend, undefined, cpuVariant);
      if (!bin) {
        ctx.err(`llama-server (${backend}${cpuFlag ? `, ${cpuVariant}` : ''}) is not built for this llama.cpp yet; run: lamplight engine build-server${backend === 'cpu' ? cpuFlag : ` --gpu ${backend}`}\n`);
        return 1;
      }
      ctx.out(`${bin}\n`);
      return 0;
    }
    if (positionals[0] !== 'build-server') throw new UsageError('expected "engine build-server", "engine server-path" or "engine vision-binary"');
    const src = llamaSource();
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    let last = -1;
    try {
      const built = await buildLlamaServer({
        backend,
        cpuVariant,
        jobs,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === 'compile') {
            if (p.percent >= 0 && p.percent !== last) {
              last = p.percent;
              ctx.err(`compile ${String(p.percent).padStart(3)}%\n`);
            }
          } else ctx.err(`${p.phase}: ${p.line}\n`);
        },
      });
      if (values.json) ctx.out(JSON.stringify(built) + '\n');
      else ctx.out(`${built.cached ? 'cached' : `built in ${built.seconds.toFixed(0)} s`}: ${built.binary} (llama.cpp ${src.tag}, ${src.commit.slice(0, 12)}, ${backend}${backend === 'cpu' ? ` ${cpuVariant}` : ''})\n`);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
