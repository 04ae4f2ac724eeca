// Locks: on the state directory, so two invocations never start or stop the same stack at once, and on a
// log while it rotates, so two commands never shift the same rotations at once.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errnoCode, ManageError } from '../core/errors.ts';
import { isAlive, isSameProcess } from '../core/identity.ts';
import { pollUntil } from '../process/poll.ts';
import type { ProcessSource } from '../process/processes.ts';

export function lockPath(stateDir: string): string {
  return join(stateDir, '.pids', 'manage.lock');
}

interface LockHolder {
  pid: number;
  startTime: number;
  startTicks?: number;
  command: string;
}

/**
 * Takes the lock, waiting up to `waitMs` for a live holder; a lock whose holder died is taken over.
 * Returns the release function.
 */
export function acquireLock(
  stateDir: string,
  command: string,
  processes: ProcessSource,
  onWait: (holder: string) => void = () => {},
  waitMs = 3000,
): Promise<() => void> {
  return acquireLockFile(lockPath(stateDir), command, processes, onWait, waitMs);
}

/** The same lock on any file: the state directory's, or a smaller one such as a log's while it rotates. */
export async function acquireLockFile(
  path: string,
  command: string,
  processes: ProcessSource,
  onWait: (holder: string) => void = () => {},
  waitMs = 3000,
): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const self = await processes.get(process.pid);
  const content = JSON.stringify({ pid: process.pid, startTime: self?.startTime ?? Date.now(), startTicks: self?.startTicks, command });
  let holder: LockHolder | undefined;
  let waiting = false;
  const taken = await pollUntil(
    async () => {
      if (createWithContent(path, content)) return true;
      const text = readText(path);
      holder = parseHolder(text);
      const running = holder ? await processes.get(holder.pid) : undefined;
      if (!holder || !running || !isAlive(running) || !isSameProcess(holder, running)) takeOver(path, text);
      else if (!waiting) {
        waiting = true;
        onWait(`pid ${holder.pid}, running "${holder.command}"`);
      }
      return undefined;
    },
    { timeoutMs: waitMs, intervalMs: 50 },
  );
  if (!taken) {
    throw new ManageError(
      `another manage.ts (pid ${holder?.pid ?? '?'}, running "${holder?.command ?? '?'}") is working on this stack`,
      1,
      'wait for it to finish and run the command again',
    );
  }
  // Release only our own lock: after a contested takeover the file may be someone else's.
  return () => {
    if (readText(path) === content) rmSync(path, { force: true });
  };
}

/** Who holds the state directory's lock now, if a live process other than this one does. */
export async function readLockHolder(stateDir: string, processes: ProcessSource): Promise<{ pid: number; command: string } | undefined> {
  const holder = parseHolder(readText(lockPath(stateDir)));
  if (!holder || holder.pid === process.pid) return undefined;
  const running = await processes.get(holder.pid);
  return running && isAlive(running) && isSameProcess(holder, running) ? { pid: holder.pid, command: holder.command } : undefined;
}

/** Creates the lock file already filled in (link of a written temporary), so nobody ever reads it empty. */
function createWithContent(path: string, content: string): boolean {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Removes a lock whose holder died (or that a crash left empty). Two waiters may judge it stale at once, so
 * it is renamed away first (only one rename wins) and put back if a live holder replaced it meanwhile.
 */
function takeOver(path: string, staleText: string | undefined): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  if (readText(aside) !== staleText) {
    // A live holder's lock was moved by mistake: put it back. If another waiter got in first, leave it aside
    // rather than delete it, so its holder's release finds nothing of ours to remove.
    try {
      linkSync(aside, path);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
      return;
    }
  }
  rmSync(aside, { force: true });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(text: string | undefined): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text ?? '') as LockHolder;
    return Number.isInteger(parsed.pid) && typeof parsed.startTime === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
