// `status`: what runs, from PID files checked against live processes; a table or stable JSON.
import { displayPath, logPath, type Context } from './config.ts';
import { selectServices } from './graph.ts';
import { isSameProcess, serviceMembers, type ProcessInfo } from './identity.ts';
import { pidFilePath, readPidFile } from './pidfile.ts';
import type { PortState } from './processes.ts';
import type { ResolvedService } from './service.ts';
import { formatDuration, type Ui } from './ui.ts';

/** RUNNING: the recorded leader is alive. STOPPED: no PID file. DEAD: a PID file, but not its process. */
export type ServiceState = 'running' | 'stopped' | 'dead';

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
  command: string;
  cwd: string;
  logFile: string;
  pidFile: string;
}

export interface StatusReport {
  schemaVersion: 1;
  generatedAt: string;
  services: ServiceStatus[];
  summary: { total: number; running: number; stopped: number; dead: number };
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
    summary: { total: services.length, running: count('running'), stopped: count('stopped'), dead: count('dead') },
  };
}

async function serviceStatus(context: Context, service: ResolvedService, snapshot: ProcessInfo[], at: number): Promise<ServiceStatus> {
  const record = readPidFile(context.stateDir, service.name);
  const members = record ? serviceMembers(record, snapshot, context.processes.bootId) : [];
  const leader = record && snapshot.find((process) => process.pid === record.pid);
  const leaderAlive = Boolean(record && leader && members.includes(leader) && isSameProcess(record, leader, context.processes.bootId));
  const ports = await context.processes.portStates(service.ports, members.map((member) => member.pid));
  const state: ServiceState = !record ? 'stopped' : leaderAlive ? 'running' : 'dead';
  return {
    name: service.name,
    description: service.description,
    groups: service.groups,
    state,
    reason: record && !leaderAlive ? deadReason(record.pid, leader, members.length) : null,
    pid: record?.pid ?? null,
    startedAt: leaderAlive ? record!.startedAt : null,
    uptimeSeconds: leaderAlive ? Math.max(0, Math.round((at - record!.startTime) / 1000)) : null,
    ports: service.ports.map((port) => portEntry(port, ports.get(port) ?? 'closed')),
    processes: members.length,
    command: typeof service.command === 'string' ? service.command : service.command.join(' '),
    cwd: service.cwd,
    logFile: logPath(context, service.name),
    pidFile: pidFilePath(context.stateDir, service.name),
  };
}

function portEntry(port: number, state: PortState): ServiceStatus['ports'][number] {
  return { port, listening: state !== 'closed', heldBy: state === 'own' ? 'service' : state === 'other' ? 'other' : null };
}

function deadReason(pid: number, leader: ProcessInfo | undefined, members: number): string {
  if (members > 0) return `leader pid ${pid} exited but ${members} process(es) of its group still run; "down" stops them`;
  if (leader && leader.state !== 'Z') return `pid ${pid} now belongs to another program (the PID was reused); the next up or down removes the stale PID file`;
  return `pid ${pid} is gone (crashed or killed outside manage.ts); the next up or down removes the stale PID file`;
}

/** The status table: aligned columns, colours and symbols only on a TTY. */
export function formatStatusTable(report: StatusReport, ui: Pick<Ui, 'color' | 'rich' | 'verbose'>): string[] {
  const { color, rich } = ui;
  const stateText = (state: ServiceState): string => {
    if (!rich) return state.toUpperCase();
    if (state === 'running') return color.green('● RUNNING');
    if (state === 'stopped') return color.yellow('○ STOPPED');
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
    service.uptimeSeconds === null ? '-' : formatDuration(service.uptimeSeconds * 1000),
    service.ports.length === 0 ? '-' : service.ports.map(portText).join(' '),
  ]);
  const header = ['SERVICE', 'STATE', 'PID', 'UPTIME', 'PORTS'];
  const lines = alignColumns([header, ...rows]);
  if (rich) lines[0] = color.bold(lines[0]!);
  report.services.forEach((service, index) => {
    const details: string[] = [];
    if (service.reason) details.push(`reason: ${service.reason}`);
    if (ui.verbose) {
      details.push(`command: ${service.command}`, `cwd: ${displayPath(service.cwd)}`, `log: ${displayPath(service.logFile)}`, `processes: ${service.processes}`);
      if (service.description) details.push(`about: ${service.description}`);
    }
    lines[index + 1] += details.map((detail) => `\n    ${rich ? color.dim(detail) : detail}`).join('');
  });
  const { total, running, stopped, dead } = report.summary;
  lines.push(`${running}/${total} running` + (stopped ? `, ${stopped} stopped` : '') + (dead ? `, ${dead} dead` : ''));
  return lines;
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
