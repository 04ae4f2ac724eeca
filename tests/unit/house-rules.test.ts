// Rules of the codebase that no one should have to remember: checked by reading scripts/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const scripts = join(import.meta.dirname, '..', '..', 'scripts');
const sources = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|cjs|sh)$/.test(entry.name) && !entry.parentPath.includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name));
const files = [join(scripts, 'manage.ts'), ...sources(join(scripts, 'lib'))];
const source = (file: string): string => readFileSync(file, 'utf8');
const named = (file: string): string => file.slice(scripts.length + 1);

describe('house rules', () => {
  it.each(files.map(named))('%s never kills by name', (file) => {
    expect(source(join(scripts, file))).not.toMatch(/\b(pkill|killall)\b/);
  });

  it('only shell.ts imports zx, child_process, ps-list or find-process', () => {
    const offenders = files
      .filter((file) => !file.endsWith('shell.ts'))
      .filter((file) => /from ['"](zx|node:child_process|child_process|ps-list|find-process)['"]|import\(['"](zx|ps-list|find-process)['"]\)/.test(source(file)));
    expect(offenders.map(named)).toEqual([]);
  });

  it('only the entry points call process.exit: main.ts, and bundle.cjs, which must stop node before it reads an outdated bundle', () => {
    const entryPoints = ['main.ts', 'bundle.cjs'];
    expect(files.filter((file) => !entryPoints.some((name) => file.endsWith(name)) && /process\.exit\(/.test(source(file))).map(named)).toEqual([]);
  });

  it('only poll.ts sleeps or sets timers', () => {
    // Global timers only: a socket's idle timeout (socket.setTimeout) is not a sleep.
    expect(files.filter((file) => !file.endsWith('poll.ts') && /(?<!\.)\bset(Timeout|Interval|Immediate)\(/.test(source(file))).map(named)).toEqual([]);
  });

  it('no module uses any', () => {
    expect(files.filter((file) => /:\s*any\b|as any\b/.test(source(file))).map(named)).toEqual([]);
  });
});

/**
 * The engine's folders in layers: a module imports values only from its own layer or those below. Type-only
 * imports are erased before anything runs, so they may point anywhere (most need the Context type).
 */
const layers: Record<string, number> = { core: 0, terminal: 1, launch: 1, process: 2, state: 3, logfiles: 4, health: 4, '.': 5, adopt: 5, attach: 5, importers: 5 };
const engine = join(scripts, 'lib', 'manage');
const layerOf = (file: string): string => {
  const folder = file.slice(engine.length + 1).split('/');
  return folder.length === 1 ? '.' : folder[0]!;
};

describe('engine layout', () => {
  const engineFiles = files.filter((file) => file.startsWith(engine + '/') && file.endsWith('.ts'));

  it('every engine module lives in a known folder', () => {
    expect(engineFiles.map(layerOf).filter((layer) => !(layer in layers))).toEqual([]);
  });

  it.each(engineFiles.map(named))('%s imports values only from its own layer or below (core <- terminal, launch <- process <- state <- logfiles, health <- commands)', (file) => {
    const path = join(scripts, file);
    const own = layers[layerOf(path)]!;
    const upward = [...source(path).matchAll(/^import (?!type )[^;]*?from '(\.[^']+)'/gms)]
      .map((match) => join(path, '..', match[1]!))
      .filter((target) => target.startsWith(engine + '/'))
      .filter((target) => (layers[layerOf(target)] ?? 99) > own);
    expect(upward.map((target) => target.slice(engine.length + 1))).toEqual([]);
  });

  it('every folder of the engine is described in its README.md, and nothing else is', () => {
    const described = [...source(join(engine, 'README.md')).matchAll(/^\| `([a-z]+)\/` \|/gm)].map((match) => match[1]);
    const folders = readdirSync(engine, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'node_modules').map((entry) => entry.name);
    expect(described.sort()).toEqual(folders.sort());
  });

  it('only launch/paths.ts reads its own URL: the bundle gives every module that one URL', () => {
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('launch/paths.ts') && /import\.meta\.(url|dirname|filename)/.test(source(file))).map(named)).toEqual([]);
  });

  it('the user\'s startup.ts holds declarations only: it imports nothing but types', () => {
    const startup = source(join(scripts, 'lib', 'startup.ts'));
    expect(startup.match(/^import (?!type ).*$/gm) ?? []).toEqual([]);
  });
});

describe('packages', () => {
  const pinned = (file: string): Record<string, string> => (JSON.parse(source(file)) as { dependencies: Record<string, string> }).dependencies;

  it('the engine\'s own package.json pins exactly the runtime packages of the repository, at the same versions', () => {
    expect(pinned(join(engine, 'package.json'))).toStrictEqual(pinned(join(scripts, '..', 'package.json')));
  });

  it('every version is pinned exactly, so init installs what the tests ran with', () => {
    expect(Object.entries(pinned(join(engine, 'package.json'))).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version))).toStrictEqual([]);
  });
});
