// Stopping one started service: signal its whole process group, wait, escalate to SIGKILL, confirm nothing is left.
import { isAlive, isSameProcess, serviceMembers, type ProcessInfo, type RecordedIdentity } from '../core/identity.ts';
import { now, pollUntil } from './poll.ts';
import type { ProcessSource } from './processes.ts';
import { signalGroup, signalProcess } from './shell.ts';

export interface TerminateOptions {
  signal: NodeJS.Signals;
  timeoutMs: number;
  processes: ProcessSource;
  /** Run instead of sending `signal` first (a service's stopCommand); SIGKILL still follows the timeout. */
  stopCommand?: () => Promise<void>;
  /** Checked while waiting: true means escalate to SIGKILL now (--force, a second Ctrl-C). */
  killNow?: () => boolean;
}

/** `stopped`: left on the stop signal; `killed`: needed SIGKILL; `not-running`: nothing of it was alive. */
export type TerminateResult =
  | { outcome: 'stopped' | 'killed'; ms: number }
  | { outcome: 'not-running' }
  | { outcome: 'survived'; ms: number; survivors: ProcessInfo[] };

const pollIntervalMs = 20;
/**
 * How old a snapshot may be when it decides what to signal. A fresh /proc read per service cost 5-10 ms each,
 * one after another, when ten services stop in parallel. The identity check (PID and start time) still runs
 * on the snapshot; a process that exits in those 10 ms could only have its PID given to a new one after the
 * kernel's PID counter wrapped around pid_max (32768 at the least), which takes far more forks than 10 ms allow.
 */
const signalSnapshotMaxAgeMs = 10;
/** After SIGKILL only the kernel can delay an exit (a process in D state); past this, survivors are reported. */
const killWaitMs = 5000;
/**
 * After SIGKILL the end is a matter of a millisecond or two: look often, it is a short wait. From /proc a look
 * is one stat file per process killed (30 µs), so every millisecond; ps lists everything, so every 5 ms.
 */
const killPollIntervalMs = { proc: 1, ps: 5 };

/** The live members of the service's session and group, from a fresh snapshot unless `maxAgeMs` allows one. */
export async function liveMembers(record: RecordedIdentity, processes: ProcessSource, maxAgeMs = 0): Promise<ProcessInfo[]> {
  return serviceMembers(record, await processes.list(maxAgeMs), processes.bootId);
}

/**
 * Sends `signal` once to every process group of the service, then polls until no member is left, and
 * escalates to SIGKILL after the timeout. Membership is re-read before every signal (from a snapshot at most
 * a few milliseconds old), so a recycled PID is never signalled.
 */
export function terminateService(record: RecordedIdentity, options: TerminateOptions): Promise<TerminateResult> {
  return terminate((maxAgeMs) => liveMembers(record, options.processes, maxAgeMs), signalGroups, options);
}

/**
 * Stops one process that is not ours to treat as a group (a stranger on a declared port, for --force):
 * only it is signalled, and only while it is still the process that was identified.
 */
export function terminateProcess(identity: RecordedIdentity, options: TerminateOptions): Promise<TerminateResult> {
  const live = async (): Promise<ProcessInfo[]> => {
    const current = await options.processes.get(identity.pid);
    return current && isAlive(current) && isSameProcess(identity, current, options.processes.bootId) ? [current] : [];
  };
  const signalEach = (members: ProcessInfo[], signal: NodeJS.Signals): void => members.forEach((member) => signalProcess(member.pid, signal));
  return terminate(live, signalEach, options);
}

/**
 * Signal, poll until nothing is left, escalate to SIGKILL. `live` is read again before every signal; the
 * "anything left?" polls may share a snapshot a poll interval old with other stops running in parallel.
 */
async function terminate(
  live: (maxAgeMs?: number) => Promise<ProcessInfo[]>,
  send: (members: ProcessInfo[], signal: NodeJS.Signals) => void,
  options: TerminateOptions,
): Promise<TerminateResult> {
  const started = now();
  const first = await live(signalSnapshotMaxAgeMs);
  if (first.length === 0) return { outcome: 'not-running' };

  const forced = options.signal === 'SIGKILL' || options.killNow?.() === true;
  if (!forced && options.stopCommand) await options.stopCommand();
  else send(first, forced ? 'SIGKILL' : options.signal);
  let killed = first;
  if (!forced) {
    const gone = async (): Promise<true | undefined> => ((await live(pollIntervalMs - 5)).length === 0 ? true : undefined);
    // A stop command's own run time counts against the timeout: SIGKILL never comes later than stopTimeout.
    const waitMs = Math.max(0, options.timeoutMs - (now() - started));
    const left = await pollUntil(gone, { timeoutMs: waitMs, intervalMs: pollIntervalMs, stop: options.killNow });
    if (left) return { outcome: 'stopped', ms: now() - started };
    killed = await live(signalSnapshotMaxAgeMs);
    if (killed.length === 0) return { outcome: 'stopped', ms: now() - started };
    send(killed, 'SIGKILL');
  }
  // A process that got SIGKILL runs no more code, so it forks nothing new: watching the ones signalled is
  // enough. From /proc that is one stat file each instead of a scan of all of /proc every few milliseconds;
  // ps lists everything anyway, so there one shared listing serves.
  const { processes } = options;
  const stillThere = async (): Promise<ProcessInfo[]> => {
    const snapshot = processes.kind === 'proc' ? undefined : await processes.list(killPollIntervalMs.ps - 2);
    const current = await Promise.all(killed.map(async (member) => (snapshot ? snapshot.find((entry) => entry.pid === member.pid) : await processes.get(member.pid))));
    return current.filter((entry, index): entry is ProcessInfo => entry !== undefined && isAlive(entry) && isSameProcess(killed[index]!, entry, processes.bootId));
  };
  const dead = await pollUntil(async () => ((await stillThere()).length === 0 ? true : undefined), { timeoutMs: killWaitMs, intervalMs: killPollIntervalMs[processes.kind] });
  if (dead) return { outcome: 'killed', ms: now() - started };
  return { outcome: 'survived', ms: now() - started, survivors: await stillThere() };
}

/**
 * One signal per process group whose leader is a member (members that started their own group inside the
 * session get theirs too). A member in a group led by someone else, such as an adopted daemon that did not
 * leave its parent's group, is signalled on its own: a group that is not ours is never signalled.
 */
function signalGroups(members: ProcessInfo[], signal: NodeJS.Signals): void {
  const pids = new Set(members.map((member) => member.pid));
  for (const pgid of new Set(members.map((member) => member.pgid))) {
    if (pids.has(pgid)) signalGroup(pgid, signal);
    else members.filter((member) => member.pgid === pgid).forEach((member) => signalProcess(member.pid, signal));
  }
}
