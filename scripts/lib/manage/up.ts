// `up`: start a selection over its dependency graph, each service as soon as what it depends on is ready.
import { readFileSync, statSync } from 'node:fs';
import { displayPath, ensureStateDirs, type Context } from './config.ts';
import { logPath } from './logfiles/selection.ts';
import { ManageError } from './core/errors.ts';
import { withDependencies, selectServices, startOrder } from './core/graph.ts';
import { readLastLines } from './logfiles/logfile.ts';
import { describeCap, enforceLogCaps, rotateBeforeStart } from './logfiles/logrotate.ts';
import { isStartHeader, startHeader } from './logfiles/logtime.ts';
import { keptCommand, readKeeperState, removeKeeperState } from './process/keeper.ts';
import { removeExitRecord, removePidFile, writeExitRecord, writePidFile, type PidRecord } from './state/pidfile.ts';
import { settleLegacyPidFiles } from './state/legacy.ts';
import { now, pollUntil, sleep } from './process/poll.ts';
import { isAlive, isSameProcess, startedNoEarlier } from './core/identity.ts';
import { clearLeftovers, preflight, type Plan } from './preflight.ts';
import { describePids } from './process/processes.ts';
import { describeCheck, waitUntilReady, type ReadyResult } from './health/readiness.ts';
import { formatBytes } from './core/bytes.ts';
import type { ResolvedService } from './core/service.ts';
import { spawnService, type ExitStatus, type SpawnedService } from './process/shell.ts';
import { liveMembers, terminateService } from './process/terminate.ts';
import { formatDuration } from './terminal/ui.ts';

export interface UpOptions {
  /** Start in dependency order without waiting for readiness (--no-wait). */
  noWait?: boolean;
  /** Stop a stranger holding a declared port first (--force). */
  force?: boolean;
  /** Set by Ctrl-C: stop waiting and report what runs. */
  interrupted?: () => boolean;
  /** Told of each process this call spawns, and so of how it ends (up --attach reports exits with their codes). */
  onSpawned?: (name: string, spawned: SpawnedService) => void;
}

/** What happened to one service during `up`. */
export type StartResult =
  | { name: string; outcome: 'started'; pid: number; ms: number; waited: boolean }
  | { name: string; outcome: 'running'; pid: number }
  | { name: string; outcome: 'completed'; pid: number; ms: number }
  | { name: string; outcome: 'failed'; reason: string; logTail: string[]; pid?: number }
  | { name: string; outcome: 'skipped'; dependency: string }
  | { name: string; outcome: 'interrupted'; pid?: number };

/**
 * Starts the selection and what it depends on; every service starts the moment its dependencies are ready.
 * The caller holds the state-directory lock.
 */
export async function up(context: Context, words: string[], options: UpOptions = {}): Promise<StartResult[]> {
  const { services, ui } = context;
  const names = withDependencies(services, selectServices(services, words));
  const order = startOrder(services, names);
  const byName = new Map(services.map((service) => [service.name, service]));
  await settleLegacyPidFiles(context, order, displayPath);
  ensureStateDirs(context);
  const plans = await preflight(context, order.map((name) => byName.get(name)!), options);
  await clearLeftovers(context, plans);

  const width = Math.max(...order.map((name) => name.length));
  const results = new Map<string, Promise<StartResult>>();
  const waiting = new Map<string, number>();
  let finished = 0;
  for (const name of order) {
    const service = byName.get(name)!;
    const dependencies = service.dependsOn.filter((dependency) => results.has(dependency));
    const result = Promise.all(dependencies.map((dependency) => results.get(dependency)!)).then(async (before) => {
      const blocked = before.find((result) => !isSatisfied(result));
      if (blocked) {
        if (blocked.outcome === 'interrupted' || options.interrupted?.()) return { name, outcome: 'interrupted' } as const;
        return { name, outcome: 'skipped', dependency: blocked.name } as const;
      }
      if (options.interrupted?.()) return { name, outcome: 'interrupted' } as const;
      waiting.set(name, now());
      return startOne(context, service, plans.get(name)!, options);
    });
    results.set(
      name,
      result.then((outcome) => {
        waiting.delete(name);
        finished++;
        report(context, outcome, width);
        return outcome;
      }),
    );
  }
  const all = Promise.all(order.map((name) => results.get(name)!));
  if (ui.rich) await showProgress(context, all, waiting, () => `${finished}/${order.length} done`);
  const outcomes = await all;
  for (const capped of await enforceLogCaps(context)) {
    if ('problem' in capped) ui.warn(describeCap(capped));
    else ui.info(`${ui.mark('note')} ${capped.name.padEnd(width)}  log passed logMaxBytes; ${formatBytes(capped.bytes)} moved out of ${displayPath(logPath(context, capped.name))}`);
  }
  ui.info(summarize(outcomes));
  return outcomes;
}

/** On a TTY: one line, redrawn every 100 ms, naming what is being waited for and for how long. */
async function showProgress(context: Context, done: Promise<unknown>, waiting: Map<string, number>, count: () => string): Promise<void> {
  let settled = false;
  void done.then(() => (settled = true));
  while (!settled) {
    const names = [...waiting].map(([name, since]) => `${name} ${formatDuration(now() - since)}`);
    context.ui.progress(names.length > 0 ? `waiting for ${names.join(', ')} · ${count()}` : undefined);
    await Promise.race([done, sleep(100)]);
  }
  context.ui.progress(undefined);
}

/** A dependency that lets its dependents start: up and ready, or a task that completed. */
function isSatisfied(result: StartResult): boolean {
  return result.outcome === 'started' || result.outcome === 'running' || result.outcome === 'completed';
}

/** Starts one service (or checks one already running); any error becomes a failed result, never an abort. */
async function startOne(context: Context, service: ResolvedService, plan: Plan, options: UpOptions): Promise<StartResult> {
  try {
    return plan.prior.kind === 'running'
      ? await checkRunning(context, service, plan.prior.record, plan.env, options)
      : await spawnAndWait(context, service, plan.env, options);
  } catch (error) {
    return { name: service.name, outcome: 'failed', reason: (error as Error).message, logTail: [] };
  }
}

/** An already running service is left alone; dependents still wait for its readiness. */
async function checkRunning(context: Context, service: ResolvedService, record: PidRecord, env: Record<string, string>, options: UpOptions): Promise<StartResult> {
  const { name } = service;
  if (service.oneShot) {
    return { name, outcome: 'failed', reason: `task still running (pid ${record.pid}) from an earlier up; wait for it, or stop it with "down ${name}"`, logTail: [], pid: record.pid };
  }
  if (options.noWait) return { name, outcome: 'running', pid: record.pid };
  const ready = await waitForRecorded(context, service, record, env, options);
  if (ready.ready) return { name, outcome: 'running', pid: record.pid };
  if (ready.reason === 'interrupted') return { name, outcome: 'interrupted', pid: record.pid };
  const why = ready.reason === 'exited' ? 'it exited' : describeTimeout(service, ready.ms, ready.lastCheck);
  return { name, outcome: 'failed', reason: `already running (pid ${record.pid}) but not ready: ${why}; left as it is`, logTail: [], pid: record.pid };
}

async function spawnAndWait(context: Context, service: ResolvedService, env: Record<string, string>, options: UpOptions): Promise<StartResult> {
  const { name } = service;
  const path = logPath(context, name);
  const command = service.commandText;
  context.ui.detail(`starting ${name}: ${command} (cwd ${displayPath(service.cwd)})`);
  const started = now();
  removeExitRecord(context.stateDir, name);
  removeKeeperState(context.stateDir, name);
  const kept = keptCommand(service, context.stateDir, env);
  // Nothing of the service runs now, so nothing writes to the old log: it can move aside whole.
  await rotateBeforeStart(context, service);
  const spawned = await spawnService({
    command: kept.command,
    cwd: service.cwd,
    env: kept.env,
    logPath: path,
    header: startHeader(name, command),
  });
  options.onSpawned?.(name, spawned);

  const info = await context.processes.get(spawned.pid);
  const record: PidRecord = {
    service: name,
    pid: spawned.pid,
    pgid: spawned.pid,
    startTime: info?.startTime ?? Date.now(),
    startTicks: info?.startTicks,
    bootId: context.processes.bootId,
    startedAt: new Date().toISOString(),
    command,
    logOffset: spawned.logOffset,
  };
  try {
    writePidFile(context.stateDir, record);
  } catch (error) {
    // Without its PID file the service could never be stopped by manage.ts: do not leave it running.
    await terminateService(record, { signal: 'SIGKILL', timeoutMs: 0, processes: context.processes });
    throw new ManageError(`cannot write the PID file of "${name}" (${(error as Error).message}); stopped it again`, 2);
  }

  if (service.oneShot) return completeTask(context, service, record, spawned.exited, started, options);
  if (service.pidFile) return adoptDaemon(context, service, record, spawned.exited, started, env, options);

  // --no-wait skips the readiness check, not the "still alive a moment later" one, which readyTimeout (meant
  // for the check) must not cut short.
  const check = options.noWait ? { ...service, ready: undefined, readyTimeout: Math.max(service.readyTimeout, service.settleMs + 1000) } : service;
  const ready = await waitUntilReady(check, {
    exited: spawned.exited,
    crashed: () => {
      const keeper = service.restart === 'no' ? undefined : readKeeperState(context.stateDir, name);
      return keeper && { code: keeper.lastExit, signal: null };
    },
    logPath: path,
    logOffset: spawned.logOffset,
    env,
    stop: options.interrupted,
    ownsPort: (port) => ownsPort(context, record, port),
  });
  if (ready.ready) {
    if (!options.noWait) writePidFile(context.stateDir, { ...record, readyAt: new Date().toISOString() });
    return { name, outcome: 'started', pid: spawned.pid, ms: now() - started, waited: !options.noWait };
  }
  return failStart(context, service, record, ready);
}

/**
 * Waits for a one-shot task to exit (even with --no-wait: dependents need it done), within readyTimeout.
 * Anything it left running in its group is stopped, so a task never leaves orphans.
 */
async function completeTask(context: Context, service: ResolvedService, record: PidRecord, exited: Promise<ExitStatus>, started: number, options: UpOptions): Promise<StartResult> {
  const { name } = service;
  const status = await waitForExit(exited, service.readyTimeout, options);
  const ms = now() - started;
  if (!status) {
    if (options.interrupted?.()) return { name, outcome: 'interrupted', pid: record.pid };
    writeExitRecord(context.stateDir, name, { code: null, signal: null, timedOut: true, finishedAt: new Date().toISOString(), ms: Math.round(ms) });
    return failStart(context, service, record, { ready: false, reason: 'timeout', ms, lastCheck: 'still running' });
  }
  writeExitRecord(context.stateDir, name, { code: status.code, signal: status.signal, finishedAt: new Date().toISOString(), ms: Math.round(ms) });
  if (status.code !== 0) return failStart(context, service, record, { ready: false, reason: 'exited', status, ms });
  const leftover = await terminateService(record, { signal: service.stopSignal, timeoutMs: Math.min(service.stopTimeout, 5000), processes: context.processes });
  if (leftover.outcome !== 'not-running') context.ui.info(`${context.ui.mark('note')} ${name}: stopped processes the task left running`);
  removePidFile(context.stateDir, name);
  return { name, outcome: 'completed', pid: record.pid, ms };
}

/**
 * A command that daemonizes exits 0 once its daemon runs. Its own PID file names the daemon, which is then
 * recorded with the same identity checks (start time, boot id) and waited on like any service.
 */
async function adoptDaemon(
  context: Context,
  service: ResolvedService,
  launcher: PidRecord,
  exited: Promise<ExitStatus>,
  started: number,
  env: Record<string, string>,
  options: UpOptions,
): Promise<StartResult> {
  const { name } = service;
  const deadline = started + service.readyTimeout;
  const launchedAt = Date.now() - (now() - started);
  const status = await waitForExit(exited, service.readyTimeout, options);
  if (!status) {
    if (options.interrupted?.()) return { name, outcome: 'interrupted', pid: launcher.pid };
    return failStart(context, service, launcher, { ready: false, reason: 'timeout', ms: now() - started, lastCheck: 'its command did not return' });
  }
  if (status.code !== 0) return failStart(context, service, launcher, { ready: false, reason: 'exited', status, ms: now() - started });

  const daemon = await pollUntil(async () => {
    const pid = readDaemonPid(service.pidFile!, launchedAt);
    const info = pid === undefined ? undefined : await context.processes.get(pid);
    // A PID file left from an earlier run may name an unrelated process: only one started after the launch counts.
    return info && info.state !== 'Z' && startedNoEarlier(info, launcher) ? info : undefined;
  }, { timeoutMs: Math.max(0, deadline - now()), intervalMs: 25, stop: options.interrupted });
  if (!daemon && options.interrupted?.()) {
    removePidFile(context.stateDir, name);
    context.ui.warn(`${name}: interrupted before ${displayPath(service.pidFile!)} named the daemon; it may be running untracked`);
    return { name, outcome: 'interrupted' };
  }
  if (!daemon) {
    removePidFile(context.stateDir, name);
    return { name, outcome: 'failed', reason: `its command exited 0 but no live process is named in ${displayPath(service.pidFile!)}`, logTail: startLogTail(context, name, launcher.logOffset) };
  }
  const record: PidRecord = { ...launcher, pid: daemon.pid, pgid: daemon.pgid, startTime: daemon.startTime, startTicks: daemon.startTicks };
  writePidFile(context.stateDir, record);
  const ready = await waitForRecorded(context, { ...service, readyTimeout: Math.max(0, deadline - now()) }, record, env, options);
  if (ready.ready) {
    writePidFile(context.stateDir, { ...record, readyAt: new Date().toISOString() });
    return { name, outcome: 'started', pid: daemon.pid, ms: now() - started, waited: true };
  }
  return failStart(context, service, record, ready);
}

/** How the spawned command exited, or undefined when it ran past `timeoutMs` or Ctrl-C came first. */
async function waitForExit(exited: Promise<ExitStatus>, timeoutMs: number, options: UpOptions): Promise<ExitStatus | undefined> {
  let status: ExitStatus | undefined;
  void exited.then((value) => (status = value));
  return pollUntil(() => status, { timeoutMs, intervalMs: 25, stop: options.interrupted });
}

/** Readiness of a process this manager did not spawn itself (already running, or an adopted daemon). */
function waitForRecorded(context: Context, service: ResolvedService, record: PidRecord, env: Record<string, string>, options: UpOptions): Promise<ReadyResult> {
  return waitUntilReady(service, {
    alive: async () => (await liveMembers(record, context.processes)).length > 0,
    logPath: logPath(context, service.name),
    logOffset: record.logOffset ?? 0,
    env,
    stop: options.interrupted,
    ownsPort: (port) => ownsPort(context, record, port),
  });
}

/**
 * The first line of a daemon's own PID file, once it holds a PID written since the launch. A file from an
 * earlier run may name an unrelated process; file times are coarse (a few ms), hence the small allowance.
 */
function readDaemonPid(path: string, launchedAt: number): number | undefined {
  try {
    if (statSync(path).mtimeMs < launchedAt - 20) return undefined;
    const first = readFileSync(path, 'utf8').split('\n')[0]!.trim();
    return /^\d+$/.test(first) ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** How long one check of a port may answer from the socket tables it read first. */
const socketTableReuseMs = 1000;

/** True when a process of the service listens on the port; otherwise a sentence saying who does. */
async function ownsPort(context: Context, record: PidRecord, port: number): Promise<true | string> {
  const { processes } = context;
  // Usually the leader itself listens: its own descriptors answer without a read of all of /proc, which
  // would add milliseconds to every hand-off from a service to its dependents. (Without /proc each question
  // runs lsof, and the short way would only add one.)
  if (processes.kind === 'proc' && (await processes.portStates([port], [record.pid])).get(port) === 'own') {
    const leader = await processes.get(record.pid);
    if (leader && isAlive(leader) && isSameProcess(record, leader, processes.bootId)) return true;
  }
  const members = await liveMembers(record, processes);
  // The socket tables just read still answer: a read costs milliseconds, and the listener is there already.
  const states = await processes.portStates([port], members.map((member) => member.pid), socketTableReuseMs);
  if (states.get(port) === 'own') return true;
  const holders = await processes.portHolders(port, socketTableReuseMs);
  const pids = holders.held ? holders.pids : [];
  if (pids.length === 0) return `port ${port} accepts, but not from a process of ${record.service}`;
  // The usual cause is a command that forks into the background and leaves its session (setsid, --daemonize).
  return `port ${port} is held by ${await describePids(processes, pids)}, outside the process group of ${record.service}; if its command daemonizes, run it in the foreground`;
}

/**
 * The last lines this start wrote. Its log_offset is just past its start header; where a size cap
 * (logMaxBytes) has cut the log since, other text ends there, and all that is left came from this start.
 */
export function startLogTail(context: Context, name: string, offset = 0): string[] {
  const path = logPath(context, name);
  const [header] = readLastLines(path, 1, { to: offset });
  const from = header !== undefined && isStartHeader(header, name) ? offset : 0;
  return readLastLines(path, 10, { from });
}

/** A start that exited or timed out leaves nothing behind: its group is stopped and its PID file removed. */
async function failStart(context: Context, service: ResolvedService, record: PidRecord, ready: Exclude<ReadyResult, { ready: true }>): Promise<StartResult> {
  const { name } = service;
  if (ready.reason === 'interrupted') return { name, outcome: 'interrupted', pid: record.pid };
  const stopped = await terminateService(record, { signal: service.stopSignal, timeoutMs: Math.min(service.stopTimeout, 5000), processes: context.processes });
  const logTail = startLogTail(context, name, record.logOffset);
  const reason =
    ready.reason === 'exited'
      ? describeExit(ready.status, ready.ms)
      : service.oneShot
        ? `did not finish within ${formatDuration(service.readyTimeout)} (readyTimeout); stopped it`
        : `${describeTimeout(service, ready.ms, ready.lastCheck)}; stopped it`;
  if (stopped.outcome === 'survived') {
    const pids = stopped.survivors.map((survivor) => survivor.pid).join(', ');
    return { name, outcome: 'failed', reason: `${reason}; processes ${pids} survived SIGKILL, PID file kept`, logTail, pid: record.pid };
  }
  removePidFile(context.stateDir, name);
  return { name, outcome: 'failed', reason, logTail, pid: record.pid };
}

function describeTimeout(service: ResolvedService, ms: number, lastCheck: string): string {
  return `not ready after ${formatDuration(ms)} (waiting for ${describeCheck(service.ready, service.settleMs)}: ${lastCheck})`;
}

/** "exited with code 1", "command not found (exit 127)", "killed by SIGSEGV", with when. */
export function describeExit(status: ExitStatus, ms: number): string {
  const after = `${formatDuration(ms)} after start`;
  if (status.signal) return `killed by ${status.signal} ${after}`;
  if (status.code === 127) return `command not found (exit 127) ${after}`;
  if (status.code === 126) return `command not executable (exit 126) ${after}`;
  if (status.code === null) return `exited ${after}`;
  return `exited with code ${status.code} ${after}`;
}

function report(context: Context, result: StartResult, width: number): void {
  const { ui } = context;
  const name = result.name.padEnd(width);
  switch (result.outcome) {
    case 'started':
      ui.info(`${ui.mark('ok')} ${name}  ${result.waited ? `ready in ${formatDuration(result.ms)}` : 'started (not waiting for readiness)'} (pid ${result.pid})`);
      return;
    case 'running':
      ui.info(`${ui.mark('note')} ${name}  already running (pid ${result.pid})`);
      return;
    case 'completed':
      ui.info(`${ui.mark('ok')} ${name}  completed in ${formatDuration(result.ms)} (exit 0)`);
      return;
    case 'skipped':
      ui.error(`${ui.mark('skip')} ${name}  skipped (dependency ${result.dependency} failed)`);
      return;
    case 'interrupted':
      ui.warn(`${ui.mark('skip')} ${name}  ${result.pid ? `interrupted while waiting; left running (pid ${result.pid})` : 'not started (interrupted)'}`);
      return;
    case 'failed':
      ui.error(`${ui.mark('fail')} ${name}  ${result.reason}`);
      if (result.logTail.length > 0) {
        ui.error(`    last lines of ${displayPath(logPath(context, result.name))}:`);
        for (const line of result.logTail) ui.error(`    | ${line}`);
      }
  }
}

/** "3 started, 1 already running, 1 failed, 2 skipped". */
export function summarize(results: StartResult[]): string {
  const count = (outcome: StartResult['outcome']): number => results.filter((result) => result.outcome === outcome).length;
  const parts: Array<[number, string]> = [
    [count('started'), 'started'],
    [count('running'), 'already running'],
    [count('completed'), 'completed'],
    [count('failed'), 'failed'],
    [count('skipped'), 'skipped'],
    [count('interrupted'), 'interrupted'],
  ];
  return parts.filter(([number]) => number > 0).map(([number, label]) => `${number} ${label}`).join(', ');
}
