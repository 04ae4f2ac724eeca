// Readiness checks: when a started service counts as up (port accepting, HTTP status, log line, command).
import { extraCaContext } from '../launch/certificates.ts';
import { LogFollower } from '../logfiles/logfile.ts';
import { nextTurn, now, pollUntil } from '../process/poll.ts';
import { isAccepting } from '../process/processes.ts';
import { commandText, type ReadinessCheck, type ResolvedService } from '../core/service.ts';
import { runCheckCommand, type ExitStatus } from '../process/shell.ts';

export type ReadyResult =
  | { ready: true; ms: number }
  | { ready: false; reason: 'exited'; status: ExitStatus; ms: number }
  | { ready: false; reason: 'timeout'; ms: number; lastCheck: string }
  | { ready: false; reason: 'interrupted'; ms: number };

export interface WaitOptions {
  /** Settles if the service's leader exits while we wait (only known for a service this process started). */
  exited?: Promise<ExitStatus>;
  /** Under a restart keeper the leader outlives a crash: an exit the keeper saw during the wait, if any. */
  crashed?: () => ExitStatus | undefined;
  /** Without an exit promise: true while some process of the service is alive. */
  alive?: () => Promise<boolean>;
  logPath: string;
  /** Log bytes before this offset were written before this start and never count for a log check. */
  logOffset: number;
  /** The service's environment, for a command check. */
  env: Record<string, string>;
  stop?: () => boolean;
  /** True when one of the service's own processes listens on the port, else who does; without it, any listener counts. */
  ownsPort?: (port: number) => Promise<true | string>;
}

/** A readable description of a check, for progress and failure messages. */
export function describeCheck(check: ReadinessCheck | undefined, settleMs: number): string {
  if (!check) return `alive after ${settleMs} ms`;
  if ('tcp' in check) return `tcp ${check.host ?? '127.0.0.1'}:${check.tcp}`;
  if ('http' in check) return `http ${check.http}`;
  if ('log' in check) return `log line matching ${String(check.log)}`;
  return `command ${commandText(check.command)}`;
}

/** How often each kind of check is polled: cheap probes fast, spawning a command less often. */
function intervalFor(check: ReadinessCheck | undefined, started: number): number | (() => number) {
  if (check && 'command' in check) return 200;
  if (check && 'http' in check) return 50;
  if (check && 'tcp' in check) return () => tcpPollIntervalFor(tcpWaits, now() - started);
  return 10;
}

/** Services whose tcp check is being polled right now, in this process. */
let tcpWaits = 0;

/**
 * A refused connection costs about 0.2 ms of CPU. One service waited for alone (a link of a dependency
 * chain, where every millisecond of delay is added to the whole start) is polled every 2 ms, 10% of a core;
 * with more waiting at once the interval grows, up to 10 ms from five on, so twenty services starting
 * together, which need the CPU to boot, never see more than about 40% of a core spent on polling them.
 * A long wait (a build, a database replaying its journal) is polled at 1% of the time waited so far, up to
 * every 100 ms: that delays the start by at most 1% and costs almost nothing while it lasts.
 */
export function tcpPollIntervalFor(waiting: number, waitedMs: number): number {
  const forContention = Math.min(10, Math.max(2, 2 * waiting));
  return Math.max(forContention, Math.min(100, waitedMs / 100));
}

/** Waits until the service's check passes, its process exits, the deadline passes, or `stop` says so. */
export async function waitUntilReady(service: ResolvedService, options: WaitOptions): Promise<ReadyResult> {
  const started = now();
  let exitStatus: ExitStatus | undefined;
  void options.exited?.then((status) => (exitStatus = status));
  let lastCheck = 'not run yet';
  const probe = createProbe(service, options, started + service.readyTimeout);
  const polledTcp = service.ready !== undefined && 'tcp' in service.ready;
  if (polledTcp) tcpWaits++;

  const outcome = await pollUntil<'ready' | 'exited'>(
    async () => {
      exitStatus ??= options.crashed?.();
      if (exitStatus) return 'exited';
      if (options.alive && !(await options.alive())) return 'exited';
      const result = await probe();
      if (result === true) {
        // A process that died is not ready, though its socket may still have completed a connection: an exit
        // already signalled is handled within one turn of the event loop. (A 0 ms timer would wait 1 ms,
        // added to every hand-off to a dependent.)
        await nextTurn();
        return exitStatus ? 'exited' : 'ready';
      }
      lastCheck = result;
      return undefined;
    },
    { timeoutMs: service.readyTimeout, intervalMs: intervalFor(service.ready, started), stop: options.stop },
  ).finally(() => {
    if (polledTcp) tcpWaits--;
  });
  const ms = now() - started;
  if (outcome === 'ready') return { ready: true, ms };
  if (outcome === 'exited') return { ready: false, reason: 'exited', status: exitStatus ?? { code: null, signal: null }, ms };
  if (options.stop?.()) return { ready: false, reason: 'interrupted', ms };
  return { ready: false, reason: 'timeout', ms, lastCheck };
}

/**
 * One run of a service's declared check (status uses it; a service without one has nothing to run): true
 * when it passes, else a short description of what it saw.
 */
export function checkOnce(service: ResolvedService & { ready: ReadinessCheck }, options: Omit<WaitOptions, 'exited' | 'crashed' | 'alive' | 'stop'>): Promise<true | string> {
  return createProbe(service, options, now() + 5000)();
}

/**
 * The status code of a GET, redirects not followed. node:http rather than fetch: loading fetch's undici
 * costs about 30 ms, a quarter of what a whole status call may take.
 */
async function httpStatus(url: string, timeoutMs: number): Promise<number> {
  const secure = url.startsWith('https:');
  const { request } = secure ? await import('node:https') : await import('node:http');
  const secureContext = secure ? await extraCaContext() : undefined;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'GET', timeout: timeoutMs, agent: false, ...(secureContext ? { secureContext } : {}) }, (response) => {
      resolve(response.statusCode ?? 0);
      response.destroy();
    });
    outgoing.once('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.once('error', reject);
    outgoing.end();
  });
}

/** A probe answers true when ready, else a short description of what it saw. */
function createProbe(service: ResolvedService, options: WaitOptions, deadline: number): () => Promise<true | string> {
  const check = service.ready;
  if (!check) {
    const readyAt = now() + service.settleMs;
    return async () => (now() >= readyAt ? true : 'settling');
  }
  if ('tcp' in check) {
    return async () => {
      if (!(await isAccepting(check.tcp, check.host ?? '127.0.0.1', 1000))) return `nothing accepts on port ${check.tcp}`;
      // Something else answering on the port (a stranger that bound it first) is not this service being ready.
      return options.ownsPort ? await options.ownsPort(check.tcp) : true;
    };
  }
  if ('http' in check) {
    const [min, max] = check.status ?? [200, 399];
    return async () => {
      try {
        const status = await httpStatus(check.http, 2000);
        return status >= min && status <= max ? true : `HTTP ${status}`;
      } catch (error) {
        return `no HTTP answer (${(error as Error).message})`;
      }
    };
  }
  if ('log' in check) {
    const pattern = typeof check.log === 'string' ? new RegExp(check.log) : check.log;
    let matched = false;
    const follower = new LogFollower(service.name, options.logPath, (line) => (matched ||= pattern.test(line)), options.logOffset);
    return async () => {
      follower.pump();
      return matched ? true : 'no matching log line yet';
    };
  }
  return async () => {
    const timeoutMs = Math.max(0, Math.min(5000, deadline - now()));
    const code = await runCheckCommand(check.command, { cwd: service.cwd, env: options.env, timeoutMs });
    return code === 0 ? true : code === 124 ? 'command timed out' : `command exited ${code}`;
  };
}
