// Restart policies run by the keeper inside the service's process group: backoff, giving up, down.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../scripts/lib/manage/process/poll.ts';
import { down } from '../../scripts/lib/manage/shutdown.ts';
import { up } from '../../scripts/lib/manage/up.ts';
import { collectStatus } from '../../scripts/lib/manage/status.ts';
import { freePorts } from '../helpers/ports.ts';
import { createStack, fixtures, isRunning, node, serverFixture, withStackCleanup, type TestStack } from '../helpers/stack.ts';

withStackCleanup();

const logOf = (stack: TestStack, name: string): string => readFileSync(`${stack.context.logDir}/${name}.log`, 'utf8');
const waitForLog = (stack: TestStack, name: string, pattern: RegExp, timeoutMs = 5000): Promise<true | undefined> =>
  pollUntil(() => (pattern.test(logOf(stack, name)) ? true : undefined), { timeoutMs, intervalMs: 20 });

describe('restart policies', () => {
  it('restarts a crashing service with doubling backoff, then gives up', async () => {
    // Up for half a second (ready after 100 ms), then it crashes.
    const stack = createStack([{ name: 'crashy', command: 'echo boot; sleep 0.5; exit 3', settleMs: 100, restart: 'on-failure', maxRestarts: 2, restartDelay: 200 }]);
    const [result] = await up(stack.context, []);
    expect(result!.outcome).toBe('started');
    expect(await waitForLog(stack, 'crashy', /giving up after 2 restarts in a row \(last exit 3\)/)).toBe(true);
    const log = logOf(stack, 'crashy');
    expect(log.match(/^boot$/gm)).toHaveLength(3);
    expect(log).toMatch(/restarted \(exit 3, attempt 1\) after 200 ms/);
    expect(log).toMatch(/restarted \(exit 3, attempt 2\) after 400 ms/);
    await pollUntil(() => (stack.processes().length === 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'dead', restarts: { count: 2, lastExit: 3 }, reason: expect.stringContaining('its keeper stopped after 2 restart(s) (last exit 3') });
    await down(stack.context, []);
  });

  it('starts counting toward maxRestarts again after a healthy run, and keeps the total for status', async () => {
    // Run 1 crashes at once, run 2 stays up past the (shortened) healthy time, run 3 crashes at once. Without
    // the reset, maxRestarts 1 would give up after run 2.
    const counter = 'n=$(cat runs 2>/dev/null || echo 0); n=$((n + 1)); echo $n > runs; echo "run $n"; [ $n = 2 ] && sleep 2.2; exit 4';
    const stack = createStack([{ name: 'flaky', command: counter, settleMs: 0, restart: 'on-failure', maxRestarts: 1, restartDelay: 50, env: { MANAGE_KEEPER_HEALTHY_S: '2' } }]);
    // The run counter lives in the test's own directory.
    stack.context.services[0]!.cwd = stack.context.stateDir;
    await up(stack.context, [], { noWait: true });
    expect(await waitForLog(stack, 'flaky', /giving up after 1 restarts in a row \(last exit 4\)/, 10_000)).toBe(true);
    const log = logOf(stack, 'flaky');
    expect(log.match(/^run \d$/gm)).toEqual(['run 1', 'run 2', 'run 3']);
    // Run 2 lasted over two seconds, so the restart after it is attempt 1 again, with the first delay.
    expect(log.match(/restarted \(exit 4, attempt \d\) after \d+ ms/g)).toEqual(['restarted (exit 4, attempt 1) after 50 ms', 'restarted (exit 4, attempt 1) after 50 ms']);
    await pollUntil(() => (stack.processes().length === 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    expect((await collectStatus(stack.context, [])).services[0]!.restarts).toMatchObject({ count: 2, lastExit: 4 });
    await down(stack.context, []);
  });

  it('keeps a service that starts fine under its keeper and counts a restart in status', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([{ name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port, restart: 'always', restartDelay: 50 }]);
    const [result] = await up(stack.context, []);
    expect(result!.outcome).toBe('started');
    // The server itself, not its keeper (whose command line names server.mjs too).
    const [server] = stack.processes().filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath);
    process.kill(server!, 'SIGKILL');
    expect(await waitForLog(stack, 'api', /restarted \(exit 137, attempt 1\) after 50 ms/)).toBe(true);
    await expect.poll(async () => (await collectStatus(stack.context, [])).services[0]!.ports[0]!.heldBy, { timeout: 5000 }).toBe('service');
    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'running', restarts: { count: 1, lastExit: 137 } });
    // The check passed for the first process at up; status asks the port again for the restarted one.
    expect(status.services[0]!.ready).toEqual({ check: `tcp 127.0.0.1:${port}`, passedAt: null, ok: true, detail: null });
    const [stopped] = await down(stack.context, []);
    expect(stopped!.outcome).toBe('stopped');
  });

  it('fails a start that crashes before it is ready, even though its keeper would restart it', async () => {
    const stack = createStack([
      { name: 'bad-config', command: 'echo "bad config" >&2; exit 3', restart: 'on-failure', restartDelay: 5000 },
      { name: 'dependent', command: node(serverFixture), dependsOn: ['bad-config'] },
    ]);
    const results = await up(stack.context, []);
    expect(results[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^exited with code 3/) });
    expect(results[0]!.outcome === 'failed' && results[0]!.logTail[0]).toBe('bad config');
    expect(results[1]).toEqual({ name: 'dependent', outcome: 'skipped', dependency: 'bad-config' });
    expect(stack.processes()).toEqual([]);
  });

  it('restarts a clean exit only with "always"', async () => {
    const stack = createStack([
      { name: 'on-failure', command: 'echo run; sleep 0.4', restart: 'on-failure', restartDelay: 50 },
      { name: 'always', command: 'echo run; sleep 0.4', restart: 'always', restartDelay: 50 },
    ]);
    await up(stack.context, []);
    expect(await waitForLog(stack, 'always', /restarted \(exit 0, attempt 1\)/)).toBe(true);
    expect(await pollUntil(() => (stack.processes().length <= 3 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 })).toBe(true);
    expect(logOf(stack, 'on-failure')).not.toMatch(/restarted/);
    await down(stack.context, []);
  });

  it('respawns nothing after down, even with a restart pending', async () => {
    const stack = createStack([{ name: 'crashy', command: 'echo boot; sleep 0.3; exit 3', settleMs: 100, restart: 'on-failure', restartDelay: 10_000 }]);
    await up(stack.context, []);
    expect(await waitForLog(stack, 'crashy', /restarted \(exit 3, attempt 1\) after 10000 ms/)).toBe(true);
    const keeper = stack.processes();
    const [result] = await down(stack.context, []);
    expect(result!.outcome).toBe('stopped');
    expect(keeper.filter(isRunning)).toEqual([]);
    // A respawn would print a second "boot": give it the time a short backoff would take.
    expect(await waitForLog(stack, 'crashy', /^boot$[\s\S]*^boot$/m, 600)).toBeUndefined();
  });
});

describe('services that daemonize', () => {
  it('tracks the daemon named in its pidFile, and stops it with its stopCommand', async () => {
    const [port] = await freePorts(1);
    const pidFile = `daemon-${port}.pid`;
    const stack = createStack([
      {
        name: 'daemon',
        command: ['sh', `${fixtures}/daemonize.sh`, pidFile],
        cwd: '/tmp',
        env: { PORT: String(port) },
        port,
        pidFile,
        stopCommand: `echo ran > ${pidFile}.stopped; kill -TERM "$(cat ${pidFile})"`,
      },
    ]);
    const [result] = await up(stack.context, []);
    const daemonPid = Number(readFileSync(`/tmp/${pidFile}`, 'utf8'));
    expect(result).toMatchObject({ outcome: 'started', pid: daemonPid });
    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'running', pid: daemonPid, ports: [{ port, listening: true, heldBy: 'service' }] });

    const [stopped] = await down(stack.context, []);
    expect(stopped).toMatchObject({ outcome: 'stopped', pid: daemonPid });
    expect(isRunning(daemonPid)).toBe(false);
    expect(logOf(stack, 'daemon')).toContain('SIGTERM received');
    expect(readFileSync(`/tmp/${pidFile}.stopped`, 'utf8')).toBe('ran\n');
    rmSync(`/tmp/${pidFile}`);
    rmSync(`/tmp/${pidFile}.stopped`);
  });

  it('never adopts a process named by a PID file left from before the start', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pidFile = `stale-${stranger.pid}.pid`;
    writeFileSync(`/tmp/${pidFile}`, `${stranger.pid}\n`);
    // As a file left by an earlier run would be.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`/tmp/${pidFile}`, aMinuteAgo, aMinuteAgo);
    const stack = createStack([{ name: 'late', command: 'true', pidFile, cwd: '/tmp', readyTimeout: 400 }]);
    const [result] = await up(stack.context, []);
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('no live process is named in') });
    expect(isRunning(stranger.pid!)).toBe(true);
    stranger.kill('SIGKILL');
    rmSync(`/tmp/${pidFile}`);
  });

  it('fails clearly when the command exits 0 but names no live process', async () => {
    const stack = createStack([{ name: 'liar', command: 'true', pidFile: 'never-written.pid', cwd: '/tmp', readyTimeout: 400 }]);
    const [result] = await up(stack.context, []);
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('exited 0 but no live process is named in /tmp/never-written.pid') });
  });
});
