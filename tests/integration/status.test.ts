// status with real processes: CPU over an interval, memory of a whole group, health, warnings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { down } from '../../scripts/lib/manage/shutdown.ts';
import { up } from '../../scripts/lib/manage/up.ts';
import { collectStatus, memoryHistory, type ServiceStatus } from '../../scripts/lib/manage/status.ts';
import { freePorts } from '../helpers/ports.ts';
import { createStack, node, serverFixture, withStackCleanup, type TestStack } from '../helpers/stack.ts';

withStackCleanup();

const named = async (stack: TestStack, name: string, history = memoryHistory(200)): Promise<ServiceStatus> =>
  (await collectStatus(stack.context, [name], { history })).services[0]!;

/** Resident memory of one process as the kernel reports it in /proc/<pid>/status. */
function vmRssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

describe('status with real processes', () => {
  it('shows a busy loop using CPU over the last interval and an idle service using next to none', async () => {
    const stack = createStack([
      { name: 'busy', command: node('-e', 'for (;;) {}') },
      { name: 'idle', command: node('-e', 'setInterval(() => {}, 1000)') },
    ]);
    await up(stack.context, []);
    const history = memoryHistory(200);
    await collectStatus(stack.context, [], { history });
    // The second call differences against the first once 200 ms have passed.
    await expect.poll(async () => (await collectStatus(stack.context, [], { history, clock: Date.now })).services.every((service) => service.cpu?.since === 'sample'), { timeout: 5000, interval: 100 }).toBe(true);
    const report = await collectStatus(stack.context, [], { history });
    const [busy, idle] = report.services;
    expect(busy!.cpu!.since).toBe('sample');
    expect(busy!.cpu!.percent).toBeGreaterThan(20);
    expect(idle!.cpu!.percent).toBeLessThan(5);
    await down(stack.context, []);
  });

  it('keeps the sample in the state directory, so the next status call gets an interval figure', async () => {
    const stack = createStack([{ name: 'idle', command: node('-e', 'setInterval(() => {}, 1000)') }]);
    await up(stack.context, []);
    const first = (await collectStatus(stack.context, [])).services[0]!;
    expect(first.cpu!.since).toBe('start');
    expect(readFileSync(`${stack.context.stateDir}/.pids/cpu-samples.json`, 'utf8')).toContain('"cpuMs"');
    await expect.poll(async () => (await collectStatus(stack.context, [])).services[0]!.cpu!.since, { timeout: 5000, interval: 250 }).toBe('sample');
    await down(stack.context, []);
  });

  it('sums resident memory over every process of the group', async () => {
    const child = `"${process.execPath}" -e "setInterval(() => {}, 1000)"`;
    const stack = createStack([{ name: 'pair', command: `${child} & ${child} & wait` }]);
    await up(stack.context, []);
    await expect.poll(async () => (await named(stack, 'pair')).processes, { timeout: 5000 }).toBe(3);
    const status = await named(stack, 'pair');
    const kernel = status.members.reduce((sum, member) => sum + vmRssBytes(member.pid), 0);
    // Both figures move a little between the two reads.
    expect(Math.abs(status.memoryBytes! - kernel) / kernel).toBeLessThan(0.1);
    const largest = Math.max(...status.members.map((member) => vmRssBytes(member.pid)));
    expect(status.memoryBytes!).toBeGreaterThan(largest * 1.5);
    await down(stack.context, []);
  });

  it('tells running from ready: STARTING within readyTimeout, then UNHEALTHY with what the check saw', async () => {
    const [slow, failing] = await freePorts(2);
    const http = (port: number): string => `http://127.0.0.1:${port}/`;
    const stack = createStack([
      { name: 'slow', command: node(serverFixture), env: { PORT: String(slow), HTTP_STATUS: '503' }, port: slow, ready: { http: http(slow), status: [200, 299] }, readyTimeout: 60_000 },
      { name: 'failing', command: node(serverFixture), env: { PORT: String(failing), HTTP_STATUS: '503' }, port: failing, ready: { http: http(failing), status: [200, 299] }, readyTimeout: 300 },
    ]);
    await up(stack.context, [], { noWait: true });
    await expect.poll(async () => (await named(stack, 'slow')).ready?.detail, { timeout: 5000 }).toBe('HTTP 503');
    expect(await named(stack, 'slow')).toMatchObject({ state: 'running', health: 'starting', ready: { ok: false, passedAt: null } });
    await expect.poll(async () => (await named(stack, 'failing')).health, { timeout: 5000 }).toBe('unhealthy');
    const report = await collectStatus(stack.context, [], { history: memoryHistory(200) });
    expect(report.services[1]!.reason).toBe(`its check (http ${http(failing)}) fails: HTTP 503`);
    expect(report.summary).toMatchObject({ running: 2, ready: 0, starting: 1, unhealthy: 1, failed: 1 });
    await down(stack.context, []);
  });

  it('is ready again when a tcp check passes now, and unhealthy when the port closes after it passed', async () => {
    const [port] = await freePorts(1);
    // The server closes its listener after 600 ms, but its process keeps running.
    const stack = createStack([{ name: 'api', command: node('-e', `const s = require('net').createServer().listen(${port}, '127.0.0.1'); setTimeout(() => s.close(), 600); setInterval(() => {}, 1000);`), port }]);
    const [result] = await up(stack.context, []);
    expect(result!.outcome).toBe('started');
    expect((await named(stack, 'api')).health).toBe('ready');
    await expect.poll(async () => (await named(stack, 'api')).health, { timeout: 5000 }).toBe('unhealthy');
    expect((await named(stack, 'api')).ready).toMatchObject({ ok: false, detail: `nothing accepts on port ${port}` });
    await down(stack.context, []);
  });

  it('warns about a zombie in a service group and a stale PID file, and reports log activity', async () => {
    // sh execs sleep after starting `true`; sleep never reaps it, so it stays a zombie.
    const stack = createStack([
      { name: 'reaper-less', command: 'echo started; true & exec sleep 30' },
      { name: 'victim', command: node('-e', 'setInterval(() => {}, 1000)') },
    ]);
    const results = await up(stack.context, []);
    expect(results.map((result) => result.outcome)).toEqual(['started', 'started']);
    const victimPid = (await named(stack, 'victim')).pid!;
    process.kill(-victimPid, 'SIGKILL');
    await expect.poll(async () => (await named(stack, 'victim')).state, { timeout: 5000 }).toBe('dead');
    await expect.poll(async () => (await named(stack, 'reaper-less')).zombies, { timeout: 5000 }).toBe(1);
    const report = await collectStatus(stack.context, [], { history: memoryHistory(200) });
    expect(report.warnings.map((warning) => [warning.kind, warning.service])).toEqual([
      ['zombies', 'reaper-less'],
      ['stale-pid-file', 'victim'],
    ]);
    expect(report.services[0]!.log).toMatchObject({ bytes: expect.any(Number), lastWriteAt: expect.any(String), idleSeconds: expect.any(Number) });
    expect(report.services[0]!.log.bytes).toBeGreaterThan(0);
    await down(stack.context, []);
  });

  it('prints exactly the fields docs/status-json.md documents, so the schema and its documentation agree', async () => {
    const stack = createStack([{ name: 'idle', command: node('-e', 'setInterval(() => {}, 1000)') }]);
    await up(stack.context, []);
    const report = await collectStatus(stack.context, []);
    const documentation = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'status-json.md'), 'utf8');
    const serviceTable = documentation.slice(documentation.indexOf('## ServiceStatus'), documentation.indexOf('## Exit codes'));
    // First column of each table row: one or more `field` names.
    const documented = [...serviceTable.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) => [...row[1]!.matchAll(/`(\w+)`/g)].map((match) => match[1]!));
    expect(Object.keys(report.services[0]!).sort()).toEqual(documented.filter((field) => field !== 'field').sort());
    expect(Object.keys(report).sort()).toEqual(['attached', 'generatedAt', 'schemaVersion', 'services', 'summary', 'undeclared', 'warnings']);
    for (const key of Object.keys(report.summary)) expect(documentation).toContain(`"${key}":`);
    await down(stack.context, []);
  });
});
