// Benchmark: how long a line appended to a log takes to come out of `manage.ts logs -f`, beside `tail -F`
// on the same file in the same run. Times are taken in this process only (write, then the line seen on the
// follower's stdout), since performance.now() is not comparable across processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { now, pollUntil, sleep } from '../scripts/lib/manage/process/poll.ts';

const manage = join(import.meta.dirname, '..', 'scripts', 'manage.ts');
const linesPerRun = 200;
const spacingMs = 10;

export interface Latency {
  median: number;
  p95: number;
}

/** A services file with one service that is never started, and its state directory with an empty log. */
function createLogStack(): { dir: string; env: NodeJS.ProcessEnv; logFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'manage-bench-logs-'));
  const services = [{ name: 'app', command: [process.execPath, '-e', '0'] }];
  writeFileSync(join(dir, 'services.mjs'), `export const SERVICES = ${JSON.stringify(services)};\n`);
  mkdirSync(join(dir, 'state', 'logs'), { recursive: true });
  const logFile = join(dir, 'state', 'logs', 'app.log');
  writeFileSync(logFile, '');
  return { dir, env: { ...process.env, MANAGE_SERVICES_FILE: join(dir, 'services.mjs'), MANAGE_STATE_DIR: join(dir, 'state'), NO_COLOR: '1' }, logFile };
}

/** A follower process and, per probe id, when this process first saw it on the follower's stdout. */
interface Follower {
  child: ChildProcess;
  seen: Map<string, number>;
}

function startFollower(command: string, args: string[], env: NodeJS.ProcessEnv): Follower {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const seen = new Map<string, number>();
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const at = now();
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const id = /probe (\S+)/.exec(line)?.[1];
      if (id !== undefined && !seen.has(id)) seen.set(id, at);
    }
  });
  return { child, seen };
}

/** Stops a follower by its PID and waits for it to exit. */
async function stopFollower(follower: Follower): Promise<void> {
  if (follower.child.exitCode !== null || follower.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => follower.child.once('exit', () => resolve()));
  follower.child.kill('SIGTERM');
  await exited;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function summarize(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, p95: percentile(sorted, 0.95) };
}

/** Writes probe lines until every follower has printed one: from then on, both are following. */
async function warmUp(logFile: string, followers: Follower[]): Promise<void> {
  let count = 0;
  const ready = await pollUntil(
    () => {
      appendFileSync(logFile, `warm-up probe warm-${++count}\n`);
      return followers.every((follower) => [...follower.seen.keys()].some((id) => id.startsWith('warm-'))) ? true : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  if (!ready) throw new Error('a follower printed nothing within 15 s');
}

/**
 * `runs` rounds of 200 lines appended ~10 ms apart, each with a unique id; for every line, the time from
 * its write to its id on the stdout of `manage.ts logs -f app` and of `tail -F` on the same file.
 * Milliseconds, as the median and 95th percentile over all lines of all runs. A line a follower never
 * printed within 5 s of the last write is an error, not a sample.
 */
export async function followLatency(runs: number): Promise<{ manage: Latency; tail: Latency }> {
  const samples = { manage: [] as number[], tail: [] as number[] };
  for (let run = 0; run < runs; run++) {
    const stack = createLogStack();
    const followers = {
      manage: startFollower(manage, ['logs', '-f', '-n', '0', 'app'], stack.env),
      tail: startFollower('tail', ['-F', '-n', '0', stack.logFile], stack.env),
    };
    try {
      await warmUp(stack.logFile, Object.values(followers));
      const written = new Map<string, number>();
      for (let index = 0; index < linesPerRun; index++) {
        const id = `${run}-${index}`;
        written.set(id, now());
        appendFileSync(stack.logFile, `latency probe ${id} ${'x'.repeat(60)}\n`);
        await sleep(spacingMs);
      }
      const allSeen = (): true | undefined => (Object.values(followers).every((follower) => [...written.keys()].every((id) => follower.seen.has(id))) ? true : undefined);
      if (!(await pollUntil(allSeen, { timeoutMs: 5000, intervalMs: 10 }))) throw new Error(`run ${run}: a follower missed lines`);
      for (const [name, follower] of Object.entries(followers) as Array<[keyof typeof samples, Follower]>) {
        for (const [id, at] of written) samples[name].push(follower.seen.get(id)! - at);
      }
    } finally {
      await Promise.all(Object.values(followers).map(stopFollower));
      rmSync(stack.dir, { recursive: true, force: true });
    }
  }
  return { manage: summarize(samples.manage), tail: summarize(samples.tail) };
}
