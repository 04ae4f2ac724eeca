// `up --attach`: start the selection as `up` does, then stay in the foreground with the services' output
// interleaved and a line for each thing that happens to them; on Ctrl-C, SIGTERM or SIGHUP stop what this
// session started, with down's guarantees.
import { constants } from 'node:os';
import { ensureStateDirs, type Context } from '../config.ts';
import { ExitCode, ManageError } from '../core/errors.ts';
import { selectServices, withDependencies } from '../core/graph.ts';
import { isAlive, isSameProcess } from '../core/identity.ts';
import { logs, type LogsOptions } from '../logs.ts';
import { readKeeperState } from '../process/keeper.ts';
import { now, sleep } from '../process/poll.ts';
import type { ExitStatus, SpawnedService } from '../process/shell.ts';
import { down, type StopResult } from '../shutdown.ts';
import { acquireLock, readLockHolder } from '../state/lock.ts';
import { readExitRecord, readPidFileIfReadable, type PidRecord } from '../state/pidfile.ts';
import { formatDuration } from '../terminal/ui.ts';
import { describeExit, startLogTail, up, type StartResult, type UpOptions } from '../up.ts';
import { removeSession, writeSession, type SessionRecord } from './session.ts';

export interface AttachOptions {
  up: Pick<UpOptions, 'noWait' | 'force'>;
  /** How the services' lines are shown: the filters and --raw of `logs`. */
  show: Pick<LogsOptions, 'filter' | 'raw'>;
  /** --exit-on-failure: a service that exits (or gives up restarting) ends the session with exit 2. */
  exitOnFailure: boolean;
  /** --exit-code-from: when this service ends, the session ends with its exit code. */
  exitCodeFrom?: string;
  /** --stop-all: also stop the selected services that were running before the session began. */
  stopAll: boolean;
  /** Subscribes to the signals that end the session (count: how many so far); returns the unsubscribe. */
  onSignal?: (handler: (signal: NodeJS.Signals, count: number) => void) => () => void;
}

/** Ctrl-C, SIGTERM (a container runtime, systemd) and SIGHUP (the terminal closed) all end a session. */
function listenForStopSignals(handler: (signal: NodeJS.Signals, count: number) => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let count = 0;
  const listener = (signal: NodeJS.Signals): void => handler(signal, ++count);
  for (const signal of signals) process.on(signal, listener);
  return () => signals.forEach((signal) => process.off(signal, listener));
}

/** Why a session ends, and the exit code that goes with it once what it owns is stopped. */
type Ending =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'start-failed'; code: number }
  | { kind: 'exit-code-from'; name: string; code: number }
  | { kind: 'failure'; name: string }
  /** Nothing the session watches runs any more; `failed` when one of them exited on its own. */
  | { kind: 'all-ended'; failed: boolean };

/** A selected service as the session watches it. */
interface Watched {
  name: string;
  record: PidRecord;
  /** Started by this session: stopped when it ends. */
  owned: boolean;
  /** The process this session spawned for it, while the PID file names it, and how it ended once it has. */
  child?: { pid: number; exit?: ExitStatus };
  restarts: number;
  since: number;
  ended?: 'exited' | 'stopped-elsewhere';
}

/** Milliseconds between looks at the PID files and the keepers' records; an exit of our own child wakes it at once. */
const lookIntervalMs = 250;

/** Runs an attached session and returns its exit code (see README "In the foreground, in CI, in a container"). */
export async function attach(context: Context, words: string[], options: AttachOptions): Promise<number> {
  const { services, ui, stateDir } = context;
  const names = withDependencies(services, selectServices(services, words));
  if (options.exitCodeFrom !== undefined && !names.includes(options.exitCodeFrom)) {
    throw new ManageError(
      `--exit-code-from names "${options.exitCodeFrom}", which is not in the selection (${names.join(', ')})`,
      ExitCode.usage,
      `add ${options.exitCodeFrom} to the services to start, or name one of those`,
    );
  }
  ensureStateDirs(context);

  let ending: Ending | undefined;
  let signals = 0;
  let killNow = false;
  let wake = (): void => {};
  const end = (why: Ending): void => {
    ending ??= why;
    wake();
  };
  const unsubscribe = (options.onSignal ?? listenForStopSignals)((signal, count) => {
    signals = count;
    if (count === 1) ui.warn(`${signal}: stopping what this session started; press Ctrl-C again to kill at once`);
    else killNow = true;
    end({ kind: 'signal', signal });
  });

  const self = await context.processes.get(process.pid);
  const session: SessionRecord = { pid: process.pid, startTime: self?.startTime ?? Date.now(), startTicks: self?.startTicks, since: new Date().toISOString(), owns: [], shows: [], stopsAll: options.stopAll };
  let stopLogs = (): void => {};
  const logsEnd = new Promise<void>((resolve) => (stopLogs = resolve));
  let streaming: Promise<void> | undefined;
  try {
    writeSession(stateDir, session);
    // Following begins before anything starts, so every line from the first start on is shown.
    streaming = new Promise<void>((following, failed) => {
      logs(context, names, { ...options.show, lines: 0, follow: true, until: logsEnd, onFollowing: following, expectMissing: true }).then(following, failed);
    });
    await streaming;

    const spawned = new Map<string, SpawnedService>();
    const release = await acquireLock(stateDir, 'up --attach', context.processes, (holder) => ui.warn(`waiting for another manage.ts (${holder}) to finish...`));
    let results: StartResult[];
    try {
      results = await up(context, words, { ...options.up, interrupted: () => ending !== undefined, onSpawned: (name, child) => spawned.set(name, child) });
    } finally {
      release();
    }

    const watched = watchedAfterStart(context, names, results, spawned);
    session.owns = watched.filter((entry) => entry.owned).map((entry) => entry.name);
    session.shows = watched.filter((entry) => !entry.owned).map((entry) => entry.name);
    writeSession(stateDir, session);
    for (const entry of watched) {
      const child = entry.child;
      void spawned.get(entry.name)?.exited.then((status) => {
        if (child) child.exit = status;
        wake();
      });
    }
    announce(context, session, options.stopAll);
    if (!ending) ending = endingAfterStart(context, results, options);

    while (!ending) {
      await lookAt(context, watched, options, end);
      if (!ending && watched.every((entry) => entry.ended)) {
        const failed = watched.some((entry) => entry.ended === 'exited');
        ui.info(`${ui.mark('note')} nothing of this session runs any more${watched.length > 0 && !failed ? ': stopped from elsewhere' : ''}; ending it`);
        end({ kind: 'all-ended', failed });
      }
      if (ending) break;
      await Promise.race([sleep(lookIntervalMs), new Promise<void>((resolve) => (wake = resolve))]);
    }

    const stopping = watched.filter((entry) => !entry.ended && (entry.owned || options.stopAll)).map((entry) => entry.name);
    const leaving = watched.filter((entry) => !entry.ended && !entry.owned && !options.stopAll).map((entry) => entry.name);
    const stopped = await stopSession(context, stopping, leaving, () => killNow);
    return exitCode(ending, stopped, signals, options);
  } finally {
    unsubscribe();
    stopLogs();
    await streaming?.catch(() => {});
    removeSession(stateDir, process.pid);
  }
}

/**
 * After `up`: each selected service that runs now, owned when this session spawned it (its PID file is still
 * there: a failed start removes it, a completed task too). Those found running were started before.
 */
function watchedAfterStart(context: Context, names: string[], results: StartResult[], spawned: Map<string, SpawnedService>): Watched[] {
  const outcomes = new Map(results.map((result) => [result.name, result]));
  const watched: Watched[] = [];
  for (const name of names) {
    const outcome = outcomes.get(name)?.outcome;
    const record = readPidFileIfReadable(context.stateDir, name);
    if (!record || outcome === 'failed' || outcome === 'skipped' || outcome === 'completed') continue;
    const child = spawned.get(name);
    // Restarts during up are news too for a service spawned here (up cleared its keeper's record first).
    const restarts = child ? 0 : (readKeeperState(context.stateDir, name)?.restarts ?? 0);
    // A daemonizing service's PID file names its daemon, not the launcher that was spawned.
    watched.push({ name, record, owned: child !== undefined, child: child?.pid === record.pid ? { pid: child.pid } : undefined, restarts, since: now() });
  }
  return watched;
}

function announce(context: Context, session: SessionRecord, stopAll: boolean): void {
  const { ui } = context;
  if (session.owns.length > 0) ui.info(`${ui.mark('note')} attached (pid ${process.pid}): Ctrl-C stops ${session.owns.join(', ')}`);
  else ui.info(`${ui.mark('note')} attached (pid ${process.pid}): this session started nothing`);
  if (session.shows.length > 0) {
    const what = stopAll ? 'stopped too (--stop-all)' : 'left running when this session ends (--stop-all stops them too)';
    ui.info(`${ui.mark('note')} already running before: ${session.shows.join(', ')}; ${what}`);
  }
}

/** What `up`'s results already decide: a start that failed, or the --exit-code-from task that has run. */
function endingAfterStart(context: Context, results: StartResult[], options: AttachOptions): Ending | undefined {
  const target = results.find((result) => result.name === options.exitCodeFrom);
  const record = target?.outcome === 'failed' ? readExitRecord(context.stateDir, target.name) : undefined;
  const code = target?.outcome === 'completed' ? 0 : record && !record.timedOut ? exitStatusCode(record) : undefined;
  if (target && code !== undefined) {
    context.ui.info(`${context.ui.mark('note')} ${target.name}: exited with code ${code}; --exit-code-from ends the session with its code`);
    return { kind: 'exit-code-from', name: target.name, code };
  }
  if (results.some((result) => result.outcome === 'failed' || result.outcome === 'skipped')) {
    context.ui.error(`${context.ui.mark('fail')} the selection did not start; stopping what this session started`);
    return { kind: 'start-failed', code: ExitCode.failed };
  }
  return undefined;
}

/** One look at every watched service: restarts by its keeper or by another manage.ts, exits, stops from elsewhere. */
async function lookAt(context: Context, watched: Watched[], options: AttachOptions, end: (why: Ending) => void): Promise<void> {
  const { ui, stateDir } = context;
  for (const entry of watched.filter((candidate) => !candidate.ended)) {
    const keeper = readKeeperState(stateDir, entry.name);
    if (keeper && keeper.restarts > entry.restarts) {
      entry.restarts = keeper.restarts;
      ui.warn(`${ui.mark('note')} ${entry.name}: restarted by its keeper (exit ${keeper.lastExit}, restart ${keeper.restarts})`);
    }
    const record = readPidFileIfReadable(stateDir, entry.name);
    if (record && (record.pid !== entry.record.pid || record.startTime !== entry.record.startTime)) {
      ui.warn(`${ui.mark('note')} ${entry.name}: started again by another manage.ts (pid ${record.pid})`);
      Object.assign(entry, { record, child: undefined, since: now() });
      continue;
    }
    if (record && !(await hasEnded(context, entry))) continue;
    // A down (or restart) from elsewhere holds the lock while it stops the service: its outcome is known
    // once it lets go, as a removed PID file or a new one.
    const holder = await readLockHolder(stateDir, context.processes);
    if (holder) continue;
    if (!readPidFileIfReadable(stateDir, entry.name)) {
      entry.ended = 'stopped-elsewhere';
      ui.warn(`${ui.mark('note')} ${entry.name}: stopped from elsewhere (its PID file was removed, as down does)`);
      continue;
    }
    entry.ended = 'exited';
    const exit = entry.child?.exit;
    const how = exit ? describeExit(exit, now() - entry.since) : `exited after ${formatDuration(now() - entry.since)} (exit code unknown: started before this session)`;
    const gaveUp = entry.restarts > 0 ? ` and its keeper gave up after ${entry.restarts} restart(s)` : '';
    if (options.exitCodeFrom === entry.name) {
      ui.info(`${ui.mark('note')} ${entry.name}: ${how}; --exit-code-from ends the session with its code`);
      end({ kind: 'exit-code-from', name: entry.name, code: exit ? exitStatusCode(exit) : ExitCode.failed });
      return;
    }
    ui.error(`${ui.mark('fail')} ${entry.name}: ${how}${gaveUp}`);
    if (options.exitOnFailure) {
      const tail = startLogTail(context, entry.name, entry.record.logOffset);
      if (tail.length > 0) ui.error(`    last lines of ${entry.name}:`);
      for (const line of tail) ui.error(`    | ${line}`);
      ui.error(`${ui.mark('fail')} --exit-on-failure: ${entry.name} ended; stopping the rest`);
      end({ kind: 'failure', name: entry.name });
      return;
    }
  }
}

/** Our own child tells by its exit; one started before, by its leader being gone (or its PID reused). */
async function hasEnded(context: Context, entry: Watched): Promise<boolean> {
  if (entry.child) return entry.child.exit !== undefined;
  const leader = await context.processes.get(entry.record.pid);
  return !leader || !isAlive(leader) || !isSameProcess(entry.record, leader, context.processes.bootId);
}

/** Stops what the session owns, dependents first, under the lock; says what it leaves running. */
async function stopSession(context: Context, stopping: string[], leaving: string[], killNow: () => boolean): Promise<StopResult[]> {
  const { ui } = context;
  if (leaving.length > 0) ui.info(`${ui.mark('note')} left running (they ran before this session): ${leaving.join(', ')}`);
  // down of no names would mean all of them.
  if (stopping.length === 0) return [];
  ui.info(`${ui.mark('note')} stopping ${stopping.join(', ')}`);
  const timeoutMs = Math.max(...context.services.map((service) => service.stopTimeout)) * 2 + 5000;
  const release = await acquireLock(context.stateDir, 'up --attach (stopping)', context.processes, (holder) => ui.warn(`waiting for another manage.ts (${holder}) to finish...`), timeoutMs);
  try {
    return await down(context, stopping, { killNow });
  } finally {
    release();
  }
}

/** 128 + the signal's number for a process killed by a signal, as a shell reports it. */
function exitStatusCode(status: { code: number | null; signal: string | null }): number {
  if (status.code !== null) return status.code;
  const number = status.signal ? constants.signals[status.signal as NodeJS.Signals] : undefined;
  return number === undefined ? ExitCode.failed : 128 + number;
}

/**
 * 0 after a clean stop on a signal or by `down` elsewhere; 2 when a stop failed, a start failed, or a service
 * exited on its own (it ended the session with --exit-on-failure, or it was the last one running); the service's own code with --exit-code-from; 130 when a second
 * signal killed at once, or a signal came before the --exit-code-from service ended.
 */
function exitCode(ending: Ending, stopped: StopResult[], signals: number, options: AttachOptions): number {
  const stopFailed = stopped.some((result) => result.outcome === 'failed');
  switch (ending.kind) {
    case 'exit-code-from':
      return ending.code === 0 && stopFailed ? ExitCode.failed : ending.code;
    case 'signal':
      if (stopFailed) return ExitCode.failed;
      return signals > 1 || options.exitCodeFrom !== undefined ? ExitCode.interrupted : ExitCode.ok;
    case 'start-failed':
      return ending.code;
    case 'failure':
      return ExitCode.failed;
    case 'all-ended':
      return ending.failed || stopFailed ? ExitCode.failed : ExitCode.ok;
  }
}
