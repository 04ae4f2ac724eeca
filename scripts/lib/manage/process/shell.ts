// The only module that spawns, signals, or talks to zx, child_process, ps-list and find-process.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { errnoCode, ManageError } from '../core/errors.ts';
import { sleep } from './poll.ts';

/** How a process ended: an exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnRequest {
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr are appended straight to this file, so nothing of ours stays attached. */
  logPath: string;
  /** A line written to the log before the service's own output. */
  header: string;
}

export interface SpawnedService {
  pid: number;
  /** Size of the log after the header: output from this start begins here. */
  logOffset: number;
  /** Settles when the process exits while this manager is still running. */
  exited: Promise<ExitStatus>;
}

/** The argv a command runs as: a string goes through /bin/sh -c, an array runs as it is. */
export function commandArgv(command: string | string[]): [string, string[]] {
  if (typeof command === 'string') return ['/bin/sh', ['-c', command]];
  return [command[0]!, command.slice(1)];
}

/**
 * Starts a service detached: its own session and process group (setsid), stdio on its log file, unref'd so
 * this process can exit and leave only the service behind.
 */
export async function spawnService(request: SpawnRequest): Promise<SpawnedService> {
  const logFd = openSync(request.logPath, 'a');
  try {
    const logOffset = fstatSync(logFd).size + writeSync(logFd, request.header + '\n');
    const [file, args] = commandArgv(request.command);
    const child = spawn(file, args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    }).catch((error: unknown) => {
      const reason = errnoCode(error) === 'ENOENT' ? `"${file}" was not found` : (error as Error).message;
      throw new ManageError(`cannot execute ${JSON.stringify(file)}: ${reason}`, 2, 'check the command and PATH in the SERVICES entry');
    });
    child.unref();
    return { pid: child.pid!, logOffset, exited };
  } finally {
    closeSync(logFd);
  }
}

/**
 * Sends a signal to a whole process group. Returns false when the group no longer exists.
 * ESRCH means "already gone" and is an answer, not a failure; EPERM and the rest are real errors.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new ManageError(`refusing to signal process group ${pgid}`, 2);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
    if (errnoCode(error) === 'EPERM') {
      throw new ManageError(`not permitted to signal process group ${pgid}`, 2, 'run manage.ts as the user that started the services');
    }
    throw error;
  }
}

/** Sends a signal to one process. Returns false when it no longer exists (ESRCH). */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Runs a check command in its own process group and returns its exit code; past `timeoutMs` the whole group
 * gets SIGKILL and the answer is 124 (as timeout(1) says), so a check can never outlive its deadline.
 */
export async function runCheckCommand(
  command: string | string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<number> {
  const [file, args] = commandArgv(command);
  const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: 'ignore' });
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code) => resolve(code ?? 128));
    child.once('error', () => resolve(127));
  });
  const code = await Promise.race([exited, sleep(options.timeoutMs).then(() => undefined)]);
  if (code !== undefined) return code;
  if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  return 124;
}

/**
 * Runs a program to completion (in its own process group, killed whole past `timeoutMs`) and returns its exit
 * code and what it printed, stdout and stderr together: for tools whose report is the output (tsc).
 */
export async function runCaptured(file: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<{ code: number; output: string }> {
  const child = spawn(file, args, { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const closed = new Promise<number>((resolve) => {
    child.once('close', (code) => resolve(code ?? 128));
    child.once('error', () => resolve(127));
  });
  const code = await Promise.race([closed, sleep(options.timeoutMs).then(() => undefined)]);
  if (code !== undefined) return { code, output };
  if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  return { code: 124, output: `${output}\n(stopped after ${Math.round(options.timeoutMs / 1000)} s)` };
}

/** Output of `ps` (portable path for systems without /proc): pid, pgid, state, RSS and CPU time of every process. */
export async function runPs(): Promise<string> {
  const { $ } = await import('zx');
  const result = await $({ quiet: true })`ps -A -o pid= -o pgid= -o stat= -o rss= -o time=`;
  return result.stdout;
}

/** Every process via ps-list (portable path): pid, ppid, start time and command line. */
export async function listProcessesPortably(): Promise<Array<{ pid: number; ppid: number; startTime?: Date; cmd?: string; name: string }>> {
  const { default: psList } = await import('ps-list');
  return psList();
}

/** PIDs listening on a TCP port via find-process (portable path). */
export async function findPortHolders(port: number): Promise<Array<{ pid: number; cmd: string }>> {
  const { default: findProcess } = await import('find-process');
  const found = await findProcess('port', port);
  return found.map((entry) => ({ pid: entry.pid, cmd: entry.cmd }));
}

/**
 * Runs a tool of manage.ts's own (npm while adopting a repository) to its end, its output kept for the report
 * of a failure. The answer is its exit code, 127 when it cannot be started.
 */
export async function runTool(argv: string[], options: { cwd: string }): Promise<{ code: number; output: string }> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number>((resolve) => {
    child.once('close', (exitCode) => resolve(exitCode ?? 128));
    child.once('error', () => resolve(127));
  });
  return { code, output: Buffer.concat(chunks).toString('utf8') };
}
