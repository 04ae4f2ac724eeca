// The command registry: each command's grammar and handler. manage.ts dispatches here; help is generated from it.
import type { CommandSpec, Invocation } from './core/cli.ts';
import { commandWords, findCommand, formatCommandHelp, formatHelp } from './core/cli.ts';
import { didYouMean } from './core/suggest.ts';
import { createContext, displayPath, locate, type Context } from './config.ts';
import { ExitCode, ManageError } from './core/errors.ts';
import { acquireLock } from './state/lock.ts';
import { adoptLegacyPidFiles, legacyPidFilesError } from './state/legacy.ts';
import { cleanLogs, logs, parseLogsRequest, showLogStats } from './logs.ts';
import { down, type StopResult } from './shutdown.ts';
import { up, type StartResult } from './up.ts';
import { attach } from './attach/attach.ts';
import { parseAttachRequest } from './attach/request.ts';
import { allHealthy, collectStatus, formatStatusTable } from './status.ts';
import { watchStatus } from './watch.ts';
import { enforceLogCapsAndReport } from './logfiles/logrotate.ts';
import { init, upgrade } from './adopt/adopt.ts';
import { formatValidateReport, validate } from './validate.ts';
import { createUi, type Ui } from './terminal/ui.ts';

/**
 * A command and its handler: most run against this repository's services (a context built from startup.ts);
 * `init` and `upgrade` work on another repository and load no services.
 */
export type Command = CommandSpec &
  ({ run(context: Context, invocation: Invocation): Promise<number> } | { runAlone(invocation: Invocation, ui: Ui): Promise<number> });

/** Ctrl-C and SIGTERM while a command runs: the count of signals received so far. */
function onInterrupt(handler: (count: number) => void): () => void {
  let count = 0;
  const listener = (): void => handler(++count);
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

async function withLock<T>(context: Context, command: string, work: () => Promise<T>): Promise<T> {
  const release = await acquireLock(context.stateDir, command, context.processes, (holder) =>
    context.ui.warn(`waiting for another manage.ts (${holder}) to finish...`),
  );
  try {
    return await work();
  } finally {
    release();
  }
}

async function runUp(context: Context, words: string[], invocation: Invocation): Promise<number> {
  let interrupted = false;
  const restore = onInterrupt(() => {
    if (!interrupted) context.ui.warn('interrupted: no longer waiting; services already started keep running');
    interrupted = true;
  });
  try {
    const results = await up(context, words, {
      noWait: Boolean(invocation.options['no-wait'] ?? invocation.options['skip-health-check']),
      force: Boolean(invocation.options.force),
      interrupted: () => interrupted,
    });
    return upExitCode(results, interrupted);
  } finally {
    restore();
  }
}

export function upExitCode(results: StartResult[], interrupted: boolean): number {
  if (interrupted || results.some((result) => result.outcome === 'interrupted')) return ExitCode.interrupted;
  return results.some((result) => result.outcome === 'failed' || result.outcome === 'skipped') ? ExitCode.failed : ExitCode.ok;
}

async function runDown(context: Context, words: string[], invocation: Invocation, restarting = false): Promise<number> {
  let killNow = false;
  let interrupted = false;
  const restore = onInterrupt((count) => {
    interrupted = true;
    if (count === 1) context.ui.warn('stopping gracefully; press Ctrl-C again to kill at once');
    else killNow = true;
  });
  try {
    const results = await down(context, words, { force: Boolean(invocation.options.force), killNow: () => killNow, warnAboutDependents: !restarting });
    // Ctrl-C during restart's stop phase means "do not start again".
    if (restarting && interrupted) return ExitCode.interrupted;
    return downExitCode(results);
  } finally {
    restore();
  }
}

async function runStatus(context: Context, words: string[], invocation: Invocation): Promise<number> {
  const { json, check, watch } = invocation.options;
  const legacy = await adoptLegacyPidFiles(context, displayPath);
  if (watch) {
    if (check) throw new ManageError('--watch and --check do not go together', ExitCode.usage, 'use --check for an exit code, --watch to keep looking');
    const text = invocation.options.interval ?? '2';
    const seconds = Number(text);
    if (!Number.isFinite(seconds) || seconds < 0.2) throw new ManageError(`--interval needs a number of seconds of at least 0.2, not "${String(text)}"`, ExitCode.usage);
    await untilInterrupted((until) => watchStatus(context, words, { intervalMs: seconds * 1000, json: Boolean(json), until }));
    return ExitCode.ok;
  }
  if (invocation.options.interval !== undefined) throw new ManageError('--interval only goes with --watch', ExitCode.usage, 'add --watch, or drop --interval');
  // Without a daemon, a log's size cap is kept whenever manage.ts looks; notes go to stderr, not the JSON.
  await enforceLogCapsAndReport(context);
  const report = await collectStatus(context, words, { deep: Boolean(check), details: Boolean(json) || context.ui.verbose });
  if (json) context.ui.result(JSON.stringify(report, null, 2));
  else if (!check || !context.ui.quiet) formatStatusTable(report, context.ui).forEach((line) => context.ui.result(line));
  // Every service is shown, but an unreadable PID file is still an error the user must fix; old-format
  // ones that could not be adopted are listed together, with one command that clears them.
  const legacyNames = new Set(legacy.map((file) => file.service));
  const unreadable = report.services.filter((service) => service.pidFileProblem !== null && !legacyNames.has(service.name));
  for (const service of unreadable) context.ui.error(`error: ${service.pidFileProblem}`);
  if (legacy.length > 0) {
    const error = legacyPidFilesError(legacy, displayPath);
    context.ui.error(`error: ${error.message}\n${error.hint}`);
  }
  if (unreadable.length > 0 || legacy.length > 0) return ExitCode.usage;
  return check && !allHealthy(report) ? ExitCode.unhealthy : ExitCode.ok;
}

/** Runs `work` until it ends, Ctrl-C, or the reader of stdout going away (status -w | head, logs -f | head). */
async function untilInterrupted(work: (until: Promise<void>) => Promise<void>): Promise<void> {
  let stop = (): void => {};
  const until = new Promise<void>((resolve) => (stop = resolve));
  const restore = onInterrupt(() => stop());
  process.stdout.once('close', stop);
  try {
    await work(until);
  } finally {
    restore();
    process.stdout.off('close', stop);
  }
}

export function downExitCode(results: StopResult[]): number {
  return results.some((result) => result.outcome === 'failed') ? ExitCode.failed : ExitCode.ok;
}

const upOptions = [
  { name: 'no-wait', type: 'boolean', help: 'start in dependency order without waiting for readiness checks' },
  { name: 'skip-health-check', type: 'boolean', help: 'same as --no-wait' },
  { name: 'force', type: 'boolean', help: 'stop a program that holds a declared port first (it is named)' },
] as const;

const attachOptions = [
  { name: 'attach', short: 'a', type: 'boolean', help: 'stay in the foreground showing the services\' output; Ctrl-C stops what it started (see below)' },
  { name: 'exit-on-failure', type: 'boolean', help: 'with --attach: when a service exits or gives up restarting, stop the rest and exit 2' },
  { name: 'exit-code-from', type: 'string', value: 'SERVICE', help: 'with --attach: when SERVICE ends, stop the rest and exit with its exit code' },
  { name: 'stop-all', type: 'boolean', help: 'with --attach: at the end also stop selected services that were running before' },
  { name: 'grep', type: 'string', value: 'PATTERN', help: 'with --attach: only output lines matching this regular expression (as logs)' },
  { name: 'level', type: 'string', value: 'LEVEL', help: 'with --attach: only output lines at this level or above (as logs)' },
  { name: 'raw', type: 'boolean', help: 'with --attach: output lines as written, colour codes included' },
] as const;

export const commands: Command[] = [
  {
    name: 'up',
    aliases: ['start'],
    args: '[service|group ...]',
    summary: 'start services (and what they depend on) in dependency order; all by default',
    options: [...upOptions, ...attachOptions],
    notes: [
      'Not attached by default: up returns once the services are ready and leaves nothing of manage.ts running, so',
      'a terminal closing or a CI step ending never stops them. --attach stays in the foreground: the services\'',
      'output interleaved (as logs -f), a line when one exits or is restarted; Ctrl-C, SIGTERM or SIGHUP stops what',
      'this session started (a second Ctrl-C kills at once) and leaves running what ran before. It exits 0 after a',
      'clean stop, 2 when a start or a stop failed or a service exited on its own, the service\'s code with',
      '--exit-code-from, 130 after a second Ctrl-C (or a signal before the --exit-code-from service ended).',
    ],
    examples: [
      'manage.ts up',
      'manage.ts up dashboard        # also starts what it depends on',
      'manage.ts up relays --no-wait',
      'manage.ts up -a               # in the foreground until Ctrl-C',
      'manage.ts up --attach --exit-code-from e2e    # CI: the tests\' exit code, then everything stopped',
    ],
    run: (context, invocation) => {
      const attached = parseAttachRequest(invocation.options, Date.now());
      if (attached) return attach(context, invocation.words, attached);
      return withLock(context, 'up', () => runUp(context, invocation.words, invocation));
    },
  },
  {
    name: 'down',
    aliases: ['stop'],
    args: '[service|group ...]',
    summary: 'stop services, dependents first: stop signal to the whole process group, SIGKILL after the timeout',
    options: [{ name: 'force', type: 'boolean', help: 'SIGKILL at once (a second Ctrl-C does the same)' }],
    examples: ['manage.ts down', 'manage.ts down signal', 'manage.ts down --force'],
    run: (context, invocation) => withLock(context, 'down', () => runDown(context, invocation.words, invocation)),
  },
  {
    name: 'restart',
    aliases: [],
    args: '[service|group ...]',
    summary: 'down then up for the selection',
    options: [...upOptions],
    examples: ['manage.ts restart', 'manage.ts restart execution'],
    run: (context, invocation) =>
      withLock(context, 'restart', async () => {
        const stopped = await runDown(context, invocation.words, { ...invocation, options: {} }, true);
        if (stopped !== ExitCode.ok) return stopped;
        return runUp(context, invocation.words, invocation);
      }),
  },
  {
    name: 'status',
    aliases: ['ps'],
    args: '[service|group ...]',
    summary: 'one line per service: state and health, PID, uptime, CPU, memory, ports, last log write',
    options: [
      { name: 'json', type: 'boolean', help: 'machine-readable JSON (schemaVersion 1, docs/status-json.md), no colours' },
      { name: 'check', type: 'boolean', help: `exit 0 only if every selected service is running and ready, else ${ExitCode.unhealthy}` },
      { name: 'watch', short: 'w', type: 'boolean', help: 'redraw every few seconds until Ctrl-C (with --json: one JSON line per refresh)' },
      { name: 'interval', type: 'string', value: 'S', help: 'seconds between --watch refreshes (default 2)' },
    ],
    examples: ['manage.ts status', 'manage.ts status --json | jq .summary', 'manage.ts status -v dashboard', 'manage.ts status --watch', 'manage.ts status --check -q && echo healthy'],
    run: (context, invocation) => runStatus(context, invocation.words, invocation),
  },
  {
    name: 'health',
    aliases: [],
    args: '[service|group ...]',
    summary: `status --check: exit 0 only if every selected service is running and ready, else ${ExitCode.unhealthy}`,
    options: [{ name: 'json', type: 'boolean', help: 'the status JSON instead of the table' }],
    examples: ['manage.ts health', 'manage.ts health -q api || echo "api is not ready"'],
    run: (context, invocation) => runStatus(context, invocation.words, { ...invocation, options: { ...invocation.options, check: true } }),
  },
  {
    name: 'logs',
    aliases: ['log'],
    args: '[service|group ...]',
    summary: 'the last lines of each log, prefixed with the service name; filters; -f follows them',
    options: [
      { name: 'lines', short: 'n', type: 'string', value: 'N', help: 'lines per service that pass the filters (default 50; no limit with --since)' },
      { name: 'follow', short: 'f', type: 'boolean', help: 'keep printing new lines until Ctrl-C, across restarts and rotations' },
      { name: 'grep', type: 'string', value: 'PATTERN', help: 'only lines matching this JavaScript regular expression' },
      { name: 'level', type: 'string', value: 'LEVEL', help: 'only lines at this level or above: error, warn, info or debug' },
      { name: 'since', type: 'string', value: 'TIME', help: 'only lines written since TIME: 30s, 10m, 2h, 1d, or an ISO timestamp' },
      { name: 'raw', type: 'boolean', help: 'print lines as written, colour codes included' },
      { name: 'clean', type: 'boolean', help: 'remove the rotated logs (<name>.log.N) of the selection, not the live logs' },
      { name: 'stats', type: 'boolean', help: 'per service: log size, lines, errors, warnings, last write, rotations kept' },
      { name: 'json', type: 'boolean', help: 'with --stats: JSON (schemaVersion 1) instead of the table' },
    ],
    notes: [
      'Rotations (<name>.log.1, .2, ...) are read too, oldest first. Lines are plain in a pipe (colour codes the',
      'service wrote are removed); on a terminal, level words are coloured.',
      '',
      'Levels: the uppercase words ERROR, ERR, FATAL, CRITICAL, PANIC (error), WARN, WARNING (warn), INFO (info),',
      'DEBUG, TRACE (debug); also level=error, a JSON "level" (a name, or pino\'s 10-60), "panicked at" and Python',
      'tracebacks (error). Indented lines, such as a stack trace, take the level of the line they continue.',
      '',
      'Times for --since: the timestamp a line starts with (ISO 8601 with T or a space, optional fraction and zone,',
      'optionally in [ ]). A line without one takes the time of the last line that had one, at the latest the',
      '"=== <time> manage.ts up" header of its run. --level and --since leave out lines whose level or time is unknown.',
    ],
    examples: [
      'manage.ts logs',
      'manage.ts logs -n 200 signal',
      'manage.ts logs -f | grep ERROR',
      'manage.ts logs --level warn --since 10m',
      'manage.ts logs -f --grep "filled order #\\d+" execution',
      'manage.ts logs --stats',
      'manage.ts logs --clean',
    ],
    run: async (context, invocation) => {
      const request = parseLogsRequest(invocation.options, Date.now());
      if (request.kind === 'clean') {
        await cleanLogs(context, invocation.words);
        return ExitCode.ok;
      }
      if (request.kind === 'stats') {
        await showLogStats(context, invocation.words, request.json);
        return ExitCode.ok;
      }
      await untilInterrupted((until) => logs(context, invocation.words, { ...request.options, until }));
      return ExitCode.ok;
    },
  },
  {
    name: 'init',
    aliases: [],
    args: '<repository>',
    summary: 'add manage.ts to another repository: the engine, an empty startup.ts, .gitignore lines, its packages',
    options: [
      { name: 'dir', type: 'string', value: 'NAME', help: 'the folder for manage.ts, directly under the repository root (default scripts)' },
      { name: 'no-install', type: 'boolean', help: 'copy only; install the engine\'s packages later with npm install in its folder' },
    ],
    notes: [
      'Writes <dir>/manage.ts, <dir>/lib/manage/ (the engine, with its own package.json and node_modules, so the',
      'repository\'s package.json, lockfile and "type" stay as they are), <dir>/lib/startup.ts (your SERVICES, empty),',
      '<dir>/lib/tsconfig.json (for your editor, unless one is there) and /logs/, /.pids/, node_modules/ in .gitignore.',
      'Nothing is overwritten: a file in the way is named and nothing is written. A repository that has manage.ts',
      'already is upgraded instead.',
    ],
    examples: ['manage.ts init ../my-app', 'manage.ts init ../my-app --dir tools'],
    runAlone: (invocation, ui) => init(oneRepository(invocation), { dir: (invocation.options.dir as string | undefined) ?? 'scripts', install: !invocation.options['no-install'] }, ui),
  },
  {
    name: 'upgrade',
    aliases: [],
    args: '<repository>',
    summary: 'replace the engine of manage.ts in another repository with this one; startup.ts and the state stay',
    options: [
      { name: 'dir', type: 'string', value: 'NAME', help: 'the folder of manage.ts there, where more than one is found' },
      { name: 'no-install', type: 'boolean', help: 'do not run npm when the engine\'s packages changed' },
    ],
    notes: [
      'Files are swapped in by renames: running services keep running, and a command started meanwhile sees the',
      'old engine or the new one. The installed packages are kept, and npm runs only when their versions changed.',
    ],
    examples: ['manage.ts upgrade ../my-app', 'manage.ts upgrade ../my-app -v      # lists the files that changed'],
    runAlone: (invocation, ui) => upgrade(oneRepository(invocation), { dir: invocation.options.dir as string | undefined, install: !invocation.options['no-install'] }, ui),
  },
  {
    name: 'validate',
    aliases: [],
    args: '',
    summary: 'check the services file for CI: it loads, every SERVICES entry is valid, it type-checks; exit 1 on any problem',
    options: [
      { name: 'json', type: 'boolean', help: 'the checks as JSON (schemaVersion 1, docs/status-json.md)' },
      { name: 'strict', type: 'boolean', help: 'a skipped type check (typescript not installed, or a JavaScript services file) fails too' },
    ],
    notes: [
      'Starts nothing and reads no state. The type check runs tsc (the repository\'s node_modules/.bin/tsc, else the',
      'engine\'s) on the services file and what it imports; without typescript it is skipped with a note, and a',
      'services file in JavaScript has no types to check.',
    ],
    examples: ['manage.ts validate', 'manage.ts validate --strict --services stacks/ci.ts', 'manage.ts validate --json | jq .ok'],
    runAlone: async (invocation, ui) => {
      if (invocation.words.length > 0) throw new ManageError(`validate takes no arguments, not "${invocation.words[0]}"`, ExitCode.usage, 'name another services file with --services FILE');
      const { servicesFile } = locate({ services: invocation.options.services as string | undefined });
      const report = await validate(servicesFile, { strict: Boolean(invocation.options.strict) });
      if (invocation.options.json) ui.result(JSON.stringify(report, null, 2));
      else formatValidateReport(report, ui).forEach((line) => ui.result(line));
      return report.ok ? ExitCode.ok : ExitCode.usage;
    },
  },
  {
    name: 'import',
    aliases: [],
    args: '<file>',
    summary: 'add the services of a docker-compose.yml, Procfile, manage.sh or PM2 ecosystem file to startup.ts',
    options: [
      { name: 'from', type: 'string', value: 'KIND', help: 'read the file as compose, procfile, manage-sh or pm2 (default: from its name and content)' },
      { name: 'stdout', type: 'boolean', help: 'print the declarations instead of writing them' },
      { name: 'force', type: 'boolean', help: 'replace services of the same name that startup.ts already declares' },
      { name: 'env', type: 'string', value: 'NAME', help: 'PM2: apply env_NAME over env (e.g. --env production)' },
      { name: 'port', type: 'string', value: 'N', help: 'Procfile: the first $PORT, as foreman\'s --port (default 5000; +100 per process type)' },
    ],
    notes: [
      'Writes into the SERVICES array of the services file (lib/startup.ts, or --services FILE), each service with',
      '// comments on what could not be carried over; the edited file is loaded and validated before it replaces',
      'the old one, so an invalid result is never written. A PM2 file is parsed, never run: values computed in',
      'JavaScript are named in comments. See README.md "import" for what each kind maps to.',
    ],
    examples: ['manage.ts import docker-compose.yml', 'manage.ts import Procfile --port 6000', 'manage.ts import ecosystem.config.js --env production --stdout', 'manage.ts import old/manage.sh --from manage-sh'],
    runAlone: async (invocation, ui) => {
      if (invocation.words.length !== 1) throw new ManageError('import needs exactly one file', ExitCode.usage, 'usage: manage.ts import [options] <file>');
      const { importServices } = await import('./import.ts');
      const options = invocation.options;
      const servicesOption = typeof options.services === 'string' ? options.services : undefined;
      return importServices(
        {
          file: invocation.words[0]!,
          from: options.from as string | undefined,
          environment: options.env as string | undefined,
          port: options.port as string | undefined,
          force: Boolean(options.force),
          stdout: Boolean(options.stdout),
          servicesFile: locate({ services: servicesOption }).servicesFile,
          servicesOption,
        },
        ui,
      );
    },
  },
  {
    name: 'help',
    aliases: [],
    args: '[command]',
    summary: 'this help, or one command\'s options and examples',
    options: [],
    examples: ['manage.ts help up'],
    run: async () => ExitCode.ok,
  },
];

/** Runs one parsed invocation and returns its exit code; help never loads the services file. */
export async function dispatch(invocation: Invocation, ui: Ui = createUiFor(invocation)): Promise<number> {
  const command = findCommand(commands, invocation.command)!;
  if (command.name === 'help' || invocation.options.help) {
    const topic = command.name === 'help' ? invocation.words[0] : command.name;
    const target = topic === undefined ? undefined : findCommand(commands, topic);
    if (topic !== undefined && !target) throw new ManageError(`no help for unknown command "${topic}"${didYouMean(topic, commandWords(commands))}`, ExitCode.usage, 'run "manage.ts help" to see the commands');
    ui.result(target ? formatCommandHelp(target) : formatHelp(commands));
    return ExitCode.ok;
  }
  if ('runAlone' in command) return command.runAlone(invocation, ui);
  const locations = locate({ services: invocation.options.services as string | undefined, stateDir: invocation.options['state-dir'] as string | undefined });
  const context = await createContext(locations, ui);
  return command.run(context, invocation);
}

/** The one repository `init` and `upgrade` act on. */
function oneRepository(invocation: Invocation): string {
  const [repository, ...extra] = invocation.words;
  if (repository === undefined || extra.length > 0) {
    throw new ManageError(`${invocation.command} takes one repository folder${extra.length > 0 ? `, not ${invocation.words.length}` : ''}`, ExitCode.usage, `for example: manage.ts ${invocation.command} ../my-app`);
  }
  return repository;
}

export function createUiFor(invocation: Invocation): Ui {
  return createUi({
    quiet: Boolean(invocation.options.quiet),
    verbose: Boolean(invocation.options.verbose),
    noColor: Boolean(invocation.options['no-color']) || Boolean(invocation.options.json),
  });
}
