// The record of an attached session (`up --attach`): which manage.ts stays in the foreground, since when, and
// which services it owns (will stop when it ends), so `status` from another terminal can show it.
import { closeSync, constants, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../core/errors.ts';
import { isAlive, isSameProcess } from '../core/identity.ts';
import type { ProcessSource } from '../process/processes.ts';

/** One attached session, as `.pids/attached-<pid>.json` holds it and `status --json` shows it (`attached`). */
export interface SessionRecord {
  pid: number;
  /** Start time of the manager process (ms since the epoch, and clock ticks on Linux): a recycled PID is not it. */
  startTime: number;
  startTicks?: number;
  /** When the session began, ISO 8601. */
  since: string;
  /** Services this session started and stops when it ends. */
  owns: string[];
  /** Services it shows but found already running: left running when it ends, unless --stop-all. */
  shows: string[];
  /** --stop-all: the services in `shows` are stopped too. */
  stopsAll: boolean;
}

const prefix = 'attached-';

export function sessionPath(stateDir: string, pid: number): string {
  return join(stateDir, '.pids', `${prefix}${pid}.json`);
}

/**
 * Written whole (a temporary renamed into place) with mode 0644: status, run by anyone, reads it. The
 * temporary is created new ('wx'), so a symlink planted at its name is never followed.
 */
export function writeSession(stateDir: string, record: SessionRecord): void {
  const path = sessionPath(stateDir, record.pid);
  const temporary = `${path}.tmp`;
  try {
    rmSync(temporary, { force: true });
    writeFileSync(temporary, JSON.stringify(record) + '\n', { mode: 0o644, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function removeSession(stateDir: string, pid: number): void {
  rmSync(sessionPath(stateDir, pid), { force: true });
}

/** Parses a session file (pure); undefined for anything that is not one. */
export function parseSession(text: string): SessionRecord | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<SessionRecord>;
    const names = (value: unknown): value is string[] => Array.isArray(value) && value.every((name) => typeof name === 'string');
    if (!Number.isInteger(parsed.pid) || typeof parsed.startTime !== 'number' || typeof parsed.since !== 'string') return undefined;
    if (!names(parsed.owns) || !names(parsed.shows)) return undefined;
    return { pid: parsed.pid!, startTime: parsed.startTime, startTicks: parsed.startTicks, since: parsed.since, owns: parsed.owns, shows: parsed.shows, stopsAll: parsed.stopsAll === true };
  } catch {
    return undefined;
  }
}

/**
 * The sessions whose manager still runs. A file left by one that was killed (SIGKILL leaves no time to remove
 * it) names a dead or recycled PID and is skipped, not trusted.
 */
export async function listSessions(stateDir: string, processes: ProcessSource): Promise<SessionRecord[]> {
  let files: string[];
  try {
    files = readdirSync(join(stateDir, '.pids')).filter((file) => file.startsWith(prefix) && file.endsWith('.json'));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const sessions: SessionRecord[] = [];
  for (const file of files) {
    const text = readWithoutFollowing(join(stateDir, '.pids', file));
    const record = text === undefined ? undefined : parseSession(text);
    const running = record && (await processes.get(record.pid));
    if (record && running && isAlive(running) && isSameProcess(record, running)) sessions.push(record);
  }
  return sessions.sort((a, b) => a.pid - b.pid);
}

/** The file's text, or undefined when it is gone (that session just ended) or is a symlink (not ours). */
function readWithoutFollowing(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ELOOP') return undefined;
    throw error;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
