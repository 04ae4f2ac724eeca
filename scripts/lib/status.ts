// `status`: what runs, from PID files checked against live processes; a table or stable JSON.
import { displayPath, logPath, undeclaredServiceNames, type Context } from './config.ts';
import { selectServices } from './graph.ts';
import { classifyRecord, serviceMembers, type ProcessInfo, type RecordState } from './identity.ts';
import { ManageError } from './errors.ts';
import { readKeeperState } from './keeper.ts';
import { describeCheck } from './readiness.ts';
import { pidFilePath, readExitRecord, readPidFile, type ExitRecord, type PidRecord } from './pidfile.ts';
import type { PortState } from './processes.ts';
import type { ResolvedService } from './service.ts';
import { formatDuration, type Ui } from './ui.ts';

/**
 * RUNNING: the recorded leader is alive. STOPPED: no PID file. DEAD: a PID file but not its process, or a
 * one-shot task whose last run failed. COMPLETED: a one-shot task whose last run exited 0.
 */
export type ServiceState = 'running' | 'stopped' | 'dead' | 'completed';

/** One service as `status` reports it; `--json` prints exactly this shape. */
export interface ServiceStatus {
  name: string;
  description: string;
  groups: string[];
  state: ServiceState;
  /** Why a service is DEAD, in one sentence; null otherwise. */
  reason: string | null;
  pid: number | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
  ports: Array<{ port: number; listening: boolean; heldBy: 'service' | 'other' | null }>;
  /** Live processes in the service's process group and session. */
  processes: number;
  /** Why the PID file could not be read (the service then shows as dead); null when it is fine or absent. */
  pidFileProblem: string | null;
  /** The readiness check, and when it last passed (at up; null when up did not wait, or nothing runs). */
  ready: { check: string; passedAt: string | null } | null;
  /** With a restart policy: restarts since this start and the last exit code; null otherwise. */
  restarts: { count: number; lastExit: number; at: string } | null;
  /** For a one-shot task: how its last run ended, since the last down; null otherwise. */
  lastRun: { exitCode: number | null; signal: string | null; finishedAt: string; ms: number } | null;
  command: string;
  cwd: string;
  logFile: string;
  pidFile: string;
}

export interface StatusReport {
  schemaVersion: 1;
  generatedAt: string;
  services: ServiceStatus[];
  summary: { total: number; running: number; stopped: number; dead: number; completed: number };
  /** PID files of services no longer declared in SERVICES, with whether their process still runs. */
  undeclared: Array<{ name: string; pid: number; running: boolean }>;
}

/** Reads /proc (or ps) once for all services. */
export async function collectStatus(context: Context, words: string[], clock: () => number = Date.now): Promise<StatusReport> {
  const names = new Set(selectServices(context.services, words));
  const selected = context.services.filter((service) => names.has(service.name));
  const snapshot = await context.processes.list();
  const services = await Promise.all(selected.map((service) => serviceStatus(context, service, snapshot, clock())));
  const count = (state: ServiceState): number => services.filter((service) => service.state === state).length;
  return {
    schemaVersion: 1,
    generatedAt: new Date(clock()).toISOString(),
    services,
    summary: { total: services.length, running: count('running'), stopped: count('stopped'), dead: count('dead'), completed: count('completed') },
    undeclared: undeclaredPidFiles(context, snapshot),
  };
}

function undeclaredPidFiles(context: Context, snapshot: ProcessInfo[]): StatusReport['undeclared'] {
  const result: StatusReport['undeclared'] = [];
  for (const name of undeclaredServiceNames(context)) {
    const record = readRecord(context, name).record;
    if (record) result.push({ name, pid: record.pid, running: serviceMembers(record, snapshot, context.processes.bootId).length > 0 });
  }
  return result;
}

/** The PID file, or the sentence saying why it cannot be read: status shows every other service regardless. */
function readRecord(context: Context, name: string): { record: PidRecord | undefined; problem: string | null } {
  try {
    return { record: readPidFile(context.stateDir, name), problem: null };
  } catch (error) {
    if (!(error instanceof ManageError)) throw error;
    return { record: undefined, problem: `${error.message}; ${error.hint ?? ''}`.replace(/; $/, '') };
  }
}

async function serviceStatus(context: Context, service: ResolvedService, snapshot: ProcessInfo[], at: number): Promise<ServiceStatus> {
  const { record, problem } = readRecord(context, service.name);
  const restarts = restartsOf(context, service, record !== undefined);
  const recorded = record ? classifyRecord(record, snapshot, context.processes.bootId) : undefined;
  const members = recorded && recorded.kind !== 'gone' ? recorded.members : [];
  const leaderAlive = recorded?.kind === 'running';
  // One read of the socket tables serves every service of this status call.
  const ports = await context.processes.portStates(service.ports, members.map((member) => member.pid), 1000);
  const exit = service.oneShot && !record ? readExitRecord(context.stateDir, service.name) : undefined;
  const taskState: ServiceState = !exit ? 'stopped' : exit.code === 0 ? 'completed' : 'dead';
  const state: ServiceState = problem ? 'dead' : !record ? taskState : leaderAlive ? 'running' : 'dead';
  return {
    name: service.name,
    description: service.description,
    groups: service.groups,
    state,
    reason: problem ?? (record && recorded && recorded.kind !== 'running' ? deadReason(record.pid, recorded, restarts) : taskState === 'dead' ? failedRunReason(exit!) : null),
    pid: record?.pid ?? null,
    startedAt: leaderAlive ? record!.startedAt : null,
    uptimeSeconds: leaderAlive ? Math.max(0, Math.round((at - record!.startTime) / 1000)) : null,
    ports: service.ports.map((port) => portEntry(port, ports.get(port) ?? 'closed')),
    processes: members.length,
    pidFileProblem: problem,
    ready: service.oneShot ? null : { check: describeCheck(service.ready, service.settleMs), passedAt: leaderAlive ? readySince(record?.readyAt, restarts) : null },
    restarts,
    lastRun: exit ? { exitCode: exit.code, signal: exit.signal, finishedAt: exit.finishedAt, ms: exit.ms } : null,
    command: service.commandText,
    cwd: service.cwd,
    logFile: logPath(context, service.name),
    pidFile: pidFilePath(context.stateDir, service.name),
  };
}

/**
 * When the check passed, unless the keeper has restarted the service since. A restart during the wait fails
 * the start, so any restart of a running service came after its check (file times are too coarse to compare).
 */
function readySince(readyAt: string | undefined, restarts: ServiceStatus['restarts']): string | null {
  return readyAt === undefined || (restarts && restarts.count > 0) ? null : readyAt;
}

function restartsOf(context: Context, service: ResolvedService, started: boolean): ServiceStatus['restarts'] {
  if (service.restart === 'no' || !started) return null;
  const state = readKeeperState(context.stateDir, service.name);
  return { count: state?.restarts ?? 0, lastExit: state?.lastExit ?? 0, at: state?.at ?? '' };
}

function failedRunReason(exit: ExitRecord): string {
  const how = exit.timedOut ? 'did not finish within readyTimeout' : exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return `the task's last run ${how} at ${exit.finishedAt}; "manage.ts logs" shows why`;
}

function portEntry(port: number, state: PortState): ServiceStatus['ports'][number] {
  return { port, listening: state !== 'closed', heldBy: state === 'own' ? 'service' : state === 'other' ? 'other' : null };
}

function deadReason(pid: number, state: Exclude<RecordState, { kind: 'running' }>, restarts: ServiceStatus['restarts']): string {
  if (state.kind === 'gone' && restarts && restarts.at !== '') {
    return `its keeper stopped after ${restarts.count} restart(s) (last exit ${restarts.lastExit} at ${restarts.at}); "manage.ts logs" shows why`;
  }
  if (state.kind === 'leftovers') return `leader pid ${pid} exited but ${state.members.length} process(es) of its group still run; "down" stops them`;
  if (state.pidReused) return `pid ${pid} now belongs to another program (the PID was reused); the next up or down removes the stale PID file`;
  return `pid ${pid} is gone (crashed or killed outside manage.ts); the next up or down removes the stale PID file`;
}

/** The status table: aligned columns, colours and symbols only on a TTY. */
export function formatStatusTable(report: StatusReport, ui: Pick<Ui, 'color' | 'rich' | 'verbose'>): string[] {
  const { color, rich } = ui;
  const stateText = (state: ServiceState): string => {
    if (!rich) return state.toUpperCase();
    if (state === 'running') return color.green('● RUNNING');
    if (state === 'stopped') return color.yellow('○ STOPPED');
    if (state === 'completed') return color.green('✔ COMPLETED');
    return color.red('✗ DEAD');
  };
  const portText = (entry: ServiceStatus['ports'][number]): string => {
    const mark = entry.heldBy === 'service' ? (rich ? color.green('✓') : 'listening') : entry.listening ? (rich ? color.yellow('!') : 'held-by-other') : rich ? color.red('✗') : 'closed';
    return rich ? `${entry.port} ${mark}` : `${entry.port}:${mark}`;
  };
  const rows = report.services.map((service) => [
    service.name,
    stateText(service.state),
    service.pid === null || service.state === 'stopped' ? '-' : String(service.pid),
    service.uptimeSeconds === null ? '-' : formatUptime(service.uptimeSeconds),
    service.ports.length === 0 ? '-' : service.ports.map(portText).join(' '),
  ]);
  const header = ['SERVICE', 'STATE', 'PID', 'UPTIME', 'PORTS'];
  const lines = alignColumns([header, ...rows]);
  if (rich) lines[0] = color.bold(lines[0]!);
  report.services.forEach((service, index) => {
    const details: string[] = [];
    if (service.reason) details.push(`reason: ${service.reason}`);
    if (service.restarts && service.restarts.count > 0) details.push(`restarts: ${service.restarts.count} (last exit ${service.restarts.lastExit} at ${service.restarts.at})`);
    if (service.state === 'completed' && service.lastRun) details.push(`exit 0 at ${service.lastRun.finishedAt}, took ${formatDuration(service.lastRun.ms)}`);
    if (ui.verbose) {
      details.push(`command: ${service.command}`, `cwd: ${displayPath(service.cwd)}`, `log: ${displayPath(service.logFile)}`, `processes: ${service.processes}`);
      if (service.ready) details.push(`ready: ${service.ready.check}${service.ready.passedAt ? `, passed at ${service.ready.passedAt}` : ', not checked since this start'}`);
      if (service.description) details.push(`about: ${service.description}`);
    }
    lines[index + 1] += details.map((detail) => `\n    ${rich ? color.dim(detail) : detail}`).join('');
  });
  const { total, running, stopped, dead, completed } = report.summary;
  lines.push(`${running}/${total} running` + (completed ? `, ${completed} completed` : '') + (stopped ? `, ${stopped} stopped` : '') + (dead ? `, ${dead} dead` : ''));
  for (const orphan of report.undeclared) {
    const what = orphan.running ? `pid ${orphan.pid} still runs; "down" stops it` : `pid ${orphan.pid} is gone; "down" removes the file`;
    lines.push(`note: .pids/${orphan.name}.pid belongs to "${orphan.name}", which is no longer in SERVICES (${what})`);
  }
  return lines;
}

/** Uptime to the second it is measured in: "42s", "4m 05s", "2h 10m". */
export function formatUptime(seconds: number): string {
  return seconds < 60 ? `${seconds}s` : formatDuration(seconds * 1000);
}

/** Pads columns to a common width, measuring text without colour codes. */
export function alignColumns(rows: string[][]): string[] {
  const visible = (text: string): number => text.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => visible(row[column] ?? ''))));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visible(cell))))
      .join('  '),
  );
}
