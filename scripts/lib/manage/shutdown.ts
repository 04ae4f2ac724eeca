// `down`: stop a selection, dependents before what they depend on, in parallel wherever the graph allows.
import { rmSync } from 'node:fs';
import { displayPath, undeclaredServiceNames, type Context } from './config.ts';
import { dependentsOutside, selectServices, stopOrder } from './core/graph.ts';
import { removeKeeperState } from './process/keeper.ts';
import { cpuSamplesPath, listPidFiles, readPidFile, readPidFileIfReadable, removeExitRecord, removePidFile, type PidRecord } from './state/pidfile.ts';
import { defaults, type ResolvedService } from './core/service.ts';
import { settleLegacyPidFiles } from './state/legacy.ts';
import { runCheckCommand } from './process/shell.ts';
import { liveMembers, terminateService } from './process/terminate.ts';
import { formatDuration } from './terminal/ui.ts';

export interface DownOptions {
  /** SIGKILL at once (--force). */
  force?: boolean;
  /** Checked while waiting: true escalates to SIGKILL now (a second Ctrl-C). */
  killNow?: () => boolean;
  /** Name running dependents left without a stopped dependency (default true; restart brings it back). */
  warnAboutDependents?: boolean;
}

/** What happened to one service during `down`. */
export type StopResult =
  | { name: string; outcome: 'stopped' | 'killed'; ms: number; pid: number }
  | { name: string; outcome: 'not-running'; stalePid?: number }
  | { name: string; outcome: 'failed'; reason: string };

/** What `down` works on: a declared service, or a PID file whose service was removed from SERVICES. */
interface StopTarget {
  name: string;
  stopCommand?: { command: string | string[]; cwd: string; env: Record<string, string> };
  dependsOn: string[];
  stopSignal: NodeJS.Signals;
  stopTimeout: number;
  record: PidRecord | undefined;
  undeclared: boolean;
}

/** Stops the selection (only it: dependents outside it are named, not stopped). The caller holds the lock. */
export async function down(context: Context, words: string[], options: DownOptions = {}): Promise<StopResult[]> {
  const { services } = context;
  const names = selectServices(services, words);
  const everything = words.length === 0 || words.includes('all');
  await settleLegacyPidFiles(context, everything ? [...names, ...undeclaredServiceNames(context)] : names, displayPath);
  // Every PID file is read before anything is signalled: an unreadable one stops the command unchanged.
  const byName = new Map(services.map((service) => [service.name, service]));
  const targets = stopOrder(services, names).map((name) => declaredTarget(context, byName.get(name)!));
  if (everything) targets.unshift(...undeclaredTargets(context));

  const width = Math.max(...targets.map((target) => target.name.length));
  const finished = new Map<string, Promise<StopResult>>();
  for (const target of targets) {
    const dependents = targets.filter((other) => other.dependsOn.includes(target.name) && finished.has(other.name));
    const result = Promise.all(dependents.map((dependent) => finished.get(dependent.name)!)).then(() => stopOne(context, target, options));
    finished.set(target.name, result.then((outcome) => (report(context, outcome, width, target.undeclared), outcome)));
  }
  const results = await Promise.all(targets.map((target) => finished.get(target.name)!));
  // With nothing left running, .pids/ is left empty: status's CPU samples describe processes now gone.
  if (listPidFiles(context.stateDir).length === 0) rmSync(cpuSamplesPath(context.stateDir), { force: true });
  if (options.warnAboutDependents !== false) await warnAboutDependents(context, names);
  return results;
}

function declaredTarget(context: Context, service: ResolvedService): StopTarget {
  return {
    name: service.name,
    dependsOn: service.dependsOn,
    stopSignal: service.stopSignal,
    stopTimeout: service.stopTimeout,
    stopCommand:
      service.stopCommand === undefined
        ? undefined
        : { command: service.stopCommand, cwd: service.cwd, env: { ...(process.env as Record<string, string>), ...service.env } },
    record: readPidFile(context.stateDir, service.name),
    undeclared: false,
  };
}

/** PID files of services no longer in SERVICES: `down` (all) still stops them, so nothing is orphaned by an edit. */
function undeclaredTargets(context: Context): StopTarget[] {
  return undeclaredServiceNames(context).map((name) => ({
    name,
    dependsOn: [],
    stopSignal: defaults.stopSignal,
    stopTimeout: defaults.stopTimeout,
    record: readPidFile(context.stateDir, name),
    undeclared: true,
  }));
}

/** Stops one service; an error (EPERM, say) becomes a failed result, so the others are still stopped. */
async function stopOne(context: Context, target: StopTarget, options: DownOptions): Promise<StopResult> {
  try {
    return await stopTarget(context, target, options);
  } catch (error) {
    return { name: target.name, outcome: 'failed', reason: (error as Error).message };
  }
}

async function stopTarget(context: Context, target: StopTarget, options: DownOptions): Promise<StopResult> {
  const { name, record } = target;
  // After down a task counts as not run: status shows STOPPED, not its last COMPLETED.
  removeExitRecord(context.stateDir, name);
  removeKeeperState(context.stateDir, name);
  if (!record) return { name, outcome: 'not-running' };
  const result = await terminateService(record, {
    signal: options.force ? 'SIGKILL' : target.stopSignal,
    timeoutMs: target.stopTimeout,
    processes: context.processes,
    killNow: options.killNow,
    stopCommand: target.stopCommand && (() => runStopCommand(context, name, target.stopCommand!, target.stopTimeout)),
  });
  if (result.outcome === 'survived') {
    const pids = result.survivors.map((survivor) => survivor.pid).join(', ');
    return { name, outcome: 'failed', reason: `processes ${pids} survived SIGKILL (stuck in the kernel?); PID file kept` };
  }
  removePidFile(context.stateDir, name);
  if (result.outcome === 'not-running') return { name, outcome: 'not-running', stalePid: record.pid };
  return { name, outcome: result.outcome, ms: result.ms, pid: record.pid };
}

/** A failing stop command is reported; the processes are still waited for and killed after the timeout. */
async function runStopCommand(context: Context, name: string, stop: NonNullable<StopTarget['stopCommand']>, timeoutMs: number): Promise<void> {
  const code = await runCheckCommand(stop.command, { cwd: stop.cwd, env: stop.env, timeoutMs });
  if (code !== 0) context.ui.warn(`${name}: stop command exited ${code === 124 ? 'on its timeout' : `with code ${code}`}; waiting for its processes anyway`);
}

function report(context: Context, result: StopResult, width: number, undeclared: boolean): void {
  const { ui } = context;
  const name = result.name.padEnd(width);
  const suffix = undeclared ? ' (no longer in SERVICES)' : '';
  switch (result.outcome) {
    case 'stopped':
      ui.info(`${ui.mark('ok')} ${name}  stopped in ${formatDuration(result.ms)} (pid ${result.pid})${suffix}`);
      return;
    case 'killed':
      ui.info(`${ui.mark('ok')} ${name}  killed after ${formatDuration(result.ms)} (pid ${result.pid})${suffix}`);
      return;
    case 'not-running':
      ui.info(`${ui.mark('note')} ${name}  not running${result.stalePid ? ` (removed stale PID file of pid ${result.stalePid})` : ''}${suffix}`);
      return;
    case 'failed':
      ui.error(`${ui.mark('fail')} ${name}  ${result.reason}${suffix}`);
  }
}

/** A partial `down` can leave running services whose dependency is now gone: say so. */
async function warnAboutDependents(context: Context, stopped: string[]): Promise<void> {
  for (const [dependent, dependencies] of dependentsOutside(context.services, stopped)) {
    const record = readPidFileIfReadable(context.stateDir, dependent);
    if (record && (await liveMembers(record, context.processes)).length > 0) {
      context.ui.warn(`note: ${dependent} is still running and depends on ${dependencies.join(', ')}; stop it too with "down ${dependent}"`);
    }
  }
}
