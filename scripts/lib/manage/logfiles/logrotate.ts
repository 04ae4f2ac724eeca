// Keeping logs in bounds: rotation at each start (logKeep), the size cap (logMaxBytes), removing rotations.
import { appendFileSync, closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Context } from '../config.ts';
import { logPath, selectLogs } from './selection.ts';
import { ManageError } from '../core/errors.ts';
import { listRotations } from './logfile.ts';
import { acquireLockFile } from '../state/lock.ts';
import { formatBytes } from '../core/bytes.ts';
import type { ResolvedService } from '../core/service.ts';

/**
 * Makes room for a new `<log>.1`: `.1` becomes `.2` and so on, highest first so no rename lands on a file
 * still to be moved; a rotation that would pass `keep` is removed. Each rename is atomic.
 */
export function shiftRotations(path: string, keep: number): void {
  for (const rotation of listRotations(path).reverse()) {
    if (rotation.index >= keep) rmSync(rotation.path, { force: true });
    else renameSync(rotation.path, `${path}.${rotation.index + 1}`);
  }
}

/** The log of the previous run becomes `<log>.1` (older ones shift), so the new run starts a new file. */
export function rotateLog(path: string, keep: number): boolean {
  if (keep === 0 || sizeOf(path) === 0) return false;
  shiftRotations(path, keep);
  renameSync(path, `${path}.1`);
  return true;
}

/** Copies aside in progress; a crash leaves one behind, which --clean removes. */
export function copyingPath(path: string): string {
  return `${path}.copying`;
}

/**
 * Copy-truncate: the log is copied to `<log>.1` (after shifting the rotations) and then truncated to 0.
 * The running service keeps its file descriptor, opened with O_APPEND, so its next write lands at the new end.
 * Renaming the log away instead would leave the service writing into the rotation until it reopened its log,
 * which services started with their output on a file descriptor never do.
 *
 * What it cannot do is make copy and truncate one step. It copies until a pass finds nothing new, then
 * truncates at once: a line the service writes in the microseconds between that last look and the truncate
 * is lost. With `keep` 0 nothing is copied: the log is only emptied. Returns the bytes moved out of the log.
 */
export function copyTruncate(path: string, keep: number, note: string): number {
  const source = openSync(path, 'r+');
  let moved: number;
  try {
    if (keep > 0) {
      const copying = copyingPath(path);
      const target = openSync(copying, 'w');
      try {
        moved = copyUntilStill(source, target, 0);
        shiftRotations(path, keep);
        renameSync(copying, `${path}.1`);
        // The file descriptor follows the rename: what was written meanwhile still lands in `.1`.
        moved = copyUntilStill(source, target, moved);
        ftruncateSync(source, 0);
      } finally {
        closeSync(target);
        rmSync(copying, { force: true });
      }
    } else {
      moved = fstatSync(source).size;
      ftruncateSync(source, 0);
    }
  } finally {
    closeSync(source);
  }
  appendFileSync(path, note + '\n');
  return moved;
}

/** Appends the source's bytes from `from` to the target until a look at the source finds no more. */
function copyUntilStill(source: number, target: number, from: number): number {
  const buffer = Buffer.alloc(1 << 20);
  let copied = from;
  for (let size = fstatSync(source).size; size > copied; size = fstatSync(source).size) {
    while (copied < size) {
      const read = readSync(source, buffer, 0, Math.min(buffer.length, size - copied), copied);
      if (read === 0) return copied;
      writeSync(target, buffer, 0, read);
      copied += read;
    }
  }
  return copied;
}

/** 0 for a file that does not exist; other errors (a permission) still throw. */
function sizeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/** The lock a log is rotated under: two commands must never shift the same rotations at once. */
function logLockPath(context: Pick<Context, 'stateDir'>, name: string): string {
  return join(context.stateDir, '.pids', `${name}.log.lock`);
}

/** At a start of a service that is not running: its previous log becomes `<name>.log.1`. */
export async function rotateBeforeStart(context: Context, service: ResolvedService): Promise<void> {
  const path = logPath(context, service.name);
  if (service.logKeep === 0 || sizeOf(path) === 0) return;
  const release = await acquireLockFile(logLockPath(context, service.name), `rotate ${basename(path)}`, context.processes);
  try {
    rotateLog(path, service.logKeep);
  } finally {
    release();
  }
}

/** One log that was over its cap: capped (bytes moved out of it), or why it could not be. */
export type CapResult =
  | { name: string; cap: number; bytes: number }
  | { name: string; cap: number; problem: string };

/** What to tell the user about one cap: a note, or a warning when the log could not be capped. */
export function describeCap(result: CapResult): string {
  if ('problem' in result) return `warning: ${result.name}: log is over logMaxBytes (${formatBytes(result.cap)}) but could not be capped: ${result.problem}`;
  return `note: ${result.name}: log passed logMaxBytes; ${formatBytes(result.bytes)} moved out of it`;
}

/**
 * Copy-truncates every log over its service's logMaxBytes (see copyTruncate). Called by up, status and logs,
 * and by logs -f as it follows. A log another command is rotating right now is left for the next look. Log
 * upkeep never fails a command that only looks: a log that cannot be capped (a read-only state directory, a
 * full disk) is reported and left as it is.
 */
export async function enforceLogCaps(context: Context): Promise<CapResult[]> {
  const results: CapResult[] = [];
  for (const service of context.services) {
    const cap = service.logMaxBytes;
    const path = logPath(context, service.name);
    if (cap === undefined || sizeOf(path) <= cap) continue;
    let release: () => void;
    try {
      release = await acquireLockFile(logLockPath(context, service.name), `cap ${basename(path)}`, context.processes, () => {}, 0);
    } catch (error) {
      if (!(error instanceof ManageError)) results.push({ name: service.name, cap, problem: (error as Error).message });
      continue;
    }
    try {
      // Checked again under the lock: another command may have capped it a moment ago.
      if (sizeOf(path) <= cap) continue;
      const where = service.logKeep > 0 ? `earlier lines are in ${basename(path)}.1` : 'earlier lines were dropped (logKeep is 0)';
      const note = `=== ${new Date().toISOString()} manage.ts: log passed logMaxBytes (${formatBytes(cap)}); ${where}`;
      results.push({ name: service.name, bytes: copyTruncate(path, service.logKeep, note), cap });
    } catch (error) {
      results.push({ name: service.name, cap, problem: (error as Error).message });
    } finally {
      release();
    }
  }
  return results;
}

/** One file `logs --clean` removed. */
export interface RemovedFile {
  name: string;
  path: string;
  bytes: number;
}

/** Removes the rotations of the selected services (never the live log), and copies a crash left behind. */
export async function cleanRotations(context: Context, words: string[]): Promise<RemovedFile[]> {
  const removed: RemovedFile[] = [];
  for (const name of selectLogs(context, words)) {
    const path = logPath(context, name);
    if (leftBeside(path).length === 0) continue;
    const release = await acquireLockFile(logLockPath(context, name), `clean ${basename(path)}`, context.processes);
    try {
      // Listed again under the lock: a start may have shifted them meanwhile.
      for (const file of leftBeside(path)) {
        const bytes = sizeOf(file);
        rmSync(file, { force: true });
        removed.push({ name, path: file, bytes });
      }
    } finally {
      release();
    }
  }
  return removed;
}

/** The files beside a log that --clean removes: its rotations, and a copy a crash left behind. */
function leftBeside(path: string): string[] {
  return [...listRotations(path).map((rotation) => rotation.path), copyingPath(path)].filter((file) => statSync(file, { throwIfNoEntry: false }) !== undefined);
}

/** Keeps the caps and tells the user: notes unless --quiet, a log that could not be capped always. */
export async function enforceLogCapsAndReport(context: Context): Promise<void> {
  for (const result of await enforceLogCaps(context)) {
    if ('problem' in result || !context.ui.quiet) context.ui.warn(describeCap(result));
  }
}
