// PID files an old manage.sh wrote (a bare PID): adopted when their process is confirmed to be the service's
// command, otherwise listed all together with the command that clears them.
import type { Context } from '../config.ts';
import { ManageError } from '../core/errors.ts';
import { isAlive } from '../core/identity.ts';
import { argvMatchesCommand, parseBarePid } from '../core/legacy.ts';
import { commandText } from '../core/service.ts';
import { listPidFiles, pidFilePath, readPidFileText, writePidFile } from './pidfile.ts';

/** A bare-PID file whose process manage.ts cannot confirm: it is never signalled, only named. */
export interface LegacyPidFile {
  service: string;
  path: string;
  pid: number;
  /** Something runs under that PID (not necessarily the service). */
  running: boolean;
  /** Why it was not adopted, in words that follow "pid N". */
  reason: string;
}

type LegacyContext = Pick<Context, 'stateDir' | 'services' | 'processes' | 'ui'>;

/**
 * Every bare-PID file in the state directory, looked at once: a live process whose argv is the service's
 * command is adopted (its PID file rewritten with the identity read from /proc now, so `down` can stop it
 * and a recycled PID is told apart from then on) with a warning; the rest are returned, unchanged.
 */
export async function adoptLegacyPidFiles(context: LegacyContext, show: (path: string) => string): Promise<LegacyPidFile[]> {
  const unconfirmed: LegacyPidFile[] = [];
  for (const name of listPidFiles(context.stateDir)) {
    const pid = parseBarePid(readPidFileText(context.stateDir, name) ?? '');
    if (pid === undefined) continue;
    const path = pidFilePath(context.stateDir, name);
    const info = await context.processes.get(pid);
    if (!info || !isAlive(info)) {
      unconfirmed.push({ service: name, path, pid, running: false, reason: 'is not running' });
      continue;
    }
    const argv = await context.processes.argv(pid);
    const running = commandText(argv.length > 0 ? argv : info.command);
    const service = context.services.find((candidate) => candidate.name === name);
    if (!service) {
      unconfirmed.push({ service: name, path, pid, running: true, reason: `runs ${running}, and "${name}" is not in SERVICES to compare it with` });
      continue;
    }
    if (!argvMatchesCommand(argv, service.command)) {
      unconfirmed.push({ service: name, path, pid, running: true, reason: `runs ${running}, not the command of "${name}" (${service.commandText})` });
      continue;
    }
    writePidFile(context.stateDir, {
      service: name,
      pid,
      pgid: info.pgid,
      startTime: info.startTime,
      startTicks: info.startTicks,
      bootId: context.processes.bootId,
      startedAt: new Date(info.startTime).toISOString(),
      command: service.commandText,
      descendants: true,
    });
    context.ui.warn(`warning: ${name}: adopted pid ${pid} from ${show(path)}, a PID file in the old format (just the PID); it runs the service's command, so manage.ts now tracks it`);
  }
  return unconfirmed;
}

/** All unconfirmed files in one error: what each PID is now, and one command that clears them all. */
export function legacyPidFilesError(files: LegacyPidFile[], show: (path: string) => string): ManageError {
  const lines = files.map((file) => `  ${show(file.path)}: pid ${file.pid} ${file.reason}`);
  const running = files.filter((file) => file.running).map((file) => file.pid);
  const clear = commandText(['rm', ...files.map((file) => show(file.path))]);
  const hint =
    running.length > 0
      ? `manage.ts never signals a process it cannot confirm: if pid ${running.join(', ')} belong${running.length === 1 ? 's' : ''} to the old stack, stop ${running.length === 1 ? 'it' : 'them'} yourself; then clear the files: ${clear}`
      : `nothing runs under ${files.length === 1 ? 'that PID' : 'those PIDs'}; check that nothing the old script started still runs (ps -ef), then clear the files: ${clear}`;
  const count = files.length === 1 ? 'a PID file holds' : `${files.length} PID files hold`;
  return new ManageError(`${count} only a PID, as an old manage.sh writes it, and manage.ts cannot confirm what runs there:\n${lines.join('\n')}`, 1, hint);
}

/**
 * For up and down: adopts what it can, then refuses (exit 1, nothing changed) when an unconfirmed file
 * belongs to a service the command would touch, and warns about the others, all in one list.
 */
export async function settleLegacyPidFiles(context: LegacyContext, touched: string[], show: (path: string) => string): Promise<void> {
  const unconfirmed = await adoptLegacyPidFiles(context, show);
  if (unconfirmed.length === 0) return;
  const error = legacyPidFilesError(unconfirmed, show);
  if (unconfirmed.some((file) => touched.includes(file.service))) throw error;
  context.ui.warn(`warning: ${error.message}\n${error.hint}`);
}
