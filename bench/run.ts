// Benchmark: manage.ts beside its floor, measured in the same run. Prints medians; never asserts.
//   npm run bench [-- --runs N] [--only up|down|status|logs]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { followLatency } from './logs-latency.ts';
import { now, pollUntil } from '../scripts/lib/manage/process/poll.ts';
import { freePorts } from '../tests/helpers/ports.ts';
import { markedProcesses } from '../tests/helpers/stack.ts';

const root = join(import.meta.dirname, '..');
const manage = join(root, 'scripts', 'manage.ts');
const server = join(root, 'tests', 'fixtures', 'server.mjs');
const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '5' }, only: { type: 'string' } } });
const runs = Number(flags.runs);
/** --only up|down|status|logs: the cases whose label starts with it. */
const selected = (label: string): boolean => flags.only === undefined || label.startsWith(flags.only);

interface ServiceSpec {
  name: string;
  port?: number;
  env?: Record<string, string>;
  dependsOn?: string[];
  stopTimeout?: number;
  wrapper?: boolean;
}

/** A throwaway stack: services file and state directory, every process marked for cleanup by PID. */
function createStack(specs: ServiceSpec[]): { env: NodeJS.ProcessEnv; marker: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'manage-bench-'));
  const marker = `bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const services = specs.map((spec) => ({
    name: spec.name,
    command: spec.wrapper ? `"${process.execPath}" "${server}" & wait` : [process.execPath, server],
    env: { ...spec.env, ...(spec.port ? { PORT: String(spec.port) } : {}), MANAGE_TEST_MARKER: marker },
    ...(spec.port ? { port: spec.port } : {}),
    ...(spec.dependsOn ? { dependsOn: spec.dependsOn } : {}),
    ...(spec.stopTimeout ? { stopTimeout: spec.stopTimeout } : {}),
  }));
  writeFileSync(join(dir, 'services.mjs'), `export const SERVICES = ${JSON.stringify(services, null, 2)};\n`);
  return { env: { ...process.env, MANAGE_SERVICES_FILE: join(dir, 'services.mjs'), MANAGE_STATE_DIR: join(dir, 'state') }, marker, dir };
}

function runManage(env: NodeJS.ProcessEnv, ...args: string[]): number {
  const started = now();
  const result = spawnSync(manage, [...args, '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`manage.ts ${args.join(' ')} exited ${result.status}`);
  return now() - started;
}

function killMarked(marker: string): void {
  for (const pid of markedProcesses(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/**
 * Whether the test server accepts on a port. Closed with a reset: the poll every 5 ms would otherwise leave
 * thousands of sockets in TIME_WAIT, and every later read of /proc/net/tcp (status) would pay for them.
 * Only for the test server, an HTTP server, which takes a reset in its stride; manage.ts closes normally.
 */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.resetAndDestroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A probe that is true once every port has accepted. A port that accepted is not asked again: connecting to
 * servers already up, every 5 ms, would take CPU from those still booting and make the floor slower.
 */
function allAccept(ports: number[]): () => Promise<true | undefined> {
  let waiting = ports;
  return async () => {
    const accepted = await Promise.all(waiting.map(accepts));
    waiting = waiting.filter((_, index) => !accepted[index]);
    return waiting.length === 0 ? true : undefined;
  };
}

/** The floor for starting servers: a plain shell script with `&`, waited on by polling their ports. */
async function shellStart(ports: number[], marker: string): Promise<number> {
  const script = ports.map((port) => `PORT=${port} "${process.execPath}" "${server}" >/dev/null 2>&1 &`).join('\n');
  const started = now();
  spawn('sh', ['-c', script], { env: { ...process.env, MANAGE_TEST_MARKER: marker }, stdio: 'ignore', detached: true }).unref();
  await pollUntil(allAccept(ports), { timeoutMs: 30_000, intervalMs: 5 });
  return now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One run of a case: its time and floor, other floors (reported as medians), counts (reported at their worst). */
interface Sample {
  value: number;
  floor: number;
  otherFloors?: Record<string, number>;
  counts?: Record<string, number>;
}

async function measure(label: string, floorLabel: string, run: () => Promise<Sample>): Promise<void> {
  if (!selected(label)) return;
  const samples: Sample[] = [];
  for (let index = 0; index < runs; index++) samples.push(await run());
  const value = median(samples.map((sample) => sample.value));
  const floor = median(samples.map((sample) => sample.floor));
  const notes: string[] = [];
  for (const key of Object.keys(samples[0]!.otherFloors ?? {})) {
    const other = median(samples.map((sample) => sample.otherFloors![key]!));
    notes.push(`${key}: ${other.toFixed(0)} ms (${(value / other).toFixed(2)}x)`);
  }
  for (const key of Object.keys(samples[0]!.counts ?? {})) notes.push(`${key}: ${Math.max(...samples.map((sample) => sample.counts![key]!))}`);
  console.log(`| ${label} | ${value.toFixed(0)} ms | ${floorLabel}: ${floor.toFixed(0)} ms | ${(value / floor).toFixed(2)}x | ${notes.join('; ')} |`);
}

async function flatTwenty(): Promise<Sample> {
  const ports = await freePorts(20);
  const stack = createStack(ports.map((port, index) => ({ name: `s${index}`, port })));
  try {
    const value = runManage(stack.env, 'up');
    runManage(stack.env, 'down');
    const floor = await shellStart(ports, stack.marker);
    return { value, floor };
  } finally {
    killMarked(stack.marker);
    rmSync(stack.dir, { recursive: true, force: true });
  }
}

/** The measured floor of a chain: each server started from a shell the moment the previous one accepts. */
async function shellChain(ports: number[], marker: string): Promise<number> {
  const started = now();
  for (const port of ports) {
    spawn(process.execPath, [server], { env: { ...process.env, PORT: String(port), LISTEN_DELAY_MS: '300', MANAGE_TEST_MARKER: marker }, stdio: 'ignore', detached: true }).unref();
    await pollUntil(allAccept([port]), { timeoutMs: 30_000, intervalMs: 5 });
  }
  return now() - started;
}

async function chainOfFive(): Promise<Sample> {
  const ports = await freePorts(5);
  const specs = ports.map((port, index) => ({ name: `c${index}`, port, env: { LISTEN_DELAY_MS: '300' }, dependsOn: index ? [`c${index - 1}`] : undefined }));
  const stack = createStack(specs);
  try {
    const value = runManage(stack.env, 'up');
    // A dependent must be spawned (log header) no earlier than its dependency listened.
    const times = specs.map((spec) => {
      const log = readFileSync(join(stack.dir, 'state', 'logs', `${spec.name}.log`), 'utf8');
      return { spawned: Date.parse(/^=== (\S+)/m.exec(log)![1]!), listening: Date.parse(/^(\S+) INFO {2}listening/m.exec(log)![1]!) };
    });
    const early = times.slice(1).filter((time, index) => time.spawned < times[index]!.listening).length;
    runManage(stack.env, 'down');
    const measured = await shellChain(ports, stack.marker);
    return { value, floor: 5 * 300, otherFloors: { 'sequential shell chain': measured }, counts: { 'dependents started early (worst run)': early } };
  } finally {
    killMarked(stack.marker);
    rmSync(stack.dir, { recursive: true, force: true });
  }
}

async function stubbornDown(): Promise<Sample> {
  const stack = createStack(
    Array.from({ length: 10 }, (_, index): ServiceSpec => ({ name: `d${index}`, env: index < 5 ? { IGNORE_SIGTERM: '1' } : {}, stopTimeout: 2000 })),
  );
  try {
    runManage(stack.env, 'up');
    return { value: runManage(stack.env, 'down'), floor: 2000 };
  } finally {
    killMarked(stack.marker);
    rmSync(stack.dir, { recursive: true, force: true });
  }
}

async function wrappersDown(): Promise<Sample> {
  const ports = await freePorts(10);
  const stack = createStack(ports.map((port, index) => ({ name: `w${index}`, port, wrapper: true })));
  try {
    runManage(stack.env, 'up');
    const before = markedProcesses(stack.marker).length;
    const value = runManage(stack.env, 'down');
    const survivors = markedProcesses(stack.marker).length;
    return { value, floor: value, counts: { 'processes before down': before, 'survivors (worst run)': survivors } };
  } finally {
    killMarked(stack.marker);
    rmSync(stack.dir, { recursive: true, force: true });
  }
}

/**
 * `node -e 0` as manage.ts's own Node starts: launch.sh leaves NODE_EXTRA_CA_CERTS out of its environment
 * (see certificates.ts), so the floor leaves it out too. `withExtraCerts` times it as every other Node here.
 */
const node0 = (withExtraCerts = false): number => {
  const { NODE_EXTRA_CA_CERTS, ...withoutExtraCerts } = process.env;
  const started = now();
  spawnSync(process.execPath, ['-e', '0'], { env: withExtraCerts ? { ...withoutExtraCerts, NODE_EXTRA_CA_CERTS } : withoutExtraCerts });
  return now() - started;
};

/**
 * `status` with n running servers (each listening on its port), timed beside `node -e 0` in alternation, so
 * both see the same machine load. Nine calls each per run; the first call of each run is not counted (it
 * has no CPU sample to compare with yet and pays for any rebuild of the bundle).
 */
function statusOf(count: number): () => Promise<Sample> {
  return async () => {
    const ports = await freePorts(count);
    const stack = createStack(ports.map((port, index) => ({ name: `st${index}`, port })));
    try {
      runManage(stack.env, 'up');
      runManage(stack.env, 'status');
      const status: number[] = [];
      const bare: number[] = [];
      for (let index = 0; index < 9; index++) {
        status.push(runManage(stack.env, 'status'));
        bare.push(node0());
      }
      runManage(stack.env, 'down');
      return { value: median(status), floor: median(bare) };
    } finally {
      killMarked(stack.marker);
      rmSync(stack.dir, { recursive: true, force: true });
    }
  };
}

console.log(`manage.ts benchmark, ${new Date().toISOString()}, node ${process.version}, ${runs} runs each, medians`);
console.log(`node -e 0 on this machine: ${median(Array.from({ length: 5 }, () => node0())).toFixed(0)} ms`);
if (process.env.NODE_EXTRA_CA_CERTS) {
  console.log(`with NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}, as services start: ${median(Array.from({ length: 5 }, () => node0(true))).toFixed(0)} ms`);
}
console.log('| case | manage.ts | floor | ratio | notes |');
console.log('| --- | --- | --- | --- | --- |');
await measure('up: 20 independent servers until all accept', 'sh with & + port polling', flatTwenty);
await measure('up: chain of 5, each listening 300 ms after start', '5 x 300 ms', chainOfFive);
await measure('down: 10 services, 5 ignore SIGTERM (stop timeout 2 s)', 'stop timeout', stubbornDown);
await measure("down: 10 sh -c 'server & wait' wrappers", 'itself', wrappersDown);
await measure('status: 1 running service', 'node -e 0', statusOf(1));
await measure('status: 20 running services', 'node -e 0', statusOf(20));
await measure('status: 50 running services', 'node -e 0', statusOf(50));
if (selected('logs')) {
  const latency = await followLatency(runs);
  const ratio = (value: number, floor: number): string => (value / floor).toFixed(2);
  console.log(
    `| logs -f: write to screen, ${runs} x 200 lines (median, p95) | ${latency.manage.median.toFixed(2)} ms, ${latency.manage.p95.toFixed(2)} ms | tail -F: ${latency.tail.median.toFixed(2)} ms, ${latency.tail.p95.toFixed(2)} ms | ${ratio(latency.manage.median, latency.tail.median)}x | p95 ${ratio(latency.manage.p95, latency.tail.p95)}x |`,
  );
}
