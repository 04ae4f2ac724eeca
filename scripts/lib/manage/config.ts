// Where things are (repository root, services file, state directory) and loading a validated services array.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultServicesFile, engineUrl, repoRoot } from './launch/paths.ts';
import { errnoCode, ManageError } from './core/errors.ts';
import { findCycle, type GraphNode } from './core/graph.ts';
import { listPidFiles } from './state/pidfile.ts';
import { defaultProcessSource, type ProcessSource } from './process/processes.ts';
import { validateServices, withDefaults, type ResolvedService, type Service } from './core/service.ts';
import type { Ui } from './terminal/ui.ts';


/** Everything a command needs, built once per invocation. */
export interface Context {
  /** Holds logs/ and .pids/. */
  stateDir: string;
  logDir: string;
  servicesFile: string;
  services: ResolvedService[];
  processes: ProcessSource;
  ui: Ui;
}

export interface Locations {
  servicesFile: string;
  stateDir: string;
}

/** --services / MANAGE_SERVICES_FILE and --state-dir / MANAGE_STATE_DIR, else the repository's own. */
export function locate(options: { services?: string; stateDir?: string }, env: NodeJS.ProcessEnv = process.env): Locations {
  const servicesFile = options.services ?? env.MANAGE_SERVICES_FILE;
  const stateDir = options.stateDir ?? env.MANAGE_STATE_DIR;
  return {
    servicesFile: servicesFile ? resolve(servicesFile) : defaultServicesFile,
    stateDir: stateDir ? resolve(stateDir) : repoRoot,
  };
}

/** A path as the user reads it: relative to the current directory when that is shorter. */
export function displayPath(path: string): string {
  const here = process.cwd();
  const fromHere = relative(here, path);
  if (fromHere === '') return '.';
  // Relative only below the current directory (and never from /, where it just drops the leading slash).
  return here !== '/' && !fromHere.startsWith('..') ? fromHere : path;
}

/** A services file loaded and checked: what it declares, and every problem with it (none when valid). */
export interface InspectedServices {
  source: string;
  declared: unknown;
  problems: string[];
}

export async function loadServices(servicesFile: string): Promise<ResolvedService[]> {
  const { declared, problems, source } = await inspectServices(servicesFile);
  if (problems.length > 0) {
    throw new ManageError(problems.join('\n'), 1, `fix ${problems.length === 1 ? 'this' : 'these'} in ${source}; nothing was started or stopped`);
  }
  return (declared as Service[]).map((service) => withDefaults(service, repoRoot, resolvePath));
}

/** Loads the file (a ManageError when it cannot be) and lists every problem of its SERVICES, cycles included. */
export async function inspectServices(servicesFile: string): Promise<InspectedServices> {
  if (!existsSync(servicesFile)) {
    throw new ManageError(`services file ${servicesFile} does not exist`, 1, 'pass an existing file to --services, or unset MANAGE_SERVICES_FILE');
  }
  let module: ServicesModule;
  try {
    module = servicesFile === defaultServicesFile ? await import('../startup.ts') : await importServicesFile(servicesFile);
  } catch (error) {
    throw new ManageError(`cannot load ${displayPath(servicesFile)}: ${(error as Error).message}`, 1, 'fix the error in that file');
  }
  const declared = module.SERVICES ?? module.default;
  const source = displayPath(servicesFile);
  const problems = validateServices(declared, source);
  const cycle = findCycle(graphOf(declared));
  if (cycle) problems.push(`services form a dependency cycle: ${cycle.join(' -> ')}; remove one of these dependsOn entries`);
  return { source, declared, problems };
}

type ServicesModule = { SERVICES?: unknown; default?: unknown };

/**
 * Another services file. TypeScript goes through tsx's scoped import: under the bundle (see bundle.cjs) nothing
 * else compiles it, and it loads as ES module syntax even where no package.json says "type": "module". That
 * costs what the bundle saves, and only for those who choose such a file.
 */
async function importServicesFile(servicesFile: string): Promise<ServicesModule> {
  if (!/\.[cm]?tsx?$/.test(servicesFile)) return await loadJavaScript(servicesFile);
  const { tsImport } = await import('tsx/esm/api');
  return await tsImport(pathToFileURL(servicesFile).href, engineUrl);
}

/**
 * A JavaScript services file, by require() where Node allows it (from 20.19 it loads ES modules too): import()
 * first sets up Node's ES module loader, 3 to 8 ms more on every command. An ES module with top-level await,
 * or a Node too old to require one, refuses before running any of it, and goes through import(). CommonJS
 * (.cjs) never needs import(), and must not run twice when something it requires refuses.
 */
async function loadJavaScript(servicesFile: string): Promise<ServicesModule> {
  let loaded: unknown;
  try {
    loaded = createRequire(engineUrl)(servicesFile);
  } catch (error) {
    const code = errnoCode(error);
    if (servicesFile.endsWith('.cjs') || (code !== 'ERR_REQUIRE_ASYNC_MODULE' && code !== 'ERR_REQUIRE_ESM')) throw error;
    return (await import(pathToFileURL(servicesFile).href)) as ServicesModule;
  }
  // An ES module comes back as its namespace; CommonJS as module.exports, which import() would have made the
  // default export (module.exports = [...]), its SERVICES property a named one.
  if (Object.prototype.toString.call(loaded) === '[object Module]') return loaded as ServicesModule;
  return { default: loaded, SERVICES: (loaded as ServicesModule | undefined)?.SERVICES };
}

/** The dependency edges of whatever entries are well-formed enough, so a cycle is reported with other problems. */
function graphOf(declared: unknown): GraphNode[] {
  if (!Array.isArray(declared)) return [];
  return declared
    .filter((entry): entry is { name: string; dependsOn?: unknown } => typeof entry?.name === 'string')
    .map((entry) => ({
      name: entry.name,
      dependsOn: Array.isArray(entry.dependsOn) ? entry.dependsOn.filter((name): name is string => typeof name === 'string') : [],
      groups: [],
    }));
}

function resolvePath(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

export async function createContext(locations: Locations, ui: Ui): Promise<Context> {
  const services = await loadServices(locations.servicesFile);
  const logDir = join(locations.stateDir, 'logs');
  return {
    stateDir: locations.stateDir,
    logDir,
    servicesFile: locations.servicesFile,
    services,
    processes: defaultProcessSource(),
    ui,
  };
}

/** Names with a PID file but no entry in SERVICES: removed from the array while running. */
export function undeclaredServiceNames(context: Pick<Context, 'stateDir' | 'services'>): string[] {
  const declared = new Set(context.services.map((service) => service.name));
  return listPidFiles(context.stateDir).filter((name) => !declared.has(name));
}

/** logs/ and .pids/ are created on first use by the commands that write them. */
export function ensureStateDirs(context: Pick<Context, 'stateDir' | 'logDir'>): void {
  mkdirSync(context.logDir, { recursive: true });
  mkdirSync(join(context.stateDir, '.pids'), { recursive: true });
}
