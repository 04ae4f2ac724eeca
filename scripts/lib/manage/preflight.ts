// Before up changes anything: every PID file, env file, cwd and declared port is checked, and a plan made.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Context } from './config.ts';
import { ManageError } from './core/errors.ts';
import { describePids } from './process/processes.ts';
import { classifyRecord, serviceMembers, type ProcessInfo } from './core/identity.ts';
import { readPidFile, readPidFileIfReadable, removePidFile, type PidRecord } from './state/pidfile.ts';
import type { ResolvedService } from './core/service.ts';
import { terminateProcess, terminateService } from './process/terminate.ts';

/** The current state of one service before `up` touches anything. */
export type Prior =
  | { kind: 'none' }
  | { kind: 'running'; record: PidRecord }
  | { kind: 'stale'; record: PidRecord }
  | { kind: 'leftovers'; record: PidRecord; members: ProcessInfo[] };

/** Preflight looks at many ports within one command: one read of the socket tables serves them all. */
const commandSnapshotMs = 2000;

/** What up will do for one service, decided before anything changes. */
export interface Plan {
  prior: Prior;
  /** The environment to start with: manage.ts's own, then the env file, then `env`. */
  env: Record<string, string>;
}

/**
 * Reads every PID file and env file and checks every cwd and port before anything changes, so bad input
 * changes nothing. Ports held by other programs are reported together; with --force they are freed only
 * once every other check has passed.
 */
export async function preflight(context: Context, services: ResolvedService[], options: { force?: boolean }): Promise<Map<string, Plan>> {
  // One list of all processes serves every question below; a first up with no PID file and free ports
  // asks none, and saves the read of all of /proc.
  let listed: Promise<ProcessInfo[]> | undefined;
  const snapshot = (): Promise<ProcessInfo[]> => (listed ??= context.processes.list());
  const plans = new Map<string, Plan>();
  for (const service of services) plans.set(service.name, { prior: await priorState(context, service.name, snapshot), env: startEnvironment(service) });

  const problems: string[] = [];
  const strangers: Array<{ port: number; pids: number[]; text: string }> = [];
  for (const service of services) {
    const { prior } = plans.get(service.name)!;
    if (prior.kind === 'running') continue;
    if (!existsSync(service.cwd) || !statSync(service.cwd).isDirectory()) {
      throw new ManageError(`the cwd of service "${service.name}", ${service.cwd}, is not a directory`, 1, 'create it or fix cwd in the SERVICES entry');
    }
    for (const port of service.ports) {
      const holders = await context.processes.portHolders(port, commandSnapshotMs);
      if (!holders.held) continue;
      if (prior.kind === 'leftovers' && holders.pids.length > 0 && holders.pids.every((pid) => prior.members.some((member) => member.pid === pid))) continue;
      const owner = await describeHolder(context, holders.pids, snapshot);
      if (holders.unknown) {
        problems.push(`port ${port} for "${service.name}" is held by a process this user cannot see; find it with "ss -ltnp" (as root) and stop it`);
      } else if (owner.managed) {
        problems.push(`port ${port} for "${service.name}" is held by ${owner.text}; fix the ports in the SERVICES array`);
      } else if (options.force) {
        strangers.push({ port, pids: holders.pids, text: owner.text });
      } else {
        problems.push(`port ${port} for "${service.name}" is held by ${owner.text}, which manage.ts did not start; stop it, or run up --force`);
      }
    }
  }
  if (problems.length > 0) throw new ManageError(problems.join('\n'), 2, 'nothing was started');
  for (const stranger of strangers) await stopStranger(context, stranger.port, stranger.pids, stranger.text);
  return plans;
}

async function priorState(context: Context, name: string, snapshot: () => Promise<ProcessInfo[]>): Promise<Prior> {
  const record = readPidFile(context.stateDir, name);
  if (!record) return { kind: 'none' };
  const state = classifyRecord(record, await snapshot(), context.processes.bootId);
  if (state.kind === 'running') return { kind: 'running', record };
  if (state.kind === 'leftovers') return { kind: 'leftovers', record, members: state.members };
  return { kind: 'stale', record };
}

/** A missing or unreadable env file is a configuration error found before anything starts. */
export function startEnvironment(service: ResolvedService): Record<string, string> {
  const fromFile: Record<string, string> = {};
  if (service.envFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(service.envFile, 'utf8');
    } catch (error) {
      throw new ManageError(`cannot read the env file of service "${service.name}", ${service.envFile}: ${(error as Error).message}`, 1, 'create it or fix envFile in the SERVICES entry');
    }
    for (const [key, value] of Object.entries(parseEnv(text))) if (value !== undefined) fromFile[key] = value;
  }
  return { ...(process.env as Record<string, string>), ...fromFile, ...service.env };
}

/** Whether the holders of a port belong to any declared service (selected or not), described for the user. */
async function describeHolder(context: Context, pids: number[], snapshot: () => Promise<ProcessInfo[]>): Promise<{ text: string; managed: boolean }> {
  for (const service of context.services) {
    const record = readPidFileIfReadable(context.stateDir, service.name);
    if (!record) continue;
    const members = serviceMembers(record, await snapshot(), context.processes.bootId);
    if (members.some((member) => pids.includes(member.pid))) return { text: `service "${service.name}" (pid ${record.pid})`, managed: true };
  }
  return { text: await describePids(context.processes, pids), managed: false };
}

/** --force: a stranger on our port gets SIGTERM, then SIGKILL after 5 s, and the user is told. */
async function stopStranger(context: Context, port: number, pids: number[], description: string): Promise<void> {
  for (const pid of pids) {
    const info = await context.processes.get(pid);
    if (!info) continue;
    const identity = { pid, startTime: info.startTime, startTicks: info.startTicks, bootId: context.processes.bootId };
    const result = await terminateProcess(identity, { signal: 'SIGTERM', timeoutMs: 5000, processes: context.processes });
    if (result.outcome === 'survived') {
      throw new ManageError(`--force could not stop ${description} on port ${port}: it survived SIGKILL`, 2, 'stop it by hand');
    }
    const how = result.outcome === 'killed' ? 'killed' : 'stopped';
    context.ui.info(`${context.ui.mark('note')} --force: ${how} ${description}, which held port ${port}`);
  }
}

/** Stale PID files are removed and leftovers of a dead leader stopped, before new starts. Both are reported. */
export async function clearLeftovers(context: Context, plans: Map<string, Plan>): Promise<void> {
  for (const [name, { prior }] of plans) {
    if (prior.kind === 'stale') {
      removePidFile(context.stateDir, name);
      context.ui.info(`${context.ui.mark('note')} ${name}: removed stale PID file (pid ${prior.record.pid} is gone)`);
    }
    if (prior.kind === 'leftovers') {
      const stopped = await terminateService(prior.record, { signal: 'SIGTERM', timeoutMs: 5000, processes: context.processes });
      if (stopped.outcome === 'survived') {
        const pids = stopped.survivors.map((survivor) => survivor.pid).join(', ');
        throw new ManageError(`leftover processes ${pids} of "${name}" survived SIGKILL; nothing was started`, 2, 'find out what holds them (ps -o stat: D means stuck in the kernel)');
      }
      removePidFile(context.stateDir, name);
      context.ui.info(`${context.ui.mark('note')} ${name}: stopped ${prior.members.length} leftover process(es) of a previous run whose leader had exited`);
    }
  }
}
