// `init` and `upgrade`: copy this engine into another repository, or replace the copy it has, without touching
// the repository's own files beyond the documented ones (.gitignore, and what init creates).
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { displayPath } from '../config.ts';
import { formatBytes } from '../core/bytes.ts';
import { errnoCode, ExitCode, ManageError } from '../core/errors.ts';
import { engineDir, entryDir, repoRoot } from '../launch/paths.ts';
import { now } from '../process/poll.ts';
import { runTool } from '../process/shell.ts';
import { writeAtomically } from '../state/pidfile.ts';
import { formatDuration, type Ui } from '../terminal/ui.ts';
import {
  adoptedPaths,
  compareDependencies,
  compareEngines,
  extendGitignore,
  layoutProblem,
  startupTemplate,
  startupTsconfig,
  type EngineChanges,
  type Layout,
} from './plan.ts';

/** What `init` was asked to do. */
export interface InitOptions {
  dir: string;
  /** Install the engine's packages (npm); off with --no-install, for a machine without the registry. */
  install: boolean;
}

/** The engine's package.json: its version and the packages it needs, apart from the repository's own. */
interface EnginePackage {
  name: string;
  version: string;
  dependencies: Record<string, string>;
}

const enginePackageName = 'manage-ts-engine';

/** Files of the repository whose presence suggests `import` as the next step, in the order they are offered. */
const importable = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yaml', 'compose.yml', 'Procfile', 'manage.sh', 'ecosystem.config.js', 'ecosystem.config.cjs'];

export async function init(target: string, options: InitOptions, ui: Ui): Promise<number> {
  const root = existingRepository(target);
  const problem = layoutProblem(options.dir);
  if (problem) throw new ManageError(problem, ExitCode.usage);
  const layout: Layout = { dir: options.dir };
  const installed = findInstalledEngines(root);
  if (installed.length > 0) {
    ui.info(`${ui.mark('note')} ${displayPath(root)} already has manage.ts in ${installed.join(', ')}/: upgrading it`);
    return upgrade(target, { dir: installed.length === 1 ? installed[0]! : options.dir, install: options.install }, ui);
  }
  const paths = adoptedPaths(layout);
  const conflicts = [paths.entry, paths.startup, paths.engine].filter((path) => exists(join(root, path)));
  if (conflicts.length > 0) {
    throw new ManageError(
      `${displayPath(root)} already has ${conflicts.join(', ')}, which init would overwrite`,
      ExitCode.usage,
      `move ${conflicts.length === 1 ? 'it' : 'them'} away, or choose another folder with --dir (for example --dir tools); nothing was written`,
    );
  }

  const files = listEngineFiles(engineDir);
  const bytes = files.reduce((sum, file) => sum + statSync(join(engineDir, file)).size, 0);
  const engineTarget = join(root, paths.engine);
  guard(engineTarget, () => {
    // The first folder mkdir created, if any (scripts/ or scripts/lib/), so a failure removes it as well.
    let createdFolder: string | undefined;
    try {
      createdFolder = mkdirSync(dirname(engineTarget), { recursive: true, mode: 0o755 });
      placeEngine(files, engineTarget);
      copyEntry(join(root, paths.entry));
      writeFileSync(join(root, paths.startup), startupTemplate(layout), { mode: 0o644, flag: 'wx' });
    } catch (error) {
      // None of these was there before (checked above): a full disk halfway leaves the repository as it was.
      for (const path of [paths.engine, paths.entry, paths.startup]) rmSync(join(root, path), { recursive: true, force: true });
      if (createdFolder !== undefined) rmSync(createdFolder, { recursive: true, force: true });
      throw error;
    }
  });
  ui.info(`${ui.mark('ok')} copied the engine to ${paths.engine}/ (${files.length} files, ${formatBytes(bytes)})`);
  const created = [paths.entry, `${paths.startup} (no services yet)`];
  if (!exists(join(root, paths.tsconfig))) {
    guard(join(root, paths.tsconfig), () => writeFileSync(join(root, paths.tsconfig), startupTsconfig, { mode: 0o644, flag: 'wx' }));
    created.push(`${paths.tsconfig} (your editor checks startup.ts with it)`);
  }
  ui.info(`${ui.mark('ok')} created ${created.join(', ')}`);
  updateGitignore(root, ui);
  const installedOk = options.install ? await installPackages(engineTarget, ui) : notInstalled(engineTarget, ui);
  warnAboutOwnTypeCheck(root, paths.engine, ui);

  const entry = `./${paths.entry}`;
  const source = importable.find((name) => exists(join(root, name)));
  const steps = [
    ...(root === process.cwd() ? [] : [`cd ${displayPath(root)}`]),
    ...(installedOk ? [] : [`(cd ${relative(root, engineTarget)} && npm install)`]),
    ...(source ? [`${entry} import ${source}`] : []),
    `${entry} up`,
  ];
  ui.info(`next: ${source ? '' : `declare your services in ${paths.startup}, then `}${steps.join(' && ')}`);
  return installedOk ? ExitCode.ok : options.install ? ExitCode.failed : ExitCode.ok;
}

export async function upgrade(target: string, options: { dir?: string | undefined; install: boolean }, ui: Ui): Promise<number> {
  const root = existingRepository(target);
  const found = options.dir !== undefined ? [options.dir] : findInstalledEngines(root);
  if (found.length === 0) {
    throw new ManageError(`${displayPath(root)} has no manage.ts to upgrade (no <folder>/lib/manage/package.json of manage.ts)`, ExitCode.usage, `run: ${displayPath(join(entryDir, 'manage.ts'))} init ${target}`);
  }
  if (found.length > 1) throw new ManageError(`${displayPath(root)} has manage.ts in ${found.join(' and ')}`, ExitCode.usage, 'name the one to upgrade with --dir');
  const paths = adoptedPaths({ dir: found[0]! });
  const engineTarget = join(root, paths.engine);
  const current = readEnginePackage(engineTarget);
  if (current === undefined) throw new ManageError(`${paths.engine} in ${displayPath(root)} is not manage.ts's engine`, ExitCode.usage, 'name the folder of manage.ts with --dir');

  const next = readEnginePackage(engineDir)!;
  const files = listEngineFiles(engineDir);
  const changes = compareEngines(hashes(engineTarget, listEngineFiles(engineTarget)), hashes(engineDir, files));
  const entryChanged = !exists(join(root, paths.entry)) || hashOf(join(root, paths.entry)) !== hashOf(join(entryDir, 'manage.ts'));
  const dependencies = compareDependencies(current.dependencies, next.dependencies);
  const versions = current.version === next.version ? `version ${next.version}` : `${current.version} -> ${next.version}`;
  if (changes.added.length + changes.removed.length + changes.changed.length === 0 && !entryChanged) {
    ui.info(`${ui.mark('ok')} ${paths.engine} is up to date (${versions}, ${changes.unchanged} files); nothing changed`);
    return ExitCode.ok;
  }

  guard(engineTarget, () => {
    replaceEngine(files, engineTarget);
    if (entryChanged) copyEntry(join(root, paths.entry));
  });
  ui.info(`${ui.mark('ok')} upgraded ${paths.engine} (${versions}): ${describeChanges(changes)}${entryChanged ? `; ${paths.entry} replaced` : ''}`);
  for (const line of [...changes.added.map((file) => `+ ${file}`), ...changes.removed.map((file) => `- ${file}`), ...changes.changed.map((file) => `~ ${file}`)]) ui.detail(`    ${line}`);
  ui.info(`${ui.mark('note')} kept ${paths.startup} and the state (logs/, .pids/); running services keep running`);
  if (dependencies.length === 0) return ExitCode.ok;
  ui.info(`${ui.mark('note')} packages changed: ${dependencies.join(', ')}`);
  if (!options.install) {
    notInstalled(engineTarget, ui);
    return ExitCode.ok;
  }
  return (await installPackages(engineTarget, ui)) ? ExitCode.ok : ExitCode.failed;
}

function describeChanges(changes: EngineChanges): string {
  const parts = [`${changes.changed.length} changed`, `${changes.added.length} added`, `${changes.removed.length} removed`];
  return `${parts.join(', ')} of ${changes.changed.length + changes.added.length + changes.unchanged} files (-v lists them)`;
}

function existingRepository(target: string): string {
  const root = resolve(target);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new ManageError(`${target} does not exist`, ExitCode.usage, 'name the folder of the repository to adopt');
  }
  if (!isDirectory) throw new ManageError(`${target} is not a folder`, ExitCode.usage, 'name the folder of the repository to adopt');
  if (root === repoRoot) throw new ManageError(`${target} is manage.ts's own repository`, ExitCode.usage, 'name another repository; to upgrade this one, pull it');
  return root;
}

/** Folders directly under the root that hold an engine of manage.ts (normally one: scripts). */
function findInstalledEngines(root: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch (error) {
    throw fileError(error, root);
  }
  return entries.filter((name) => readEnginePackage(join(root, name, 'lib', 'manage')) !== undefined).sort();
}

function readEnginePackage(folder: string): EnginePackage | undefined {
  let parsed: Partial<EnginePackage>;
  try {
    parsed = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Partial<EnginePackage>;
  } catch {
    return undefined;
  }
  if (parsed.name !== enginePackageName) return undefined;
  return { name: parsed.name, version: parsed.version ?? '0.0.0', dependencies: parsed.dependencies ?? {} };
}

/**
 * The engine's own files, relative to its folder: not its installed packages, and not its lockfile, which
 * records one repository's install and is written there by npm.
 */
function listEngineFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith('node_modules/') && path !== 'package-lock.json')
    .sort();
}

function hashOf(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function hashes(folder: string, files: string[]): Map<string, string> {
  return new Map(files.map((file) => [file, hashOf(join(folder, file))]));
}

/** Copies the engine into a new folder beside `destination`, then renames it into place: all of it or nothing. */
function placeEngine(files: string[], destination: string): void {
  const staging = `${destination}.init-${process.pid}`;
  try {
    copyFiles(files, staging);
    renameSync(staging, destination);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Swaps the new engine in by renames. The installed packages and lockfile move over first, so nothing is
 * downloaded again; a keeper.sh that a running service's keeper has open keeps reading the old file.
 */
function replaceEngine(files: string[], destination: string): void {
  const staging = `${destination}.upgrade-${process.pid}`;
  const old = `${destination}.old-${process.pid}`;
  try {
    copyFiles(files, staging);
    for (const kept of ['node_modules', 'package-lock.json']) {
      if (exists(join(destination, kept))) renameSync(join(destination, kept), join(staging, kept));
    }
    renameSync(destination, old);
    renameSync(staging, destination);
  } catch (error) {
    // Put back whatever had moved, so a failed upgrade leaves the engine that was there.
    if (!exists(destination) && exists(old)) renameSync(old, destination);
    for (const kept of ['node_modules', 'package-lock.json']) {
      if (exists(join(staging, kept)) && !exists(join(destination, kept))) renameSync(join(staging, kept), join(destination, kept));
    }
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

function copyFiles(files: string[], destination: string): void {
  for (const file of files) {
    const to = join(destination, file);
    mkdirSync(dirname(to), { recursive: true, mode: 0o755 });
    copyFileSync(join(engineDir, file), to);
    chmodSync(to, statSync(join(engineDir, file)).mode & 0o755);
  }
}

/** The two-line launcher, executable; a file renamed into place, so a command running it is not cut off. */
function copyEntry(destination: string): void {
  writeAtomically(destination, readFileSync(join(entryDir, 'manage.ts'), 'utf8'));
  chmodSync(destination, 0o755);
}

function updateGitignore(root: string, ui: Ui): void {
  const path = join(root, '.gitignore');
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw fileError(error, path);
  }
  const extended = extendGitignore(text);
  if (extended.added.length === 0) return;
  guard(path, () => writeFileSync(path, extended.text, { mode: 0o644 }));
  ui.info(`${ui.mark('ok')} .gitignore: ${text === undefined ? 'created with' : 'added'} ${extended.added.join(' ')}`);
}

/**
 * npm in the engine's folder: its packages land in its own node_modules, so the repository's package.json,
 * lockfile and "type" stay as they are, whatever its package manager. `npm ci` where a lockfile is there.
 */
async function installPackages(engineFolder: string, ui: Ui): Promise<boolean> {
  const verb = exists(join(engineFolder, 'package-lock.json')) ? 'ci' : 'install';
  const started = now();
  ui.progress(`installing the engine's packages (npm ${verb})...`);
  const result = await runTool(['npm', verb, '--omit=dev', '--no-audit', '--no-fund', '--prefix', engineFolder], { cwd: engineFolder });
  ui.progress(undefined);
  if (result.code !== 0) {
    ui.error(`${ui.mark('fail')} npm ${verb} in ${displayPath(engineFolder)} failed (exit ${result.code}):`);
    for (const line of result.output.trimEnd().split('\n').slice(-10)) ui.error(`    | ${line}`);
    ui.error(`    run it again when the npm registry is reachable: cd ${displayPath(engineFolder)} && npm ${verb}`);
    return false;
  }
  const size = folderBytes(join(engineFolder, 'node_modules'));
  ui.info(`${ui.mark('ok')} installed the engine's packages into ${displayPath(join(engineFolder, 'node_modules'))} (${formatBytes(size)}, ${formatDuration(now() - started)})`);
  return true;
}

function notInstalled(engineFolder: string, ui: Ui): boolean {
  if (exists(join(engineFolder, 'node_modules', 'tsx'))) return true;
  ui.info(`${ui.mark('note')} packages not installed (--no-install): cd ${displayPath(engineFolder)} && npm install`);
  return false;
}

/** A TypeScript project of the repository's own would type-check the engine with its settings. */
function warnAboutOwnTypeCheck(root: string, engine: string, ui: Ui): void {
  let text: string;
  try {
    text = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  } catch {
    return;
  }
  if (text.includes(engine)) return;
  ui.warn(`${ui.mark('note')} tsconfig.json: add "${engine}" to its "exclude" so your own type check leaves the engine to manage.ts`);
}

/** Bytes on disk under a folder, each file once: npm hard-links esbuild's 11 MB binary into two places. */
function folderBytes(folder: string): number {
  const seen = new Set<string>();
  let total = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const stat = lstatSync(join(entry.parentPath, entry.name));
    if (seen.has(`${stat.dev}:${stat.ino}`)) continue;
    seen.add(`${stat.dev}:${stat.ino}`);
    total += stat.size;
  }
  return total;
}

function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** A filesystem error while writing into the repository, as one sentence naming the path. */
function guard(path: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    throw fileError(error, path);
  }
}

function fileError(error: unknown, path: string): ManageError {
  if (error instanceof ManageError) return error;
  return new ManageError(`cannot write ${displayPath(path)}: ${(error as Error).message}`, ExitCode.usage, 'check the permissions and free space of that folder, then run the command again');
}
