// What adopting a repository writes, decided from listings and texts (pure): the files of the engine, the
// conflicts with files the repository already has, the lines .gitignore lacks, and what an upgrade changes.

/** Where manage.ts lives in a repository: `dir` is the entry's folder relative to the root (scripts, tools). */
export interface Layout {
  dir: string;
}

/** The paths, relative to the repository root, of what `init` creates. */
export function adoptedPaths(layout: Layout): { entry: string; engine: string; startup: string; tsconfig: string } {
  return {
    entry: `${layout.dir}/manage.ts`,
    engine: `${layout.dir}/lib/manage`,
    startup: `${layout.dir}/lib/startup.ts`,
    tsconfig: `${layout.dir}/lib/tsconfig.json`,
  };
}

/**
 * A folder name for the entry: one plain name directly under the root, since the engine finds the root as
 * the folder above its entry's.
 */
export function layoutProblem(dir: string): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(dir) || dir === '.' || dir === '..') {
    return `--dir must name one folder directly under the repository root (like scripts or tools), not "${dir}"`;
  }
  return undefined;
}

/** The lines manage.ts needs in .gitignore, each with the spellings that already ignore the same thing. */
const ignoredState: Array<{ line: string; equivalents: string[] }> = [
  { line: '/logs/', equivalents: ['logs', 'logs/', '/logs', '/logs/'] },
  { line: '/.pids/', equivalents: ['.pids', '.pids/', '/.pids', '/.pids/'] },
  { line: 'node_modules/', equivalents: ['node_modules', 'node_modules/', '/node_modules', '/node_modules/', '**/node_modules', '**/node_modules/'] },
];

/**
 * .gitignore with the state folders and node_modules/ added where no line already ignores them. The state
 * folders are anchored at the root, so a logs/ folder of the repository's own elsewhere stays tracked.
 */
export function extendGitignore(text: string | undefined): { text: string; added: string[] } {
  const present = new Set((text ?? '').split('\n').map((line) => line.trim()));
  const added = ignoredState.filter((entry) => !entry.equivalents.some((spelling) => present.has(spelling))).map((entry) => entry.line);
  if (added.length === 0) return { text: text ?? '', added };
  const before = text === undefined || text === '' ? '' : text.endsWith('\n') ? `${text}\n` : `${text}\n\n`;
  return { text: `${before}# manage.ts: service logs and PID files, and its packages\n${added.join('\n')}\n`, added };
}

/** How one file of the engine differs between the installed copy and the new one. */
export interface EngineChanges {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
}

/** Compares two engines file by file, each given as relative path -> content hash. */
export function compareEngines(installed: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): EngineChanges {
  const added = [...next.keys()].filter((path) => !installed.has(path)).sort();
  const removed = [...installed.keys()].filter((path) => !next.has(path)).sort();
  const common = [...next.keys()].filter((path) => installed.has(path));
  const changed = common.filter((path) => installed.get(path) !== next.get(path)).sort();
  return { added, removed, changed, unchanged: common.length - changed.length };
}

/** Dependencies whose pinned version differs, as "name 1.0.0 -> 1.1.0" (or "(none)" for added and removed). */
export function compareDependencies(installed: Readonly<Record<string, string>>, next: Readonly<Record<string, string>>): string[] {
  const names = [...new Set([...Object.keys(installed), ...Object.keys(next)])].sort();
  return names.filter((name) => installed[name] !== next[name]).map((name) => `${name} ${installed[name] ?? '(none)'} -> ${next[name] ?? '(none)'}`);
}

/** The user's startup.ts as `init` creates it: typed, empty, with the ways to fill it. */
export function startupTemplate(layout: Layout): string {
  return `// The services this repository runs: edit SERVICES. This file is yours: \`${layout.dir}/manage.ts upgrade\` replaces
// the engine in lib/manage/ and never touches it. Your editor checks each entry against the Service type
// (lib/tsconfig.json); \`${layout.dir}/manage.ts validate\` checks the whole file, for CI.
import type { Service } from './manage/core/service.ts';

/**
 * One entry per service, started in dependency order; relative \`cwd\` values resolve against the repository
 * root. For example:
 *
 *   { name: 'db', command: 'postgres -D data/pg -k /tmp', port: 5432 },
 *   { name: 'api', command: 'cargo run -p api', cwd: 'services/api', port: 8080, dependsOn: ['db'],
 *     ready: { http: 'http://127.0.0.1:8080/health' } },
 *
 * Or fill it from what the repository has: \`${layout.dir}/manage.ts import docker-compose.yml\` (also a Procfile,
 * a manage.sh with SERVICES arrays, or a PM2 ecosystem.config.js).
 */
export const SERVICES = [] satisfies Service[];
`;
}

/**
 * lib/tsconfig.json: lets an editor check startup.ts against the Service type with the TypeScript it ships,
 * nothing installed. It covers startup.ts and the pure core it imports types from, which need no @types/node.
 */
export const startupTsconfig = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      module: 'ESNext',
      moduleResolution: 'Bundler',
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      types: [],
    },
    include: ['startup.ts'],
  },
  null,
  2,
)}\n`;
