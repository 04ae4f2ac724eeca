// logs on real files and real services: following across truncation, rotation, late creation, a restart
// and the size cap, with filters, and no line lost or printed twice.
import { appendFileSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logs, type LogsOptions } from '../../scripts/lib/manage/logs.ts';
import { readPidFile } from '../../scripts/lib/manage/state/pidfile.ts';
import { pollUntil } from '../../scripts/lib/manage/process/poll.ts';
import { down } from '../../scripts/lib/manage/shutdown.ts';
import { up } from '../../scripts/lib/manage/up.ts';
import type { Service } from '../../scripts/lib/manage/core/service.ts';
import { createStack, node, withStackCleanup, type TestStack } from '../helpers/stack.ts';

withStackCleanup();

/** A stack of services that are never started: the tests write their logs themselves. */
function logStack(...services: Service[]): { stack: TestStack; path: (name: string) => string } {
  const stack = createStack(services.length > 0 ? services : [{ name: 'app', command: 'true' }]);
  mkdirSync(stack.context.logDir, { recursive: true });
  return { stack, path: (name) => `${stack.context.logDir}/${name}.log` };
}

/** Starts `logs -f` and resolves once it follows; `stop()` ends it and resolves once it has returned. */
async function follow(stack: TestStack, words: string[], options: Partial<LogsOptions> = {}): Promise<{ stop: () => Promise<void> }> {
  let end = (): void => {};
  const until = new Promise<void>((resolve) => (end = resolve));
  let following = (): void => {};
  const started = new Promise<void>((resolve) => (following = resolve));
  const running = logs(stack.context, words, { lines: 0, follow: true, filter: {}, raw: false, ...options, until, onFollowing: following });
  await Promise.race([started, running]);
  return {
    stop: async () => {
      end();
      await running;
    },
  };
}

/** Waits until the output holds `count` lines (the follower reads on file events and every 250 ms). */
async function waitForLines(stack: TestStack, count: number, timeoutMs = 5000): Promise<void> {
  const reached = await pollUntil(() => (stack.output.length >= count ? true : undefined), { timeoutMs, intervalMs: 10 });
  expect(reached, `${count} lines printed; got ${stack.output.length}:\n${stack.output.join('\n')}`).toBe(true);
}

const numbered = (from: number, to: number, prefix = 'line'): string[] => Array.from({ length: to - from + 1 }, (_, index) => `${prefix} ${from + index}`);
const append = (path: string, lines: string[]): void => appendFileSync(path, lines.map((line) => `${line}\n`).join(''));

describe('logs -f', () => {
  it('prints appended lines, and the tail exactly up to where following starts', async () => {
    const { stack, path } = logStack();
    append(path('app'), numbered(1, 3));
    const follower = await follow(stack, [], { lines: 2 });
    await waitForLines(stack, 2);
    append(path('app'), numbered(4, 6));
    await waitForLines(stack, 5);
    await follower.stop();
    expect(stack.output).toEqual(numbered(2, 6).map((line) => `app | ${line}`));
  });

  it('reads a truncated log again from its start', async () => {
    const { stack, path } = logStack();
    append(path('app'), numbered(1, 20));
    const follower = await follow(stack, []);
    append(path('app'), ['before the truncate']);
    await waitForLines(stack, 1);
    truncateSync(path('app'), 0);
    append(path('app'), ['after the truncate']);
    await waitForLines(stack, 2);
    await follower.stop();
    expect(stack.output).toEqual(['app | before the truncate', 'app | after the truncate']);
  });

  it('loses no line and doubles none when the log is renamed away and a new one created', async () => {
    const { stack, path } = logStack();
    const follower = await follow(stack, []);
    append(path('app'), numbered(1, 10));
    await waitForLines(stack, 10);
    // Written and rotated away before the follower looks again: these come from the renamed file.
    append(path('app'), numbered(11, 20));
    renameSync(path('app'), `${path('app')}.1`);
    append(path('app'), numbered(21, 30));
    await waitForLines(stack, 30);
    append(path('app'), numbered(31, 35));
    await waitForLines(stack, 35);
    await follower.stop();
    expect(stack.output).toEqual(numbered(1, 35).map((line) => `app | ${line}`));
  });

  it('picks up a log created after following began', async () => {
    const { stack, path } = logStack();
    const follower = await follow(stack, []);
    expect(stack.errors).toEqual([`app: no log yet (${path('app')})`]);
    writeFileSync(path('app'), 'first line of a late log\n');
    await waitForLines(stack, 1);
    await follower.stop();
    expect(stack.output).toEqual(['app | first line of a late log']);
  });

  it('applies --level and --grep to followed lines, stack traces with their error', async () => {
    const { stack, path } = logStack();
    append(path('app'), ['ERROR in the tail, before following']);
    const follower = await follow(stack, [], { filter: { level: 'error' } });
    append(path('app'), ['INFO fine', 'ERROR request failed', '    at handler (app.js:3)', 'WARN slow', 'FATAL gone']);
    await waitForLines(stack, 3);
    await follower.stop();
    expect(stack.output).toEqual(['app | ERROR request failed', 'app |     at handler (app.js:3)', 'app | FATAL gone']);

    const grep = logStack();
    const grepping = await follow(grep.stack, [], { filter: { grep: /order \d+ filled/ } });
    append(grep.path('app'), ['order 1 placed', 'order 1 filled', 'order 2 placed', 'order 2 filled']);
    await waitForLines(grep.stack, 2);
    await grepping.stop();
    expect(grep.stack.output).toEqual(['app | order 1 filled', 'app | order 2 filled']);
  });

  it('keeps the size cap while following, and prints every line once', async () => {
    const { stack, path } = logStack({ name: 'app', command: 'true', logMaxBytes: 2000, logKeep: 2 });
    const follower = await follow(stack, []);
    const written: string[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const lines = numbered(batch * 20 + 1, batch * 20 + 20, 'a line of about thirty bytes');
      append(path('app'), lines);
      written.push(...lines);
      await waitForLines(stack, written.length + stack.output.filter((line) => line.includes('manage.ts: log passed')).length);
    }
    await pollUntil(() => (readFileSync(path('app'), 'utf8').length < 2000 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    await follower.stop();
    const printed = stack.output.map((line) => line.replace(/^app \| /, ''));
    expect(printed.filter((line) => !line.startsWith('=== '))).toEqual(written);
    expect(printed.filter((line) => /^=== \S+ manage\.ts: log passed logMaxBytes \(1\.95 KiB\); earlier lines are in app\.log\.1$/.test(line)).length).toBeGreaterThan(0);
  });
});

describe('logs with filters and rotations', () => {
  it('reads back into the rotations, oldest first, for the tail', async () => {
    const { stack, path } = logStack();
    append(`${path('app')}.2`, ['run 1']);
    append(`${path('app')}.1`, ['run 2a', 'run 2b']);
    append(path('app'), ['run 3']);
    await logs(stack.context, [], { lines: 3, follow: false, filter: {}, raw: false });
    expect(stack.output).toEqual(['app | run 2a', 'app | run 2b', 'app | run 3']);
  });

  it('takes --since times from timestamps, the start header, and earlier lines; skips old rotations', async () => {
    const { stack, path } = logStack();
    append(`${path('app')}.1`, ['=== 2026-01-01T00:00:00.000Z manage.ts up app: x', 'an old run']);
    append(path('app'), [
      '=== 2026-11-23T10:00:00.000Z manage.ts up app: x',
      'booting, no timestamp',
      '2026-11-23T10:00:05Z INFO ready',
      '2026-11-23T10:30:00Z WARN slow',
      'no timestamp, after the warning',
    ]);
    await logs(stack.context, [], { lines: undefined, follow: false, filter: { since: Date.parse('2026-11-23T10:00:00Z') }, raw: false });
    expect(stack.output.map((line) => line.slice('app | '.length))).toEqual(readFileSync(path('app'), 'utf8').trimEnd().split('\n'));
    stack.output.length = 0;
    await logs(stack.context, [], { lines: undefined, follow: false, filter: { since: Date.parse('2026-11-23T10:10:00Z') }, raw: false });
    expect(stack.output).toEqual(['app | 2026-11-23T10:30:00Z WARN slow', 'app | no timestamp, after the warning']);
  });

  it('applies -n to the lines that pass the filters', async () => {
    const { stack, path } = logStack();
    append(path('app'), ['ERROR one', 'INFO a', 'ERROR two', 'INFO b', 'ERROR three', 'INFO c']);
    await logs(stack.context, [], { lines: 2, follow: false, filter: { level: 'error' }, raw: false });
    expect(stack.output).toEqual(['app | ERROR two', 'app | ERROR three']);
  });

  it('reads the log of a service no longer in SERVICES when it is named, and still refuses an unknown name', async () => {
    const { stack, path } = logStack();
    append(path('app'), ['from app']);
    append(`${path('retired')}.1`, ['from retired, an earlier run']);
    append(path('retired'), ['from retired']);
    await logs(stack.context, ['retired'], { lines: 10, follow: false, filter: {}, raw: false });
    expect(stack.output).toEqual(['retired | from retired, an earlier run', 'retired | from retired']);
    stack.output.length = 0;
    await logs(stack.context, ['app', 'retired'], { lines: 1, follow: false, filter: {}, raw: false });
    expect(stack.output).toEqual(['app     | from app', 'retired | from retired']);
    stack.output.length = 0;
    await logs(stack.context, [], { lines: 1, follow: false, filter: {}, raw: false });
    expect(stack.output).toEqual(['app | from app']);
    await expect(logs(stack.context, ['nothing-here'], { lines: 1, follow: false, filter: {}, raw: false })).rejects.toThrow('unknown service or group "nothing-here"');
    await expect(logs(stack.context, ['../logs/app'], { lines: 1, follow: false, filter: {}, raw: false })).rejects.toThrow('unknown service or group');
  });

  it('with -n 0 prints no line and does not claim that none passes the filters', async () => {
    const { stack, path } = logStack();
    append(path('app'), ['ERROR one']);
    await logs(stack.context, [], { lines: 0, follow: false, filter: { level: 'error' }, raw: false });
    expect(stack.output).toEqual([]);
    expect(stack.errors).toEqual([]);
  });
});

describe('rotation at each start', () => {
  // Says "ready" a moment after it starts, so a log-line check can only pass on this run's own line.
  const readyLater = node('-e', 'setTimeout(() => console.log("ready"), 150); setInterval(() => {}, 1000)');

  it('starts each run in a new log that begins with the header; log_offset and log-line readiness still hold', async () => {
    const stack = createStack([{ name: 'slow', command: readyLater, ready: { log: /^ready$/ }, logKeep: 2 }]);
    const log = `${stack.context.logDir}/slow.log`;
    for (let run = 1; run <= 3; run++) {
      const [started] = await up(stack.context, []);
      expect(started!.outcome).toBe('started');
      const [header] = readFileSync(log, 'utf8').split('\n');
      expect(header).toMatch(/^=== \S+ manage\.ts up slow: /);
      expect(readPidFile(stack.context.stateDir, 'slow')!.logOffset).toBe(Buffer.byteLength(`${header}\n`));
      await down(stack.context, []);
    }
    // Three runs, logKeep 2: the current log and two before it.
    expect(readFileSync(log, 'utf8').match(/manage\.ts up slow/g)).toHaveLength(1);
    expect(readFileSync(`${log}.1`, 'utf8')).toMatch(/^=== .*\nready\n$/);
    expect(readFileSync(`${log}.2`, 'utf8')).toMatch(/^=== .*\nready\n$/);
  });

  it('appends every run to one log with logKeep 0', async () => {
    const stack = createStack([{ name: 'slow', command: readyLater, ready: { log: /^ready$/ }, logKeep: 0 }]);
    const log = `${stack.context.logDir}/slow.log`;
    await up(stack.context, []);
    await down(stack.context, []);
    const firstRun = readFileSync(log).length;
    const [started] = await up(stack.context, []);
    expect(started!.outcome).toBe('started');
    expect(readPidFile(stack.context.stateDir, 'slow')!.logOffset).toBeGreaterThan(firstRun);
    await down(stack.context, []);
    expect(readFileSync(log, 'utf8').match(/manage\.ts up slow/g)).toHaveLength(2);
  });
});

describe('logs -f across a restart of a real service', () => {
  it('prints the end of the old run and the new run, every line once, in order', async () => {
    // Prints "run <pid> seq <n>" every 10 ms, so lines are being written while the restart happens.
    const chatty = node('-e', 'let n = 0; setInterval(() => console.log(`run ${process.pid} seq ${++n}`), 10)');
    const stack = createStack([{ name: 'chatty', command: chatty, settleMs: 100 }]);
    await up(stack.context, []);
    const follower = await follow(stack, ['chatty']);
    await waitForLines(stack, 10);
    const [stopped] = await down(stack.context, ['chatty']);
    expect(stopped!.outcome).toBe('stopped');
    const [started] = await up(stack.context, ['chatty']);
    expect(started!.outcome).toBe('started');
    const second = started!.outcome === 'started' ? started!.pid : 0;
    await pollUntil(() => (stack.output.some((line) => line.includes(`run ${second} seq 20`)) ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    await follower.stop();
    await down(stack.context, []);

    // up and down report through the same ui: only the log lines count here.
    const printed = stack.output.filter((line) => line.startsWith('chatty | ')).map((line) => line.slice('chatty | '.length));
    const runs = new Map<string, number[]>();
    for (const line of printed) {
      const match = /^run (\d+) seq (\d+)$/.exec(line);
      if (match) runs.set(match[1]!, [...(runs.get(match[1]!) ?? []), Number(match[2])]);
    }
    expect([...runs.keys()]).toHaveLength(2);
    const [oldRun, newRun] = [...runs.values()] as [number[], number[]];
    const contiguous = (seqs: number[]): boolean => seqs.every((seq, index) => index === 0 || seq === seqs[index - 1]! + 1);
    expect(contiguous(oldRun), `old run: ${oldRun.join(' ')}`).toBe(true);
    expect(contiguous(newRun), `new run: ${newRun.join(' ')}`).toBe(true);
    // The old run is printed to its last line, which is in the rotated log now; then the new run from its header.
    const header = printed.findIndex((line) => line.startsWith('=== '));
    const rotated = readFileSync(`${stack.context.logDir}/chatty.log.1`, 'utf8').trimEnd().split('\n');
    expect(header).toBe(oldRun.length);
    expect(printed.slice(0, header)).toEqual(rotated.slice(-header));
    expect(printed[header]).toMatch(/^=== \S+ manage\.ts up chatty: /);
    expect(printed.slice(header + 1, header + 3)).toEqual([`run ${second} seq 1`, `run ${second} seq 2`]);
  });
});
