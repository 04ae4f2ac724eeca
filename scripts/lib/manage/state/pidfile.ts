// PID files: the text format (pure) and atomic reading and writing under <state>/.pids/.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, ManageError } from '../core/errors.ts';
import type { RecordedIdentity } from '../core/identity.ts';
import { parseBarePid } from '../core/legacy.ts';

/** What `up` records about a started service. */
export interface PidRecord extends RecordedIdentity {
  service: string;
  /** Process group (and session) id: the leader's PID, since services start with setsid. */
  pgid: number;
  /** When the service was started, ISO 8601. */
  startedAt: string;
  command: string;
  /** Log size when this start's output began: a log readiness check never counts older lines. */
  logOffset?: number;
  /** When the readiness check passed (ISO 8601); absent until it has, or with --no-wait. */
  readyAt?: string;
}

/**
 * The first line is the bare PID, so `kill $(head -1 .pids/api.pid)` and old scripts keep working;
 * key=value lines follow with the identity that guards against a recycled PID.
 */
export function formatPidFile(record: PidRecord): string {
  const lines = [
    String(record.pid),
    `service=${record.service}`,
    `pgid=${record.pgid}`,
    `start_time=${record.startTime}`,
    record.startTicks === undefined ? undefined : `start_ticks=${record.startTicks}`,
    record.bootId === undefined ? undefined : `boot_id=${record.bootId}`,
    `started_at=${record.startedAt}`,
    record.logOffset === undefined ? undefined : `log_offset=${record.logOffset}`,
    record.readyAt === undefined ? undefined : `ready_at=${record.readyAt}`,
    record.descendants ? 'members=descendants' : undefined,
    `command=${record.command.replace(/\n/g, ' ')}`,
  ];
  return lines.filter((line) => line !== undefined).join('\n') + '\n';
}

/** Parses a PID file; throws a message naming what is wrong. */
export function parsePidFile(text: string): PidRecord {
  const [first = '', ...rest] = text.split('\n');
  const pid = Number(first.trim());
  if (!/^\d+$/.test(first.trim()) || pid < 1) throw new Error(`first line should be a PID, found ${JSON.stringify(first.slice(0, 40))}`);
  const fields = new Map<string, string>();
  for (const line of rest) {
    const equals = line.indexOf('=');
    if (equals > 0) fields.set(line.slice(0, equals), line.slice(equals + 1));
  }
  const number = (key: string): number | undefined => {
    const value = fields.get(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`${key} should be a number, found ${JSON.stringify(value)}`);
    return Number(value);
  };
  const startTime = number('start_time');
  if (startTime === undefined) throw new Error('it has no start_time, so a recycled PID could not be told apart');
  return {
    pid,
    service: fields.get('service') ?? '',
    pgid: number('pgid') ?? pid,
    startTime,
    startTicks: number('start_ticks'),
    bootId: fields.get('boot_id'),
    startedAt: fields.get('started_at') ?? new Date(startTime).toISOString(),
    command: fields.get('command') ?? '',
    logOffset: number('log_offset'),
    readyAt: fields.get('ready_at'),
    ...(fields.get('members') === 'descendants' ? { descendants: true } : {}),
  };
}

export function pidFilePath(stateDir: string, service: string): string {
  return join(stateDir, '.pids', `${service}.pid`);
}

/** The text of a PID file, undefined when there is none, or a ManageError naming the file when it cannot be read. */
export function readPidFileText(stateDir: string, service: string): string | undefined {
  const path = pidFilePath(stateDir, service);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new ManageError(`cannot read PID file ${path}: ${(error as Error).message}`, 1, 'fix its permissions, or remove it if the service is not running');
  }
}

/** The record, undefined when there is no PID file, or a ManageError naming the file when it is unreadable. */
export function readPidFile(stateDir: string, service: string): PidRecord | undefined {
  const path = pidFilePath(stateDir, service);
  const text = readPidFileText(stateDir, service);
  if (text === undefined) return undefined;
  const barePid = parseBarePid(text);
  if (barePid !== undefined) {
    // Commands adopt such a file first when they can (state/legacy.ts); one left is one they could not confirm.
    throw new ManageError(`PID file ${path} holds only a PID (${barePid}), as an old manage.sh writes it`, 1, `manage.ts cannot confirm what runs there; stop it yourself if it is yours, then rm ${path}`);
  }
  try {
    return parsePidFile(text);
  } catch (error) {
    throw new ManageError(
      `PID file ${path} is unreadable: ${(error as Error).message}`,
      1,
      `check whether "${service}" still runs (ps), stop it by hand if so, then remove the file`,
    );
  }
}

/**
 * For questions about services a command does not touch (who holds a port, who still depends on what):
 * an unreadable or old-format PID file answers "no record", and a command that touches it reports it.
 */
export function readPidFileIfReadable(stateDir: string, service: string): PidRecord | undefined {
  try {
    return readPidFile(stateDir, service);
  } catch (error) {
    if (error instanceof ManageError) return undefined;
    throw error;
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a PID file. */
export function writePidFile(stateDir: string, record: PidRecord): void {
  mkdirSync(join(stateDir, '.pids'), { recursive: true });
  writeAtomically(pidFilePath(stateDir, record.service), formatPidFile(record));
}

/**
 * A temporary file renamed into place: a reader sees the old content or the new, never half of it. A write
 * that fails leaves no temporary behind.
 */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** How a one-shot task's last run ended, kept so status can say COMPLETED (or why not). */
export interface ExitRecord {
  code: number | null;
  signal: string | null;
  /** The task ran past its readyTimeout and was stopped. */
  timedOut?: boolean;
  finishedAt: string;
  ms: number;
}

function exitRecordPath(stateDir: string, service: string): string {
  return join(stateDir, '.pids', `${service}.exit`);
}

export function writeExitRecord(stateDir: string, service: string, record: ExitRecord): void {
  writeAtomically(exitRecordPath(stateDir, service), JSON.stringify(record) + '\n');
}

/** The last run's record, or undefined when there is none or it is unreadable (it only informs status). */
export function readExitRecord(stateDir: string, service: string): ExitRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(exitRecordPath(stateDir, service), 'utf8')) as ExitRecord;
    return typeof parsed.finishedAt === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function removeExitRecord(stateDir: string, service: string): void {
  rmSync(exitRecordPath(stateDir, service), { force: true });
}

/** Services that have a PID file in the state directory (the lock and temporary files are not PID files). */
export function listPidFiles(stateDir: string): string[] {
  try {
    return readdirSync(join(stateDir, '.pids'))
      .filter((file) => file.endsWith('.pid'))
      .map((file) => file.slice(0, -'.pid'.length));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}

export function removePidFile(stateDir: string, service: string): void {
  rmSync(pidFilePath(stateDir, service), { force: true });
}

/** Where status keeps its last CPU samples (see resources.ts); down removes it once nothing runs. */
export function cpuSamplesPath(stateDir: string): string {
  return join(stateDir, '.pids', 'cpu-samples.json');
}
