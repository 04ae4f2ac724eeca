// `manage.ts import <file>`: reads a compose file, Procfile, manage.sh or PM2 ecosystem file and appends its
// services to startup.ts, checked by loading the edited file before it replaces the old one. The only
// importer module that touches the filesystem; the translators load lazily, so no other command pays for them.
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { displayPath, inspectServices } from './config.ts';
import { errnoCode, ExitCode, ManageError } from './core/errors.ts';
import { validateServices, type Service } from './core/service.ts';
import { entryDir, repoRoot } from './launch/paths.ts';
import type { Imported, ImportOptions, SourceKind } from './importers/declaration.ts';
import type { Ui } from './terminal/ui.ts';

export interface ImportRequest {
  file: string;
  from: string | undefined;
  environment: string | undefined;
  port: string | undefined;
  force: boolean;
  stdout: boolean;
  servicesFile: string;
  /** The --services FILE the user gave, if any, to repeat in the next command. */
  servicesOption: string | undefined;
}

/** A file's text, or one sentence saying why it cannot be read. */
function readText(path: string, what: string, hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') throw new ManageError(`${what} ${displayPath(path)} does not exist`, ExitCode.usage, hint);
    if (code === 'EISDIR') throw new ManageError(`${what} ${displayPath(path)} is a directory, not a file`, ExitCode.usage, hint);
    if (code === 'EACCES' || code === 'EPERM') throw new ManageError(`${what} ${displayPath(path)} cannot be read (permission denied)`, ExitCode.usage, 'check its permissions');
    throw error;
  }
}

async function translate(kind: SourceKind, text: string, options: ImportOptions): Promise<Imported> {
  switch (kind) {
    case 'compose':
      return (await import('./importers/compose.ts')).importCompose(text, options);
    case 'procfile':
      return (await import('./importers/procfile.ts')).importProcfile(text, options);
    case 'pm2':
      return (await import('./importers/pm2.ts')).importPm2(text, options);
    case 'manage-sh':
      return await (await import('./importers/shellscript.ts')).importShellScript(text, options);
  }
}

async function chooseKind(request: ImportRequest, text: string): Promise<SourceKind> {
  const { detectKind, sourceKinds } = await import('./importers/detect.ts');
  if (request.from !== undefined) {
    if (!sourceKinds.includes(request.from as SourceKind)) {
      throw new ManageError(`--from ${request.from} is not a kind import reads`, ExitCode.usage, `use one of: ${sourceKinds.join(', ')}`);
    }
    return request.from as SourceKind;
  }
  const kind = detectKind(request.file, text);
  if (!kind) throw new ManageError(`cannot tell what kind of file ${request.file} is`, ExitCode.usage, `name its kind with --from ${sourceKinds.join('|')}`);
  return kind;
}

function basePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535 - 100) throw new ManageError(`--port needs a port number, not "${text}"`, ExitCode.usage, 'e.g. --port 5000');
  return port;
}

/** Writes `text` beside `target` with the target's mode, for loading before it replaces the target. */
function writeBeside(target: string, text: string, mode: number): string {
  const temporary = join(dirname(target), `.import-${process.pid}-${basename(target)}`);
  try {
    writeFileSync(temporary, text, { mode, flag: 'wx' });
    chmodSync(temporary, mode);
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = errnoCode(error);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ManageError(`cannot write beside ${displayPath(target)} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'})`, ExitCode.usage, 'run import --stdout and paste the declarations yourself');
    }
    if (code === 'ENOSPC') throw new ManageError(`no space left to write ${displayPath(target)}`, ExitCode.usage, 'free some disk space and import again');
    throw error;
  }
  return temporary;
}

/** Loads the edited file and checks it as `up` would, and that it holds what the edit meant it to hold. */
async function verify(temporary: string, shown: string, expected: string[]): Promise<void> {
  const inspected = await inspectServices(temporary);
  // Problems name the file the user knows, not the temporary one beside it.
  const problems = inspected.problems.map((problem) => problem.replaceAll(inspected.source, shown));
  const names = Array.isArray(inspected.declared) ? inspected.declared.map((entry: Service) => entry?.name) : [];
  if (problems.length === 0 && names.join('\n') !== expected.join('\n')) {
    problems.push(`the edited file declares ${names.join(', ')} instead of ${expected.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new ManageError(problems.join('\n'), ExitCode.usage, `nothing was written to ${shown}; fix ${problems.length === 1 ? 'this' : 'these'} (in the imported file or in ${shown}), or use --stdout`);
  }
}

export async function importServices(request: ImportRequest, ui: Ui): Promise<number> {
  const sourcePath = resolve(request.file);
  const text = readText(sourcePath, 'file', 'give the path of a docker-compose.yml, Procfile, manage.sh or ecosystem.config.js');
  const kind = await chooseKind(request, text);
  const options: ImportOptions = {
    source: basename(sourcePath),
    baseDir: relative(repoRoot, dirname(sourcePath)).split('\\').join('/'),
    environment: request.environment,
    basePort: basePort(request.port),
  };
  if (request.environment !== undefined && kind !== 'pm2') throw new ManageError('--env only goes with a PM2 ecosystem file', ExitCode.usage, 'drop --env');
  if (request.port !== undefined && kind !== 'procfile') throw new ManageError('--port only goes with a Procfile', ExitCode.usage, 'drop --port');
  const imported = await translate(kind, text, options);
  const { renderImported } = await import('./importers/declaration.ts');
  const ownProblems = validateServices(imported.services.map((entry) => entry.service), options.source);
  if (ownProblems.length > 0) throw new ManageError(ownProblems.join('\n'), ExitCode.usage, `fix ${options.source}; nothing was written`);
  const rendered = renderImported(imported, options.source);
  if (request.stdout) {
    ui.result(rendered.replace(/\n$/, ''));
    return ExitCode.ok;
  }

  const target = request.servicesFile;
  const shown = displayPath(target);
  const original = readText(target, 'services file', 'create it with manage.ts init, or pass --services FILE, or print the declarations with --stdout');
  const { editServices, findServicesArray } = await import('./importers/startupfile.ts');
  const array = findServicesArray(original, shown);
  const { declared: existing } = await inspectServices(target);
  const existingNames = Array.isArray(existing) ? existing.map((entry: Service) => String(entry?.name)) : [];
  const newNames = imported.services.map((entry) => entry.service.name);
  const clashing = newNames.filter((name) => existingNames.includes(name));
  if (clashing.length > 0 && !request.force) {
    const list = clashing.map((name) => `"${name}"`).join(', ');
    throw new ManageError(`${clashing.length === 1 ? 'service' : 'services'} ${list} ${clashing.length === 1 ? 'is' : 'are'} already declared in ${shown}; nothing was written`, ExitCode.usage, 'rename or remove them there, or run import --force to replace them');
  }
  if (clashing.length > 0 && array.elements.length !== existingNames.length) {
    throw new ManageError(`cannot tell which entries of SERVICES in ${shown} are ${clashing.join(', ')} (the array is built with spreads or code)`, ExitCode.usage, 'remove them by hand, then import again');
  }
  const remove = new Set(existingNames.flatMap((name, index) => (clashing.includes(name) ? [index] : [])));
  const edited = editServices(original, array, remove, rendered);
  const temporary = writeBeside(target, edited, statSync(target).mode & 0o7777);
  try {
    await verify(temporary, shown, [...existingNames.filter((name) => !clashing.includes(name)), ...newNames]);
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }

  const noted = imported.services.filter((entry) => entry.notes.length > 0).length + imported.notes.length;
  ui.info(`${ui.mark('ok')} imported ${newNames.length} ${newNames.length === 1 ? 'service' : 'services'} from ${request.file} into ${shown}: ${newNames.join(', ')}${clashing.length > 0 ? ` (replaced ${clashing.join(', ')})` : ''}`);
  if (noted > 0) ui.info(`read the // comments there: ${noted} ${noted === 1 ? 'note' : 'notes'} on what was not carried over`);
  const launcher = displayPath(join(entryDir, 'manage.ts'));
  const prefix = launcher.includes('/') ? launcher : `./${launcher}`;
  ui.info(`next: ${prefix}${request.servicesOption ? ` --services ${request.servicesOption}` : ''} up`);
  return ExitCode.ok;
}
