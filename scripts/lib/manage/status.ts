// `status`: what runs, from PID files checked against live processes, with health, CPU, memory and log
// activity; a table or stable JSON. One read of /proc serves every service; nothing polls in the background.
import { readFileSync, statfsSync, statSync } from 'node:fs';
import { displayPath, undeclaredServiceNames, type Context } from './config.ts';
import { logPath } from './logfiles/selection.ts';
import { selectServices } from './core/graph.ts';
import { classifyRecord, serviceMembers, type ProcessInfo, type RecordState } from './core/identity.ts';
import { ManageError } from './core/errors.ts';
import { readKeeperState } from './process/keeper.ts';
import { readLastLines } from './logfiles/logfile.ts';
import { stripAnsi } from './logfiles/logfilter.ts';
import { detectLevel, meetsThreshold } from './logfiles/loglevel.ts';
import { checkOnce, describeCheck } from './health/readiness.ts';
import { cpuSamplesPath, pidFilePath, readExitRecord, readPidFile, writeAtomically, type ExitRecord, type PidRecord } from './state/pidfile.ts';
import { startEnvironment } from './preflight.ts';
import type { PortState } from './process/processes.ts';
import { listSessions } from './attach/session.ts';
import { formatBytes } from './core/bytes.ts';
import { cpuUsage, keptSamples, minimumWindowMs, residentBytes, takeSample, usableSample, type CpuSample, type CpuUsage } from './core/resources.ts';
import type { ResolvedService } from './core/service.ts';
import { formatDuration, type Ui } from './terminal/ui.ts';

/**
 * RUNNING: the recorded leader is alive. STOPPED: no PID file. DEAD: a PID file but not its process, or a
 * one-shot task whose last run failed. COMPLETED: a one-shot task whose last run exited 0.
 */
export type ServiceState = 'running' | 'stopped' | 'dead' | 'completed';

/**
 * For a running service, what its readiness check says now: ready; starting (not passed yet, still within
 * readyTimeout of its start); unhealthy (failing after that, or failing again after it had passed).
 */
export type Health = 'ready' | 'starting' | 'unhealthy';

/** One service as `status` reports it; `--json` prints exactly this shape (docs/status-json.md). */
export interface ServiceStatus {
  name: string;
  description: string;
  groups: string[];
  state: ServiceState;
  /** Null unless running. */
  health: Health | null;
  /** Why a service is DEAD or UNHEALTHY, in one sentence; null otherwise. */
  reason: string | null;
  pid: number | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
  ports: Array<{ port: number; listening: boolean; heldBy: 'service' | 'other' | null }>;
  /** Live processes in the service's process group and session. */
  processes: number;
  /** Those processes: PID, state letter (as ps shows it) and command line (without `details`, its name). */
  members: Array<{ pid: number; state: string; command: string }>;
  /** Processes of the service that exited but were not reaped by their parent. */
  zombies: number;
  /** CPU of all its processes in percent of one core, over `windowSeconds` (since: 'sample' or 'start'). */
  cpu: { percent: number; windowSeconds: number; since: CpuUsage['since'] } | null;
  /** Resident memory of all its processes together. */
  memoryBytes: number | null;
  /** Why the PID file could not be read (the service then shows as dead); null when it is fine or absent. */
  pidFileProblem: string | null;
  /**
   * The readiness check; when it passed at start (null when up did not wait); what it says now (`ok`, with
   * what it saw in `detail` when it fails; null when the service is not running).
   */
  ready: { check: string; passedAt: string | null; ok: boolean | null; detail: string | null } | null;
  /** With a restart policy: restarts since this start and the last exit code; null otherwise. */
  restarts: { count: number; lastExit: number; at: string } | null;
  /** For a one-shot task: how its last run ended, since the last down; null otherwise. */
  lastRun: { exitCode: number | null; signal: string | null; finishedAt: string; ms: number } | null;
  /** The log file: its size, and when it was last written to (null when there is none yet). */
  log: { bytes: number; lastWriteAt: string | null; idleSeconds: number | null };
  /** The last few ERROR and WARN lines of the log (most recent last); empty without `details`. */
  recentErrors: string[];
  command: string;
  cwd: string;
  logFile: string;
  pidFile: string;
}

/** Something the user should look at that is not one service's state. */
export interface StatusWarning {
  kind: 'disk-space' | 'zombies' | 'log-size' | 'stale-pid-file';
  service: string | null;
  message: string;
}

export interface StatusReport {
  schemaVersion: 1;
  generatedAt: string;
  services: ServiceStatus[];
  /** `running` counts every running service, ready or not; `failed` is dead plus unhealthy. */
  summary: {
    total: number;
    running: number;
    ready: number;
    starting: number;
    unhealthy: number;
    stopped: number;
    dead: number;
    completed: number;
    failed: number;
  };
  warnings: StatusWarning[];
  /** PID files of services no longer declared in SERVICES, with whether their process still runs. */
  undeclared: Array<{ name: string; pid: number; running: boolean }>;
  /** Running `up --attach` sessions: the manager's PID, since when, what it stops when it ends and what it only shows. */
  attached: Array<{ pid: number; since: string; owns: string[]; shows: string[]; stopsAll: boolean }>;
}

/** Earlier CPU samples to take differences from: kept in the state directory, or in memory by --watch. */
export interface CpuHistory {
  samples(): CpuSample[];
  record(samples: CpuSample[]): void;
  /** The shortest interval worth a CPU figure. */
  minimumWindowMs: number;
}

export interface StatusOptions {
  clock?: () => number;
  history?: CpuHistory;
  /** --check: also run command checks that passed at start (they spawn a process, so not by default). */
  deep?: boolean;
  /**
   * Read what only --verbose and --json show: each log's recent errors and every member's full command line
   * (the plain table shows neither; default true).
   */
  details?: boolean;
}

/** A log over this size gets a warning (unless a logMaxBytes cap looks after it). */
export const largeLogBytes = 100 * 1024 * 1024;
/** Less free space than this where the logs go gets a warning. */
export const lowDiskBytes = 1024 * 1024 * 1024;

/** Reads /proc (or ps) once for all services. */
export async function collectStatus(context: Context, words: string[], options: StatusOptions = {}): Promise<StatusReport> {
  const clock = options.clock ?? Date.now;
  const history = options.history ?? stateDirectoryHistory(context.stateDir);
  const names = new Set(selectServices(context.services, words));
  const selected = context.services.filter((service) => names.has(service.name));
  const snapshot = await context.processes.list();
  // Socket tables read now, then shared by every service below (--watch keeps the source between frames);
  // naming the ports lets the IPv6 table be skipped when the IPv4 one has them all.
  await context.processes.portStates(selected.flatMap((service) => service.ports), [], 0);
  const at = clock();
  const earlier = history.samples();
  const previous = usableSample(earlier, at, history.minimumWindowMs);
  const gathered = await Promise.all(selected.map((service) => serviceStatus(context, service, snapshot, { at, previous, deep: Boolean(options.deep), details: options.details ?? true })));
  history.record(keptSamples(earlier, takeSample(gathered.flatMap((entry) => entry.members), at), history.minimumWindowMs));
  const services = gathered.map((entry) => entry.status);
  const count = (state: ServiceState): number => services.filter((service) => service.state === state).length;
  const healthCount = (health: Health): number => services.filter((service) => service.health === health).length;
  return {
    schemaVersion: 1,
    generatedAt: new Date(at).toISOString(),
    services,
    summary: {
      total: services.length,
      running: count('running'),
      ready: healthCount('ready'),
      starting: healthCount('starting'),
      unhealthy: healthCount('unhealthy'),
      stopped: count('stopped'),
      dead: count('dead'),
      completed: count('completed'),
      failed: count('dead') + healthCount('unhealthy'),
    },
    warnings: systemWarnings(context, services),
    undeclared: undeclaredPidFiles(context, snapshot),
    attached: (await listSessions(context.stateDir, context.processes)).map(({ pid, since, owns, shows, stopsAll }) => ({ pid, since, owns, shows, stopsAll })),
  };
}

/** True when every service of the report is running and ready, or a one-shot task that completed. */
export function allHealthy(report: StatusReport): boolean {
  return report.services.every((service) => service.health === 'ready' || service.state === 'completed');
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

interface Moment {
  at: number;
  previous: CpuSample | undefined;
  deep: boolean;
  details: boolean;
}

async function serviceStatus(context: Context, service: ResolvedService, snapshot: ProcessInfo[], moment: Moment): Promise<{ status: ServiceStatus; members: ProcessInfo[] }> {
  const { at } = moment;
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
  const passedAt = leaderAlive ? readySince(record?.readyAt, restarts) : null;
  const now = leaderAlive ? await currentHealth(context, service, record!, ports, passedAt, moment) : undefined;
  const usage = leaderAlive ? cpuUsage(members, moment.previous, at) : null;
  const logFile = logPath(context, service.name);
  const status: ServiceStatus = {
    name: service.name,
    description: service.description,
    groups: service.groups,
    state,
    health: now?.health ?? null,
    reason:
      problem ??
      (record && recorded && recorded.kind !== 'running'
        ? deadReason(record.pid, recorded, restarts)
        : taskState === 'dead'
          ? failedRunReason(exit!)
          : now?.health === 'unhealthy'
            ? `its check (${describeCheck(service.ready, service.settleMs)}) fails: ${now.detail}`
            : null),
    pid: record?.pid ?? null,
    startedAt: leaderAlive ? record!.startedAt : null,
    uptimeSeconds: leaderAlive ? Math.max(0, Math.round((at - record!.startTime) / 1000)) : null,
    ports: service.ports.map((port) => portEntry(port, ports.get(port) ?? 'closed')),
    processes: members.length,
    members: await Promise.all(
      members.map(async (member) => ({ pid: member.pid, state: member.state, command: (moment.details && (await context.processes.commandLine(member.pid))) || member.command })),
    ),
    zombies: record && leaderAlive ? zombiesOf(record, snapshot).length : 0,
    cpu: usage ? { percent: usage.percent, windowSeconds: Math.round(usage.windowMs / 100) / 10, since: usage.since } : null,
    memoryBytes: leaderAlive ? residentBytes(members) : null,
    pidFileProblem: problem,
    ready: service.oneShot ? null : { check: describeCheck(service.ready, service.settleMs), passedAt, ok: now ? now.health === 'ready' : null, detail: now?.detail ?? null },
    restarts,
    lastRun: exit ? { exitCode: exit.code, signal: exit.signal, finishedAt: exit.finishedAt, ms: exit.ms } : null,
    log: logActivity(logFile, at),
    recentErrors: moment.details ? recentErrors(logFile) : [],
    command: service.commandText,
    cwd: service.cwd,
    logFile,
    pidFile: pidFilePath(context.stateDir, service.name),
  };
  return { status, members };
}

/**
 * What the check says now. Port and HTTP checks are asked again (cheap); a log line that appeared since the
 * start stays passed; a command check that passed at start is run again only with --check (it spawns).
 */
async function currentHealth(
  context: Context,
  service: ResolvedService,
  record: PidRecord,
  ports: Map<number, PortState>,
  passedAt: string | null,
  moment: Moment,
): Promise<{ health: Health; detail: string | null }> {
  const check = service.ready;
  let result: true | string;
  if (!check) result = moment.at - record.startTime >= service.settleMs ? true : 'settling';
  else if ('tcp' in check && (check.host ?? '127.0.0.1') === '127.0.0.1') {
    // The socket tables already read say whether the service listens. No connection: each one a status call
    // made would sit in TIME_WAIT for a minute and make every later read of those tables slower.
    const state = ports.get(check.tcp) ?? (await context.processes.portStates([check.tcp], [record.pid], 1000)).get(check.tcp);
    result = state === 'own' ? true : state === 'other' ? `port ${check.tcp} is held by a process outside the service` : `nothing accepts on port ${check.tcp}`;
  } else if ('log' in check && passedAt) result = true;
  else if ('command' in check && passedAt && !moment.deep) result = true;
  else {
    try {
      result = await checkOnce({ ...service, ready: check }, {
        logPath: logPath(context, service.name),
        logOffset: record.logOffset ?? 0,
        env: 'command' in check ? startEnvironment(service) : {},
        ownsPort: async (port) => (await context.processes.portStates([port], [record.pid], 1000)).get(port) === 'own' || `port ${port} is held by a process outside the service`,
      });
    } catch (error) {
      result = (error as Error).message;
    }
  }
  if (result === true) return { health: 'ready', detail: null };
  const stillStarting = passedAt === null && moment.at - record.startTime < service.readyTimeout;
  return { health: stillStarting ? 'starting' : 'unhealthy', detail: result };
}

/** Zombies of the service's session or group: exited, never reaped (status warns about them). */
function zombiesOf(record: PidRecord, snapshot: ProcessInfo[]): ProcessInfo[] {
  return snapshot.filter((process) => process.state === 'Z' && (process.sid === record.pid || process.pgid === record.pgid) && process.pid !== record.pid);
}

function logActivity(path: string, at: number): ServiceStatus['log'] {
  try {
    const stat = statSync(path);
    return { bytes: stat.size, lastWriteAt: stat.mtime.toISOString(), idleSeconds: Math.max(0, Math.round((at - stat.mtimeMs) / 1000)) };
  } catch {
    return { bytes: 0, lastWriteAt: null, idleSeconds: null };
  }
}

/** The last three error and warning lines among the log's last 200 (levels as `logs --level` finds them). */
function recentErrors(path: string): string[] {
  try {
    return readLastLines(path, 200)
      .map(stripAnsi)
      .filter((line) => meetsThreshold(detectLevel(line), 'warn'))
      .slice(-3);
  } catch {
    return [];
  }
}

function systemWarnings(context: Context, services: ServiceStatus[]): StatusWarning[] {
  const warnings: StatusWarning[] = [];
  const free = freeBytes(context.logDir) ?? freeBytes(context.stateDir);
  if (free !== undefined && free < lowDiskBytes) {
    warnings.push({ kind: 'disk-space', service: null, message: `only ${formatBytes(free)} free for ${displayPath(context.logDir)}; services stop logging (and may fail) when it fills up` });
  }
  for (const service of services) {
    if (service.zombies > 0) {
      warnings.push({ kind: 'zombies', service: service.name, message: `${service.name}: ${service.zombies} zombie process(es) in its group; a parent there does not reap its children` });
    }
    if (service.log.bytes > largeLogBytes) {
      warnings.push({ kind: 'log-size', service: service.name, message: `${service.name}: log is ${formatBytes(service.log.bytes)}; set logMaxBytes in its SERVICES entry to cap it` });
    }
    if (service.state === 'dead' && service.pid !== null && service.processes === 0 && service.pidFileProblem === null) {
      warnings.push({ kind: 'stale-pid-file', service: service.name, message: `${service.name}: stale PID file ${displayPath(service.pidFile)} (pid ${service.pid} is gone); the next up or down removes it` });
    }
  }
  return warnings;
}

function freeBytes(path: string): number | undefined {
  try {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** CPU samples in .pids/cpu-samples.json: written by each status call for the next one to compare with. */
export function stateDirectoryHistory(stateDir: string): CpuHistory {
  const path = cpuSamplesPath(stateDir);
  return {
    minimumWindowMs,
    samples() {
      try {
        const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
        return Array.isArray(parsed) ? parsed.filter(isCpuSample) : [];
      } catch {
        return [];
      }
    },
    record(samples) {
      // Never creating .pids/: status on a fresh checkout or a read-only state dir changes nothing.
      try {
        writeAtomically(path, JSON.stringify(samples));
      } catch {
        // Without a place to keep them, the next call averages CPU over each process's life instead.
      }
    },
  };
}

/** In-memory history for --watch, which samples on every refresh and takes a short first sample. */
export function memoryHistory(minimumWindowMs: number): CpuHistory {
  let kept: CpuSample[] = [];
  return { samples: () => kept, record: (samples) => (kept = samples), minimumWindowMs };
}

function isCpuSample(value: unknown): value is CpuSample {
  const sample = value as CpuSample;
  return typeof sample?.at === 'number' && typeof sample.cpuMs === 'object' && sample.cpuMs !== null;
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

/** The status table: aligned columns, colours and symbols only on a TTY, warnings under it. */
export function formatStatusTable(report: StatusReport, ui: Pick<Ui, 'color' | 'rich' | 'verbose'>): string[] {
  const { color, rich } = ui;
  const stateText = (service: ServiceStatus): string => {
    const shown = service.health === 'starting' ? 'starting' : service.health === 'unhealthy' ? 'unhealthy' : service.state;
    if (!rich) return shown.toUpperCase();
    if (shown === 'running') return color.green('● RUNNING');
    if (shown === 'starting') return color.cyan('◌ STARTING');
    if (shown === 'unhealthy') return color.red('▲ UNHEALTHY');
    if (shown === 'stopped') return color.yellow('○ STOPPED');
    if (shown === 'completed') return color.green('✔ COMPLETED');
    return color.red('✗ DEAD');
  };
  const portText = (entry: ServiceStatus['ports'][number]): string => {
    const mark = entry.heldBy === 'service' ? (rich ? color.green('✓') : 'listening') : entry.listening ? (rich ? color.yellow('!') : 'held-by-other') : rich ? color.red('✗') : 'closed';
    return rich ? `${entry.port} ${mark}` : `${entry.port}:${mark}`;
  };
  const withRestarts = report.services.some((service) => service.restarts !== null);
  const rows = report.services.map((service) => [
    service.name,
    stateText(service),
    service.pid === null || service.state === 'stopped' ? '-' : String(service.pid),
    service.uptimeSeconds === null ? '-' : formatUptime(service.uptimeSeconds),
    service.cpu === null ? '-' : `${service.cpu.percent.toFixed(1)}%`,
    service.memoryBytes === null ? '-' : formatBytes(service.memoryBytes),
    service.ports.length === 0 ? '-' : service.ports.map(portText).join(' '),
    service.log.idleSeconds === null ? '-' : `${formatUptime(service.log.idleSeconds)} ago`,
    ...(withRestarts ? [service.restarts === null ? '-' : String(service.restarts.count)] : []),
  ]);
  const header = ['SERVICE', 'STATE', 'PID', 'UPTIME', 'CPU', 'MEM', 'PORTS', 'LAST LOG', ...(withRestarts ? ['RESTARTS'] : [])];
  const lines = alignColumns([header, ...rows]);
  if (rich) lines[0] = color.bold(lines[0]!);
  report.services.forEach((service, index) => {
    const details = serviceDetails(service, ui.verbose);
    lines[index + 1] += details.map((detail) => `\n    ${rich ? color.dim(detail) : detail}`).join('');
  });
  lines.push(summaryLine(report.summary));
  for (const warning of report.warnings) lines.push(rich ? color.yellow(`warning: ${warning.message}`) : `warning: ${warning.message}`);
  for (const orphan of report.undeclared) {
    const what = orphan.running ? `pid ${orphan.pid} still runs; "down" stops it` : `pid ${orphan.pid} is gone; "down" removes the file`;
    lines.push(`note: .pids/${orphan.name}.pid belongs to "${orphan.name}", which is no longer in SERVICES (${what})`);
  }
  for (const session of report.attached) {
    const shows = session.shows.length === 0 ? '' : `; shows ${session.shows.join(', ')}${session.stopsAll ? ', which it stops too (--stop-all)' : ' (left running when it ends)'}`;
    lines.push(`attached: pid ${session.pid} since ${session.since} (up --attach) owns ${session.owns.join(', ') || 'nothing'}${shows}`);
  }
  return lines;
}

/** Lines under a service's row: why it is not fine, always; with --verbose, everything about it. */
function serviceDetails(service: ServiceStatus, verbose: boolean): string[] {
  const details: string[] = [];
  if (service.reason) details.push(`reason: ${service.reason}`);
  if (service.restarts && service.restarts.count > 0) details.push(`restarts: ${service.restarts.count} (last exit ${service.restarts.lastExit} at ${service.restarts.at})`);
  if (service.state === 'completed' && service.lastRun) details.push(`exit 0 at ${service.lastRun.finishedAt}, took ${formatDuration(service.lastRun.ms)}`);
  if (!verbose) return details;
  details.push(`command: ${service.command}`, `cwd: ${displayPath(service.cwd)}`, `log: ${displayPath(service.logFile)} (${formatBytes(service.log.bytes)})`);
  if (service.ready) details.push(`ready: ${service.ready.check}${service.ready.passedAt ? `, passed at ${service.ready.passedAt}` : ', not passed since this start'}`);
  if (service.cpu) {
    const window = service.cpu.since === 'sample' ? `over the last ${formatDuration(service.cpu.windowSeconds * 1000)}` : 'averaged since start (no status call 1 s to 15 min ago to compare with)';
    details.push(`cpu: ${service.cpu.percent.toFixed(1)}% ${window}`);
  }
  details.push(`processes: ${service.processes}`);
  for (const member of service.members) details.push(`  pid ${member.pid} ${member.state} ${member.command}`);
  if (service.description) details.push(`about: ${service.description}`);
  if (service.recentErrors.length > 0) details.push('recent errors and warnings:', ...service.recentErrors.map((line) => `  ${line}`));
  return details;
}

function summaryLine(summary: StatusReport['summary']): string {
  const { total, running, starting, unhealthy, stopped, dead, completed } = summary;
  const parts = [`${running}/${total} running`];
  if (starting) parts.push(`${starting} starting`);
  if (unhealthy) parts.push(`${unhealthy} unhealthy`);
  if (completed) parts.push(`${completed} completed`);
  if (stopped) parts.push(`${stopped} stopped`);
  if (dead) parts.push(`${dead} dead`);
  return parts.join(', ');
}

/** Uptime to the second it is measured in: "42s", "4m 05s", "2h 10m". */
export function formatUptime(seconds: number): string {
  return seconds < 60 ? `${seconds}s` : formatDuration(seconds * 1000);
}

/** Pads columns to a common width, measuring text without colour codes. */
export function alignColumns(rows: string[][]): string[] {
  const visible = (text: string): number => stripAnsi(text).length;
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => visible(row[column] ?? ''))));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visible(cell))))
      .join('  '),
  );
}
