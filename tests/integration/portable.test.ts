// The path for systems without /proc (ps-list, ps, find-process), forced on Linux.
import { describe, expect, it } from 'vitest';
import { PsSource, ProcSource } from '../../scripts/lib/manage/process/processes.ts';
import { down } from '../../scripts/lib/manage/shutdown.ts';
import { up } from '../../scripts/lib/manage/up.ts';
import { collectStatus } from '../../scripts/lib/manage/status.ts';
import { freePorts } from '../helpers/ports.ts';
import { createStack, isRunning, node, serverFixture, withStackCleanup } from '../helpers/stack.ts';

withStackCleanup();

describe('ps source', () => {
  it('sees this process with the same pid, parent, group and (to the second) start time as /proc', async () => {
    const [fromPs, fromProc] = await Promise.all([new PsSource().get(process.pid), new ProcSource().get(process.pid)]);
    expect(fromPs).toMatchObject({ pid: process.pid, ppid: fromProc!.ppid, pgid: fromProc!.pgid });
    expect(Math.abs(fromPs!.startTime - fromProc!.startTime)).toBeLessThan(1500);
  });

  it('runs the lifecycle: up, status with ports, down with a wrapper child, nothing left', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([
      { name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port },
      { name: 'wrapper', command: `"${process.execPath}" "${serverFixture}" & wait`, dependsOn: ['api'] },
    ], { source: 'ps' });
    expect((await up(stack.context, [])).map((result) => result.outcome)).toEqual(['started', 'started']);
    const status = await collectStatus(stack.context, []);
    expect(status.services.map((service) => service.state)).toEqual(['running', 'running']);
    expect(status.services[0]!.ports).toEqual([{ port, listening: true, heldBy: 'service' }]);
    const pids = stack.processes();
    expect(pids.length).toBe(3);
    expect((await down(stack.context, [])).map((result) => result.outcome)).toEqual(['stopped', 'stopped']);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('finds the holder of a port', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([{ name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port }], { source: 'ps' });
    const [started] = await up(stack.context, []);
    const holders = await new PsSource().portHolders(port);
    expect(holders).toEqual({ held: true, pids: [started!.outcome === 'started' ? started!.pid : -1], unknown: false });
    await down(stack.context, []);
  });
});
