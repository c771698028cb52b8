// electron-builder reads electron-builder.json when packaging (the package itself is not installed here:
// the configuration is data, checked by this test). The fuses are flipped in the Electron binary at
// package time; runAsNode off is why the engine runs in a utilityProcess and main never forks Node.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawIcon, ICON_SIZES } from '../../scripts/genIcon';
import { EXAMPLE_FILES } from '../shared/promptExamples';

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as {
  productName: string;
  executableName: string;
  asar: boolean;
  asarUnpack: string[];
  files: string[];
  electronFuses: Record<string, boolean>;
  directories: { buildResources: string };
  linux: { target: string[]; icon: string; maintainer?: string; desktop: { entry: Record<string, string> } };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; productName: string };

/** electron-builder's glob subset used in the config: '**' any depth, '*' within one segment. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (ch === '*') re += '[^/]*';
    else re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function readPng(buf: Buffer): { chunks: { type: string; data: Buffer; crcOk: boolean }[]; pixels: Buffer } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks = [];
  for (let off = 8; off < buf.length; ) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const crcOk = buf.readUInt32BE(off + 8 + len) === crc32(buf.subarray(off + 4, off + 8 + len));
    chunks.push({ type, data: buf.subarray(off + 8, off + 8 + len), crcOk });
    off += 12 + len;
  }
  const pixels = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  return { chunks, pixels };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => relative(root, f).split('\\').join('/'));
}

describe('electron-builder fuses', () => {
  it.each([
    ['runAsNode', false],
    ['enableNodeOptionsEnvironmentVariable', false],
    ['enableNodeCliInspectArguments', false],
    ['onlyLoadAppFromAsar', true],
    ['enableCookieEncryption', true],
    ['enableEmbeddedAsarIntegrityValidation', true],
    ['grantFileProtocolExtraPrivileges', false],
  ])('%s is %s', (fuse, value) => {
    expect(config.electronFuses[fuse]).toBe(value);
  });

  it('names only fuses electron-builder knows (a typo would silently leave the default)', () => {
    const known = [
      'runAsNode',
      'enableCookieEncryption',
      'enableNodeOptionsEnvironmentVariable',
      'enableNodeCliInspectArguments',
      'enableEmbeddedAsarIntegrityValidation',
      'onlyLoadAppFromAsar',
      'loadBrowserProcessSpecificV8Snapshot',
      'grantFileProtocolExtraPrivileges',
    ];
    expect(Object.keys(config.electronFuses).filter((k) => !known.includes(k))).toEqual([]);
  });

  it('packs the app into an asar, which onlyLoadAppFromAsar requires to start at all', () => {
    expect(config.asar).toBe(true);
    expect(config.files.some((g) => globToRegExp(g).test(pkg.main))).toBe(true);
  });

  it('main never forks Node (runAsNode is off): no child_process in src/main', () => {
    const offenders = filesUnder(join(root, 'src/main'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /child_process|ELECTRON_RUN_AS_NODE/.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('electron-builder asarUnpack', () => {
  const unpack = config.asarUnpack.map(globToRegExp);
  const native = [
    ...filesUnder(join(root, 'node_modules/better-sqlite3/build/Release')).filter((f) => f.endsWith('.node')),
    ...readdirSync(join(root, 'node_modules/@node-llama-cpp')).flatMap((p) => filesUnder(join(root, 'node_modules/@node-llama-cpp', p, 'bins'))),
    ...filesUnder(join(root, 'node_modules/node-llama-cpp/bins')),
  ];

  it('keeps every native part of better-sqlite3 and node-llama-cpp outside the asar', () => {
    expect(native.some((f) => f.endsWith('better_sqlite3.node'))).toBe(true);
    expect(native.some((f) => f.endsWith('llama-addon.node'))).toBe(true);
    expect(native.filter((f) => !unpack.some((re) => re.test(f)))).toEqual([]);
  });

  it('does not unpack the app code itself', () => {
    expect(unpack.some((re) => re.test('out/main/index.js'))).toBe(false);
  });
});

describe('Linux package', () => {
  it('builds an AppImage with a desktop entry named after the product', () => {
    expect(config.linux.target).toContain('AppImage');
    const entry = config.linux.desktop.entry;
    expect(entry.Name).toBe(pkg.productName);
    expect(config.productName).toBe(pkg.productName);
    expect(entry.Comment).toBeTruthy();
    expect(entry.Categories).toMatch(/^(?:[A-Za-z]+;)+$/);
  });

  it('a .deb gets a maintainer with an e-mail (package.json has no author, and electron-builder requires one)', () => {
    if (config.linux.target.includes('deb')) expect(config.linux.maintainer).toMatch(/^[^<>]+ <[^@\s]+@[^>\s]+>$/);
  });

  it('resources/lamplight.desktop agrees with the builder entry and the executable', () => {
    const lines = readFileSync(join(root, config.directories.buildResources, 'lamplight.desktop'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    const kv = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(kv).toMatchObject({ Type: 'Application', Exec: `${config.executableName} %U`, Icon: config.executableName, Terminal: 'false' });
    for (const [k, v] of Object.entries(config.linux.desktop.entry)) expect(kv[k], k).toBe(v);
  });

  it('the icons are a folder of valid RGBA PNGs named by size, up to 512×512, the ones scripts/genIcon.ts draws', () => {
    const dir = join(root, config.linux.icon);
    expect(readdirSync(dir).sort()).toEqual(ICON_SIZES.map((n) => `${n}x${n}.png`).sort());
    expect(Math.max(...ICON_SIZES)).toBe(512);
    for (const size of ICON_SIZES) {
      const png = readPng(readFileSync(join(dir, `${size}x${size}.png`)));
      expect(png.chunks.filter((c) => !c.crcOk).map((c) => c.type)).toEqual([]);
      const ihdr = png.chunks[0]!;
      expect(ihdr.type).toBe('IHDR');
      expect([ihdr.data.readUInt32BE(0), ihdr.data.readUInt32BE(4), ihdr.data[8], ihdr.data[9]]).toEqual([size, size, 8, 6]);
      expect(png.pixels.length).toBe(size * (1 + size * 4));
      // Pixels, not bytes: another zlib may compress the same image differently.
      expect(readPng(drawIcon(size)).pixels.equals(png.pixels)).toBe(true);
    }
  });

});

describe('resources/prompts', () => {
  it('every example template file ships in the picker (shared/promptExamples.ts lists it)', () => {
    const files = readdirSync(join(root, 'resources/prompts/examples')).filter((f) => f.endsWith('.json'));
    expect(EXAMPLE_FILES.map(([id]) => `${id}.json`).sort()).toEqual(files.sort());
  });
});
