// The state-directory lock, against a fake process source: taking, waiting, taking over, releasing.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../scripts/lib/manage/core/identity.ts';
import { acquireLock, lockPath } from '../../scripts/lib/manage/state/lock.ts';
import type { ProcessSource } from '../../scripts/lib/manage/process/processes.ts';

function fakeSource(processes: ProcessInfo[]): ProcessSource {
  return {
    kind: 'proc',
    bootId: 'boot',
    list: async () => processes,
    get: async (pid) => processes.find((process) => process.pid === pid),
    commandLine: async () => '',
    argv: async () => [],
    portHolders: async () => ({ held: false }),
    portStates: async () => new Map(),
  };
}

const self: ProcessInfo = { pid: process.pid, ppid: 1, pgid: process.pid, sid: process.pid, state: 'R', startTicks: 500, startTime: 5000, command: 'node' };
const other: ProcessInfo = { pid: 4242, ppid: 1, pgid: 4242, sid: 4242, state: 'S', startTicks: 100, startTime: 1000, command: 'node' };

function stateDir(): string {
  return mkdtempSync(join(tmpdir(), 'manage-lock-'));
}

describe('acquireLock', () => {
  it('takes a free lock, records who holds it, and releases it', async () => {
    const dir = stateDir();
    const release = await acquireLock(dir, 'up', fakeSource([self]));
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8'))).toEqual({ pid: process.pid, startTime: 5000, startTicks: 500, command: 'up' });
    release();
    expect(existsSync(lockPath(dir))).toBe(false);
    expect(readdirSync(join(dir, '.pids'))).toEqual([]);
  });

  it('waits for a live holder, says so once, then names it (exit 1)', async () => {
    const dir = stateDir();
    await acquireLock(dir, 'down', fakeSource([other]));
    writeFileSync(lockPath(dir), JSON.stringify({ pid: 4242, startTime: 1000, startTicks: 100, command: 'down' }));
    const waits: string[] = [];
    await expect(acquireLock(dir, 'up', fakeSource([self, other]), (holder) => waits.push(holder), 200)).rejects.toMatchObject({
      exitCode: 1,
      message: 'another manage.ts (pid 4242, running "down") is working on this stack',
    });
    expect(waits).toEqual(['pid 4242, running "down"']);
  });

  it.each([
    ['whose process is gone', [self]],
    ['whose PID now belongs to another program', [self, { ...other, startTicks: 999 }]],
    ['whose holder is a zombie', [self, { ...other, state: 'Z' }]],
  ])('takes over a lock %s', async (_, processes) => {
    const dir = stateDir();
    (await acquireLock(dir, 'x', fakeSource([self])))();
    writeFileSync(lockPath(dir), JSON.stringify({ pid: 4242, startTime: 1000, startTicks: 100, command: 'up' }));
    const release = await acquireLock(dir, 'up', fakeSource(processes as ProcessInfo[]), () => {}, 500);
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('takes over a lock file a crash left empty or garbled', async () => {
    const dir = stateDir();
    (await acquireLock(dir, 'x', fakeSource([self])))();
    writeFileSync(lockPath(dir), '{"pid":');
    const release = await acquireLock(dir, 'up', fakeSource([self]), () => {}, 500);
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).command).toBe('up');
    release();
  });

  it('releases only its own lock', async () => {
    const dir = stateDir();
    const release = await acquireLock(dir, 'up', fakeSource([self]));
    const someoneElse = JSON.stringify({ pid: 4242, startTime: 1000, command: 'down' });
    writeFileSync(lockPath(dir), someoneElse);
    release();
    expect(readFileSync(lockPath(dir), 'utf8')).toBe(someoneElse);
  });
});
