// `logs`: the last lines of each selected log (its rotations included), filtered, and followed as they grow,
// rotate or appear.
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import type { Invocation } from './core/cli.ts';
import { displayPath, type Context } from './config.ts';
import { logPath, selectLogs } from './logfiles/selection.ts';
import { ExitCode, ManageError } from './core/errors.ts';
import { forEachLine, forEachLinePaced, listRotations, LogFollower, readLastLines } from './logfiles/logfile.ts';
import { isFiltering, logLineFilter, stripAnsi, type LineFilter } from './logfiles/logfilter.ts';
import { paintLevel, parseLevel } from './logfiles/loglevel.ts';
import { cleanRotations, enforceLogCaps, enforceLogCapsAndReport } from './logfiles/logrotate.ts';
import { collectLogStats, formatLogStatsTable } from './logstats.ts';
import { parseSince } from './logfiles/logtime.ts';
import { pollUntil } from './process/poll.ts';
import { formatBytes } from './core/bytes.ts';
import type { Colors } from './terminal/ui.ts';

export interface LogsOptions {
  /** Lines per service, counted among those that pass the filter; undefined means no limit. */
  lines: number | undefined;
  follow: boolean;
  filter: LineFilter;
  /** Print lines as the service wrote them, colour codes included. */
  raw: boolean;
  /** Resolves when following should end (Ctrl-C, or the reader went away). */
  until?: Promise<void>;
  /** Called once the tails are printed and following has begun: every line written after it is printed. */
  onFollowing?: () => void;
  /** The logs are about to be written (up --attach follows before it starts): a missing one is no news. */
  expectMissing?: boolean;
}

/** What a `logs` command line asks for: lines (filtered, maybe followed), --clean, or --stats. */
export type LogsRequest = { kind: 'show'; options: Omit<LogsOptions, 'until' | 'onFollowing' | 'expectMissing'> } | { kind: 'clean' } | { kind: 'stats'; json: boolean };

const showOnly = ['lines', 'follow', 'grep', 'level', 'since', 'raw'] as const;

/** Checks and parses the options of `logs` (pure apart from `now`); bad input is a usage error. */
export function parseLogsRequest(options: Invocation['options'], now: number): LogsRequest {
  const given = (names: readonly string[]): string[] => names.filter((name) => options[name] !== undefined).map((name) => `--${name}`);
  if (options.clean) {
    const extra = given([...showOnly, 'stats', 'json']);
    if (extra.length > 0) throw new ManageError(`--clean does not go with ${extra.join(', ')}`, ExitCode.usage, 'run "logs --clean [service ...]" on its own');
    return { kind: 'clean' };
  }
  if (options.stats) {
    const extra = given(showOnly);
    if (extra.length > 0) throw new ManageError(`--stats does not go with ${extra.join(', ')}`, ExitCode.usage, 'run "logs --stats [--json] [service ...]" on its own');
    return { kind: 'stats', json: Boolean(options.json) };
  }
  if (options.json) throw new ManageError('--json only goes with --stats', ExitCode.usage, 'add --stats, or drop --json');
  const filter: LineFilter = {};
  if (typeof options.grep === 'string') filter.grep = compilePattern(options.grep);
  if (typeof options.level === 'string') {
    filter.level = parseLevel(options.level);
    if (!filter.level) throw new ManageError(`--level "${options.level}" is not a level`, ExitCode.usage, 'use error, warn, info or debug; each shows its level and those above it');
  }
  if (typeof options.since === 'string') filter.since = parseSince(options.since, now);
  const text = options.lines;
  const lines = text === undefined ? (filter.since === undefined ? 50 : undefined) : Number(text);
  if (lines !== undefined && (!Number.isInteger(lines) || lines < 0)) throw new ManageError(`-n needs a whole number of lines, not "${String(text)}"`, ExitCode.usage);
  return { kind: 'show', options: { lines, follow: Boolean(options.follow), filter, raw: Boolean(options.raw) } };
}

function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    const why = (error as Error).message.replace(/^Invalid regular expression: /, '');
    throw new ManageError(`--grep "${pattern}" is not a valid regular expression (${why})`, ExitCode.usage, 'put a backslash before ( ) [ ] { } * + ? . | ^ $ meant literally, e.g. --grep "\\(timeout\\)"');
  }
}

const serviceColors: Array<keyof Colors> = ['cyan', 'magenta', 'blue', 'green', 'yellow', 'red'];

/** A stable colour per service name, so a service keeps its colour between runs. */
export function colorFor(name: string): keyof Colors {
  let hash = 0;
  for (const character of name) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return serviceColors[hash % serviceColors.length]!;
}

/** "name | line", the name padded to the width of the longest selected name. */
export function prefixLine(name: string, width: number, line: string, color?: Colors): string {
  const label = name.padEnd(width);
  const painted = color ? (color[colorFor(name)] as (text: string) => string)(label) : label;
  return `${painted} | ${line}`;
}

/**
 * A line as it is printed: as written with --raw; on a TTY with its level word coloured (and the service's
 * own colours kept); elsewhere without colour codes, so a pipe or file gets plain text.
 */
export function renderLine(line: string, options: { raw: boolean; color?: Colors }): string {
  if (options.raw) return line;
  return options.color ? paintLevel(line, options.color) : stripAnsi(line);
}

export async function logs(context: Context, words: string[], options: LogsOptions): Promise<void> {
  const names = selectLogs(context, words);
  await enforceLogCapsAndReport(context);
  const width = Math.max(...names.map((name) => name.length));
  const color = context.ui.rich ? context.ui.color : undefined;
  const print = (name: string, line: string): void => context.ui.result(prefixLine(name, width, renderLine(line, { raw: options.raw, color }), color));

  // Each service's classifier carries level and time from its tail into the lines followed after it.
  const filters = new Map(names.map((name) => [name, logLineFilter(options.filter)]));
  const accept = (name: string, line: string): boolean => filters.get(name)!(line);
  // Offsets are taken before the tails are printed, so following starts exactly where the tail ended.
  const followers = names.map((name) => new LogFollower(name, logPath(context, name), (line) => accept(name, line) && print(name, line)));
  let printed = 0;
  let read = 0;
  for (const follower of followers) {
    const rotations = listRotations(follower.path);
    if (!existsSync(follower.path) && rotations.length === 0) {
      if (!options.expectMissing) context.ui.warn(`${follower.name}: no log yet (${follower.path})`);
      continue;
    }
    // -n 0 asks for no earlier line at all (with -f: only what comes next): no file needs reading for it.
    if (options.lines === 0) continue;
    read++;
    const show = (line: string): void => print(follower.name, line);
    if (isFiltering(options.filter)) {
      printed += await filteredTail(follower, rotations, options, (line) => accept(follower.name, line), show, () => context.ui.caughtUp());
    } else {
      const tail = plainTail(follower, rotations, options.lines);
      tail.forEach(show);
      printed += tail.length;
    }
  }
  // Silence would not tell a pattern that matches nothing from a log with nothing to match.
  if (printed === 0 && read > 0 && isFiltering(options.filter) && !options.follow) {
    const since = options.filter.since === undefined ? '' : '; for --since, a line without a timestamp of its own has the time of the last one before it, at the latest its run\'s start';
    context.ui.warn(`no line of ${read} log(s) passes the filters${since}`);
  }
  if (!options.follow) return;

  const pump = (): void => followers.forEach((follower) => follower.pump());
  let watcher: FSWatcher | undefined;
  try {
    // inotify on the directory sees writes, truncations, renames and new files at once.
    watcher = watch(context.logDir, { persistent: false }, pump);
  } catch {
    watcher = undefined;
  }
  let stopped = false;
  void options.until?.then(() => (stopped = true));
  options.onFollowing?.();
  // The poll is the fallback for file systems where watching misses events (NFS, some containers); it also
  // keeps the size caps while following. Lines are read up to the moment of a cap, then from the new start.
  await pollUntil(
    async () => {
      pump();
      if ((await enforceLogCaps(context)).some((result) => !('problem' in result))) pump();
      return stopped ? true : undefined;
    },
    { timeoutMs: Number.POSITIVE_INFINITY, intervalMs: 250 },
  );
  watcher?.close();
}

/** The last lines before the follower's start, reading back into the rotations when the log has too few. */
function plainTail(follower: LogFollower, rotations: Array<{ path: string }>, count: number | undefined): string[] {
  const wanted = count ?? Number.POSITIVE_INFINITY;
  const tail = readLastLines(follower.path, wanted, { to: follower.startOffset, maxBytes: Number.POSITIVE_INFINITY });
  for (const rotation of rotations) {
    if (tail.length >= wanted) break;
    tail.unshift(...readLastLines(rotation.path, wanted - tail.length, { maxBytes: Number.POSITIVE_INFINITY }));
  }
  return tail;
}

/**
 * Shows the last lines that pass the filter, reading every kept file oldest first (levels and times carry
 * from line to line), and returns how many. With --since, a rotation last written before it holds nothing to
 * show and is skipped. Without -n every match is shown as it is read, at the pace the output takes them (see
 * Ui.caughtUp), so neither the log nor the output waiting for a slow reader piles up in memory; a reader that
 * goes away ends the reading.
 */
async function filteredTail(
  follower: LogFollower,
  rotations: Array<{ path: string }>,
  options: LogsOptions,
  accept: (line: string) => boolean,
  show: (line: string) => void,
  caughtUp: () => Promise<boolean>,
): Promise<number> {
  const count = options.lines;
  let shown = 0;
  const kept: string[] = [];
  const keep = (line: string): void => {
    if (!accept(line)) return;
    if (count === undefined) {
      show(line);
      shown++;
      return;
    }
    kept.push(line);
    // Trimmed in batches: shifting one line off the front for every line read would be quadratic.
    if (kept.length > 2 * count + 1000) kept.splice(0, kept.length - count);
  };
  const since = options.filter.since;
  const files = [...rotations]
    .reverse()
    .filter((rotation) => {
      const written = since === undefined ? undefined : statSync(rotation.path, { throwIfNoEntry: false })?.mtimeMs;
      return since === undefined || written === undefined || written >= since;
    })
    .map((rotation): [string, { to?: number }] => [rotation.path, {}]);
  files.push([follower.path, { to: follower.startOffset }]);
  for (const [path, range] of files) {
    if (count !== undefined) forEachLine(path, keep, range);
    else if (!(await forEachLinePaced(path, keep, range, caughtUp))) break;
  }
  if (count === undefined) return shown;
  const last = count === 0 ? [] : kept.slice(-count);
  last.forEach(show);
  return last.length;
}

/** `logs --clean`: removes the rotations of the selection and says what it removed. */
export async function cleanLogs(context: Context, words: string[]): Promise<void> {
  const removed = await cleanRotations(context, words);
  for (const file of removed) context.ui.result(`removed ${displayPath(file.path)} (${formatBytes(file.bytes)})`);
  const total = removed.reduce((sum, file) => sum + file.bytes, 0);
  context.ui.result(removed.length === 0 ? 'no rotated logs to remove' : `removed ${removed.length} file(s), ${formatBytes(total)}`);
}

/** `logs --stats`: the table, or with --json the report as it is; logs over their cap are capped first. */
export async function showLogStats(context: Context, words: string[], json: boolean): Promise<void> {
  await enforceLogCapsAndReport(context);
  const report = collectLogStats(context, words);
  if (json) context.ui.result(JSON.stringify(report, null, 2));
  else formatLogStatsTable(report, context.ui).forEach((line) => context.ui.result(line));
}
