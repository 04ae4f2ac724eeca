// PID files that lie: stale, recycled, unreadable, and services whose leader died leaving children behind.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPidFile, pidFilePath, readPidFile } from '../../scripts/lib/manage/state/pidfile.ts';
import { down } from '../../scripts/lib/manage/shutdown.ts';
import { up } from '../../scripts/lib/manage/up.ts';
import { collectStatus } from '../../scripts/lib/manage/status.ts';
import { pollUntil } from '../../scripts/lib/manage/process/poll.ts';
import { freePorts } from '../helpers/ports.ts';
import { createStack, isRunning, node, serverFixture, type TestStack } from '../helpers/stack.ts';

let stack: TestStack | undefined;
const strangers: number[] = [];
afterEach(async () => {
  const leftovers = stack?.processes() ?? [];
  await stack?.cleanup();
  stack = undefined;
  for (const pid of strangers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  expect(leftovers, 'processes the test left running').toEqual([]);
});

function writeRecord(stack: TestStack, service: string, pid: number, startTicks: number): void {
  mkdirSync(`${stack.context.stateDir}/.pids`, { recursive: true });
  const record = { service, pid, pgid: pid, startTime: Date.now() - 60_000, startTicks, bootId: stack.context.processes.bootId, startedAt: '2026-01-01T00:00:00.000Z', command: 'x' };
  writeFileSync(pidFilePath(stack.context.stateDir, service), formatPidFile(record));
}

async function exitedPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function startTicksOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
}

describe('stale and recycled PID files', () => {
  it('reports a PID file whose process is gone as DEAD, and the next up replaces it', async () => {
    const [port] = await freePorts(1);
    stack = createStack([{ name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port }]);
    const gone = await exitedPid();
    writeRecord(stack, 'api', gone, 1);

    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'dead', pid: gone, reason: expect.stringContaining(`pid ${gone} is gone`) });

    const [result] = await up(stack.context, []);
    expect(result!.outcome).toBe('started');
    expect(stack.output.join('\n')).toContain(`removed stale PID file (pid ${gone} is gone)`);
    expect(readPidFile(stack.context.stateDir, 'api')!.pid).not.toBe(gone);
    await down(stack.context, []);
  });

  it('never signals a process that reuses a recorded PID', async () => {
    stack = createStack([{ name: 'api', command: node(serverFixture) }]);
    const stranger = spawn('sleep', ['100'], { stdio: 'ignore' });
    strangers.push(stranger.pid!);
    // The same PID with another start time: what a recycled PID looks like.
    writeRecord(stack, 'api', stranger.pid!, startTicksOf(stranger.pid!) - 5);

    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'dead', reason: expect.stringContaining('now belongs to another program') });
    const [result] = await down(stack.context, []);
    expect(result).toEqual({ name: 'api', outcome: 'not-running', stalePid: stranger.pid });
    expect(isRunning(stranger.pid!)).toBe(true);
    expect(readPidFile(stack.context.stateDir, 'api')).toBeUndefined();
  });

  it('refuses up and down on an unreadable PID file, naming it, and touches nothing', async () => {
    const [port] = await freePorts(1);
    stack = createStack([
      { name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port },
      { name: 'worker', command: node(serverFixture) },
    ]);
    mkdirSync(`${stack.context.stateDir}/.pids`, { recursive: true });
    writeFileSync(pidFilePath(stack.context.stateDir, 'worker'), 'not a pid\n');
    const unreadable = { exitCode: 1, message: expect.stringContaining(`${stack.context.stateDir}/.pids/worker.pid is unreadable`) };
    await expect(up(stack.context, [])).rejects.toMatchObject(unreadable);
    await expect(down(stack.context, [])).rejects.toMatchObject(unreadable);
    // status still shows every service; the unreadable one is dead with the sentence that names the fix.
    const status = await collectStatus(stack.context, []);
    expect(status.services.map((service) => service.state)).toEqual(['stopped', 'dead']);
    expect(status.services[1]!.pidFileProblem).toEqual(expect.stringContaining('worker.pid is unreadable'));
    expect(status.services[1]!.reason).toEqual(expect.stringContaining('then remove the file'));
    expect(stack.processes()).toEqual([]);
    expect(readPidFile(stack.context.stateDir, 'api')).toBeUndefined();
  });
});

describe('a leader that died and left children', () => {
  it('is DEAD with its survivors counted; down stops the survivors; up clears them first', async () => {
    const [port] = await freePorts(1);
    stack = createStack([{ name: 'wrapped', command: `"${process.execPath}" "${serverFixture}" & wait`, env: { PORT: String(port) }, port }]);
    await up(stack.context, []);
    const record = readPidFile(stack.context.stateDir, 'wrapped')!;
    process.kill(record.pid, 'SIGKILL');
    await pollUntil(() => (isRunning(record.pid) ? undefined : true), { timeoutMs: 5000, intervalMs: 10 });
    const survivors = stack.processes();
    expect(survivors.length).toBe(1);

    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'dead', processes: 1, reason: expect.stringContaining('1 process(es) of its group still run') });
    expect(status.services[0]!.ports[0]).toMatchObject({ listening: true, heldBy: 'service' });

    const [again] = await up(stack.context, []);
    expect(again!.outcome).toBe('started');
    expect(stack.output.join('\n')).toContain('stopped 1 leftover process(es)');
    expect(survivors.filter(isRunning)).toEqual([]);

    const newRecord = readPidFile(stack.context.stateDir, 'wrapped')!;
    process.kill(newRecord.pid, 'SIGKILL');
    await pollUntil(() => (isRunning(newRecord.pid) ? undefined : true), { timeoutMs: 5000, intervalMs: 10 });
    const [stopped] = await down(stack.context, []);
    expect(stopped!.outcome).toBe('stopped');
    expect(stack.processes()).toEqual([]);
  });
});
