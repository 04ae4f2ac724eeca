// Text the user reads: durations, the Ui, the status table, start summaries, log prefixes and tails, ps output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pc from 'picocolors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLines, readLastLines } from '../../scripts/lib/manage/logfiles/logfile.ts';
import { colorFor, prefixLine } from '../../scripts/lib/manage/logs.ts';
import { parsePsColumns } from '../../scripts/lib/manage/process/processes.ts';
import { describeExit, summarize, type StartResult } from '../../scripts/lib/manage/up.ts';
import { alignColumns, formatStatusTable, formatUptime, type ServiceStatus, type StatusReport } from '../../scripts/lib/manage/status.ts';
import { createUi, formatDuration, type UiOptions } from '../../scripts/lib/manage/terminal/ui.ts';

const escape = '\u001b';

/** A Ui whose output lands in two arrays. */
function capturedUi(options: UiOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ui = createUi({ isTty: false, env: {}, ...options, write: (line) => out.push(line), writeError: (line) => err.push(line) });
  return { ui, out, err };
}

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [12.4, '12 ms'],
    [1000, '1.0 s'],
    [3200, '3.2 s'],
    [59_900, '59.9 s'],
    [999.6, '1.0 s'],
    [59_960, '1m 00s'],
    [60_000, '1m 00s'],
    [245_000, '4m 05s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [7_800_000, '2h 10m'],
    [86_399_000, '23h 59m'],
    [86_400_000, '1d 0h'],
    [3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '3d 4h'],
  ])('formats %d ms as %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('createUi', () => {
  it('uses words and no escapes when not on a TTY', () => {
    const { ui, out, err } = capturedUi({ isTty: false });
    expect(ui.rich).toBe(false);
    expect([ui.mark('ok'), ui.mark('fail'), ui.mark('skip'), ui.mark('note')]).toEqual(['ok', 'FAILED', 'skipped', 'note']);
    expect(ui.color.red('x')).toBe('x');
    ui.info('starting');
    ui.warn('careful');
    ui.error('broken');
    expect(out).toEqual(['starting']);
    expect(err).toEqual(['careful', 'broken']);
  });

  it('uses colours and symbols on a TTY', () => {
    const { ui, err } = capturedUi({ isTty: true });
    expect(ui.rich).toBe(true);
    expect(ui.mark('ok')).toBe(`${escape}[32m✓${escape}[39m`);
    expect(ui.mark('fail')).toBe(`${escape}[31m✗${escape}[39m`);
    ui.error('broken');
    expect(err).toEqual([`${escape}[31mbroken${escape}[39m`]);
  });

  it.each([
    ['NO_COLOR=1 in the environment', { isTty: true, env: { NO_COLOR: '1' } }],
    ['the noColor option', { isTty: true, noColor: true }],
  ])('uses words and no escapes on a TTY with %s', (_, options) => {
    const { ui, out, err } = capturedUi(options);
    expect(ui.rich).toBe(false);
    expect(ui.mark('ok')).toBe('ok');
    ui.info(`${ui.mark('ok')} ${ui.color.green('api')}`);
    ui.warn('careful');
    ui.error('broken');
    expect([...out, ...err].join('\n')).not.toContain(escape);
    expect(out).toEqual(['ok api']);
  });

  it('keeps colours when NO_COLOR is set but empty', () => {
    expect(capturedUi({ isTty: true, env: { NO_COLOR: '' } }).ui.rich).toBe(true);
  });

  it('silences info and detail when quiet, but not results, warnings and errors', () => {
    const { ui, out, err } = capturedUi({ quiet: true, verbose: true });
    ui.info('progress');
    ui.detail('detail');
    ui.result('the table');
    ui.warn('careful');
    ui.error('broken');
    expect(out).toEqual(['the table']);
    expect(err).toEqual(['careful', 'broken']);
  });

  it('shows detail lines only when verbose', () => {
    const quietDefault = capturedUi();
    quietDefault.ui.detail('spawning');
    expect(quietDefault.out).toEqual([]);
    expect(quietDefault.ui.verbose).toBe(false);

    const verbose = capturedUi({ verbose: true });
    verbose.ui.detail('spawning');
    verbose.ui.info('started');
    expect(verbose.out).toEqual(['spawning', 'started']);
    expect(verbose.ui.verbose).toBe(true);
  });
});

describe('alignColumns', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      alignColumns([
        ['SERVICE', 'STATE', 'PORTS'],
        ['market-data', 'RUNNING', '7101'],
        ['db', 'DEAD', '-'],
      ]),
    ).toEqual(['SERVICE      STATE    PORTS', 'market-data  RUNNING  7101', 'db           DEAD     -']);
  });

  it('measures cells without their colour codes', () => {
    const green = pc.createColors(true).green;
    expect(alignColumns([['STATE', 'PID'], [green('RUNNING'), '12'], ['DEAD', '7']])).toEqual([
      'STATE    PID',
      `${green('RUNNING')}  12`,
      'DEAD     7',
    ]);
  });
});

describe('formatStatusTable', () => {
  const base: Omit<ServiceStatus, 'name' | 'state'> = {
    description: '',
    groups: [],
    reason: null,
    pid: null,
    startedAt: null,
    uptimeSeconds: null,
    ports: [],
    processes: 0,
    members: [],
    zombies: 0,
    health: null,
    cpu: null,
    memoryBytes: null,
    pidFileProblem: null,
    ready: null,
    restarts: null,
    lastRun: null,
    log: { bytes: 0, lastWriteAt: null, idleSeconds: null },
    recentErrors: [],
    command: 'node x.js',
    cwd: '/repo',
    logFile: '/repo/logs/x.log',
    pidFile: '/repo/.pids/x.pid',
  };
  const deadReason = 'pid 999 is gone (crashed or killed outside manage.ts); the next up or down removes the stale PID file';
  const report: StatusReport = {
    schemaVersion: 1,
    generatedAt: '2026-01-01T00:00:00.000Z',
    services: [
      {
        ...base,
        name: 'api',
        state: 'running',
        description: 'the API',
        pid: 4242,
        startedAt: '2026-01-01T00:00:00.000Z',
        uptimeSeconds: 3725,
        ports: [{ port: 7101, listening: true, heldBy: 'service' }],
        processes: 2,
        members: [
          { pid: 4242, state: 'S', command: 'node api.js' },
          { pid: 4243, state: 'R', command: 'node worker.js' },
        ],
        health: 'ready',
        cpu: { percent: 12.5, windowSeconds: 2.1, since: 'sample' },
        memoryBytes: 48 * 1024 * 1024,
        ready: { check: 'tcp 127.0.0.1:7101', passedAt: '2026-01-01T00:00:01.000Z', ok: true, detail: null },
        log: { bytes: 2048, lastWriteAt: '2026-01-01T01:02:00.000Z', idleSeconds: 5 },
        recentErrors: ['ERROR lost connection to db'],
        command: 'node api.js',
      },
      { ...base, name: 'worker', state: 'stopped' },
      {
        ...base,
        name: 'db',
        state: 'dead',
        reason: deadReason,
        pid: 999,
        ports: [
          { port: 5432, listening: false, heldBy: null },
          { port: 5433, listening: true, heldBy: 'other' },
        ],
      },
    ],
    summary: { total: 3, running: 1, ready: 1, starting: 0, unhealthy: 0, stopped: 1, dead: 1, completed: 0, failed: 1 },
    warnings: [],
    undeclared: [],
    attached: [],
  };
  const summary = (counts: Partial<StatusReport['summary']>): StatusReport['summary'] => ({
    total: 0,
    running: 0,
    ready: 0,
    starting: 0,
    unhealthy: 0,
    stopped: 0,
    dead: 0,
    completed: 0,
    failed: 0,
    ...counts,
  });

  it('prints aligned plain rows, the dead reason and the summary', () => {
    const ui = createUi({ isTty: false, env: {} });
    expect(formatStatusTable(report, ui)).toEqual([
      'SERVICE  STATE    PID   UPTIME  CPU    MEM       PORTS                           LAST LOG',
      'api      RUNNING  4242  1h 02m  12.5%  48.0 MiB  7101:listening                  5s ago',
      'worker   STOPPED  -     -       -      -         -                               -',
      `db       DEAD     999   -       -      -         5432:closed 5433:held-by-other  -\n    reason: ${deadReason}`,
      '1/3 running, 1 stopped, 1 dead',
    ]);
  });

  it('names PID files of services no longer in SERVICES under the summary', () => {
    const withOrphans: StatusReport = { ...report, undeclared: [{ name: 'old', pid: 77, running: true }, { name: 'older', pid: 78, running: false }] };
    expect(formatStatusTable(withOrphans, createUi({ isTty: false, env: {} })).slice(-2)).toEqual([
      'note: .pids/old.pid belongs to "old", which is no longer in SERVICES (pid 77 still runs; "down" stops it)',
      'note: .pids/older.pid belongs to "older", which is no longer in SERVICES (pid 78 is gone; "down" removes the file)',
    ]);
  });

  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m 00s'],
    [3725, '1h 02m'],
  ])('shows %d s of uptime as %s', (seconds, text) => {
    expect(formatUptime(seconds)).toBe(text);
  });

  it('has no escape codes in plain mode', () => {
    expect(formatStatusTable(report, createUi({ isTty: true, noColor: true, verbose: true, env: {} })).join('\n')).not.toContain(escape);
  });

  it('uses colours and symbols on a TTY, aligned by visible width', () => {
    const ui = createUi({ isTty: true, env: {} });
    const lines = formatStatusTable(report, ui);
    const plain = lines.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(lines[0]).toContain(escape);
    expect(plain).toEqual([
      'SERVICE  STATE      PID   UPTIME  CPU    MEM       PORTS          LAST LOG',
      'api      ● RUNNING  4242  1h 02m  12.5%  48.0 MiB  7101 ✓         5s ago',
      'worker   ○ STOPPED  -     -       -      -         -              -',
      `db       ✗ DEAD     999   -       -      -         5432 ✗ 5433 !  -\n    reason: ${deadReason}`,
      '1/3 running, 1 stopped, 1 dead',
    ]);
  });

  it('adds command, cwd, log, readiness, CPU window, processes, description and recent errors when verbose', () => {
    const ui = createUi({ isTty: false, verbose: true, env: {} });
    const apiRow = formatStatusTable(report, ui)[1]!;
    expect(apiRow.split('\n').slice(1)).toEqual([
      '    command: node api.js',
      '    cwd: /repo',
      '    log: /repo/logs/x.log (2.00 KiB)',
      '    ready: tcp 127.0.0.1:7101, passed at 2026-01-01T00:00:01.000Z',
      '    cpu: 12.5% over the last 2.1 s',
      '    processes: 2',
      '      pid 4242 S node api.js',
      '      pid 4243 R node worker.js',
      '    about: the API',
      '    recent errors and warnings:',
      '      ERROR lost connection to db',
    ]);
  });

  it('shows STARTING and UNHEALTHY for running services whose check does not pass, with the reason', () => {
    const running = report.services[0]!;
    const services: ServiceStatus[] = [
      { ...running, name: 'web', health: 'starting' },
      { ...running, name: 'db', health: 'unhealthy', reason: 'its check (http http://127.0.0.1:1/) fails: HTTP 503' },
    ];
    const lines = formatStatusTable({ ...report, services, summary: summary({ total: 2, running: 2, starting: 1, unhealthy: 1, failed: 1 }) }, createUi({ isTty: false, env: {} }));
    expect(lines[1]).toMatch(/^web +STARTING /);
    expect(lines[2]).toMatch(/^db +UNHEALTHY .*\n {4}reason: its check \(http http:\/\/127.0.0.1:1\/\) fails: HTTP 503$/);
    expect(lines.at(-1)).toBe('2/2 running, 1 starting, 1 unhealthy');
  });

  it('adds a RESTARTS column only when some service has a restart policy', () => {
    const kept = { ...report.services[0]!, restarts: { count: 2, lastExit: 1, at: '2026-01-01T00:00:00.000Z' } };
    const lines = formatStatusTable({ ...report, services: [kept] }, createUi({ isTty: false, env: {} }));
    expect(lines[0]).toMatch(/LAST LOG +RESTARTS$/);
    expect(lines[1]).toMatch(/5s ago +2\n/);
  });

  it('prints warnings under the summary', () => {
    const warnings: StatusReport['warnings'] = [{ kind: 'zombies', service: 'api', message: 'api: 1 zombie process(es) in its group; a parent there does not reap its children' }];
    expect(formatStatusTable({ ...report, warnings }, createUi({ isTty: false, env: {} })).at(-1)).toBe(
      'warning: api: 1 zombie process(es) in its group; a parent there does not reap its children',
    );
  });

  it.each([
    [{ total: 2, running: 2 }, '2/2 running'],
    [{ total: 2, stopped: 2 }, '0/2 running, 2 stopped'],
    [{ total: 1, dead: 1 }, '0/1 running, 1 dead'],
    [{ total: 3, running: 1, stopped: 1, completed: 1 }, '1/3 running, 1 completed, 1 stopped'],
  ])('summarises %j as %j', (counts, expected) => {
    const lines = formatStatusTable({ ...report, summary: summary(counts) }, createUi({ isTty: false, env: {} }));
    expect(lines.at(-1)).toBe(expected);
  });
});

describe('summarize', () => {
  const started: StartResult = { name: 'a', outcome: 'started', pid: 1, ms: 10, waited: true };
  const running: StartResult = { name: 'b', outcome: 'running', pid: 2 };
  const failed: StartResult = { name: 'c', outcome: 'failed', reason: 'exited', logTail: [] };
  const skipped: StartResult = { name: 'd', outcome: 'skipped', dependency: 'c' };
  const interrupted: StartResult = { name: 'e', outcome: 'interrupted' };

  it.each<[StartResult[], string]>([
    [[started, started, running, failed, skipped, skipped], '2 started, 1 already running, 1 failed, 2 skipped'],
    [[skipped, failed, started], '1 started, 1 failed, 1 skipped'],
    [[running], '1 already running'],
    [[interrupted, started], '1 started, 1 interrupted'],
    [[], ''],
  ])('summarises %j', (results, expected) => {
    expect(summarize(results)).toBe(expected);
  });
});

describe('describeExit', () => {
  it.each<[{ code: number | null; signal: NodeJS.Signals | null }, number, string]>([
    [{ code: 1, signal: null }, 1500, 'exited with code 1 1.5 s after start'],
    [{ code: 0, signal: null }, 40, 'exited with code 0 40 ms after start'],
    [{ code: 127, signal: null }, 20, 'command not found (exit 127) 20 ms after start'],
    [{ code: 126, signal: null }, 20, 'command not executable (exit 126) 20 ms after start'],
    [{ code: null, signal: 'SIGSEGV' }, 65_000, 'killed by SIGSEGV 1m 05s after start'],
    [{ code: null, signal: null }, 300, 'exited 300 ms after start'],
  ])('describes %j after %d ms', (status, ms, expected) => {
    expect(describeExit(status, ms)).toBe(expected);
  });
});

describe('prefixLine', () => {
  it('pads the name to the width', () => {
    expect(prefixLine('api', 11, 'listening on 8080')).toBe('api         | listening on 8080');
    expect(prefixLine('market-data', 11, 'tick')).toBe('market-data | tick');
  });

  it('keeps an empty line', () => {
    expect(prefixLine('api', 3, '')).toBe('api | ');
  });

  it('paints the padded name in the service colour', () => {
    const color = pc.createColors(true);
    expect(colorFor('api')).toBe('blue');
    expect(prefixLine('api', 5, 'hi', color)).toBe(`${color.blue('api  ')} | hi`);
    expect(prefixLine('api', 5, 'hi', color)).toContain(escape);
  });
});

describe('colorFor', () => {
  const names = ['api', 'db', 'market-data', 'signal', 'execution', 'dashboard', 'worker', 'web'];
  const palette = ['cyan', 'magenta', 'blue', 'green', 'yellow', 'red'];

  it('gives a name the same colour every time', () => {
    for (const name of names) expect(colorFor(name)).toBe(colorFor(name));
  });

  it('keeps the colour of a name between versions', () => {
    expect(names.map(colorFor)).toEqual(['blue', 'cyan', 'red', 'blue', 'cyan', 'blue', 'cyan', 'cyan']);
  });

  it('picks from the palette and tells services apart', () => {
    const colors = names.map(colorFor);
    for (const color of colors) expect(palette).toContain(color);
    expect(new Set(colors).size).toBeGreaterThan(1);
  });
});

describe('lastLines', () => {
  it.each<[string, number, string[]]>([
    ['a\nb\nc\n', 2, ['b', 'c']],
    ['a\nb\nc', 2, ['b', 'c']],
    ['a\nb\nc\n', 10, ['a', 'b', 'c']],
    ['a\n\nc\n', 2, ['', 'c']],
    ['a\n\n', 5, ['a', '']],
    ['only', 1, ['only']],
    ['\n', 1, ['']],
    ['', 3, []],
    ['a\nb\n', 0, []],
    ['a\nb\n', -1, []],
  ])('takes from %j the last %d lines', (text, count, expected) => {
    expect(lastLines(text, count)).toEqual(expected);
  });
});

describe('readLastLines', () => {
  let directory: string;
  let path: string;
  const text = 'one\ntwo\nthree\nfour\n';
  const threeAt = text.indexOf('three');

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'logfile-test-'));
    path = join(directory, 'api.log');
    writeFileSync(path, text);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it.each<[string, number, { from?: number; to?: number }, string[]]>([
    ['the last 2 lines', 2, {}, ['three', 'four']],
    ['every line when asked for more', 10, {}, ['one', 'two', 'three', 'four']],
    ['nothing for a count of 0', 0, {}, []],
    ['only lines from an offset', 10, { from: threeAt }, ['three', 'four']],
    ['only lines before an offset', 10, { to: threeAt }, ['one', 'two']],
    ['the last line before an offset', 1, { to: threeAt }, ['two']],
    ['lines between two offsets', 10, { from: 4, to: threeAt }, ['two']],
    ['nothing for an empty range', 10, { from: threeAt, to: threeAt }, []],
  ])('reads %s', (_, count, range, expected) => {
    expect(readLastLines(path, count, range)).toEqual(expected);
  });

  it('returns [] for a missing file', () => {
    expect(readLastLines(join(directory, 'missing.log'), 5)).toEqual([]);
  });

  it('reads the tail of a file larger than one read chunk', () => {
    const big = join(directory, 'big.log');
    const lines = Array.from({ length: 20_000 }, (_, index) => `line ${index}`);
    writeFileSync(big, lines.join('\n') + '\n');
    expect(readLastLines(big, 3)).toEqual(['line 19997', 'line 19998', 'line 19999']);
    expect(readLastLines(big, 15_000)).toEqual(lines.slice(-15_000));
  });

  it('keeps multi-byte characters whole across read chunks', () => {
    const wide = join(directory, 'wide.log');
    // 'é' is two bytes; in this 65,542-byte file the last 64 KiB chunk starts at byte 6, inside an 'é'.
    const lines = ['x' + 'é'.repeat(20_000), 'é'.repeat(12_767), 'ends'];
    writeFileSync(wide, lines.join('\n') + '\n');
    const tail = readLastLines(wide, 3);
    // Lengths and replacement characters first: a diff of 60,000 characters helps nobody.
    expect(tail.map((line) => line.length)).toEqual([20_001, 12_767, 4]);
    expect(tail.filter((line) => line.includes('\uFFFD')).length, 'lines with U+FFFD replacement characters').toBe(0);
    expect(tail).toEqual(lines);
  });
});

describe('parsePsColumns', () => {
  it('reads pid, process group, the first state letter, RSS and CPU time, skipping junk', () => {
    const ps = ['  PID  PGID STAT   RSS     TIME', '    1     1 Ss    1024 00:00:01', '  812   812 S+      12 0:00.03', '  813   812 Z        0 -', '99999 812 R<l', '', 'garbage', '  814'].join('\n');
    expect(parsePsColumns(ps)).toEqual(
      new Map([
        [1, { pgid: 1, state: 'S', rssBytes: 1024 * 1024, cpuMs: 1000 }],
        [812, { pgid: 812, state: 'S', rssBytes: 12 * 1024, cpuMs: 30 }],
        [813, { pgid: 812, state: 'Z', rssBytes: 0 }],
        [99999, { pgid: 812, state: 'R' }],
      ]),
    );
  });

  it('returns an empty map for empty text', () => {
    expect(parsePsColumns('')).toEqual(new Map());
  });
});
