// The PID file format (pure) and its atomic reading and writing (scripts/lib/manage/state/pidfile.ts).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManageError } from '../../scripts/lib/manage/core/errors.ts';
import { formatPidFile, parsePidFile, pidFilePath, readPidFile, removePidFile, writePidFile, type PidRecord } from '../../scripts/lib/manage/state/pidfile.ts';
import { thrown } from '../helpers/thrown.ts';

const full: PidRecord = {
  service: 'api',
  pid: 4242,
  pgid: 4242,
  startTime: 1_767_225_600_000,
  startTicks: 309_863,
  bootId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  startedAt: '2026-01-01T00:00:00.000Z',
  command: 'node api.js --port 8080',
};

const minimal: PidRecord = {
  service: 'worker',
  pid: 77,
  pgid: 70,
  startTime: 1_767_225_600_500,
  startedAt: '2026-01-01T00:00:00.500Z',
  command: 'python3 worker.py',
};

describe('formatPidFile', () => {
  it('writes the bare PID on the first line, then key=value lines', () => {
    expect(formatPidFile(full)).toBe(
      [
        '4242',
        'service=api',
        'pgid=4242',
        'start_time=1767225600000',
        'start_ticks=309863',
        'boot_id=6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
        'started_at=2026-01-01T00:00:00.000Z',
        'command=node api.js --port 8080',
        '',
      ].join('\n'),
    );
  });

  it('leaves out start_ticks and boot_id when they are unknown', () => {
    expect(formatPidFile(minimal)).toBe(
      ['77', 'service=worker', 'pgid=70', 'start_time=1767225600500', 'started_at=2026-01-01T00:00:00.500Z', 'command=python3 worker.py', ''].join('\n'),
    );
  });

  it('keeps a multi-line command on one line', () => {
    expect(formatPidFile({ ...minimal, command: 'sh -c "a\nb"' })).toContain('\ncommand=sh -c "a b"\n');
  });
});

describe('parsePidFile', () => {
  it.each([
    ['with start ticks and boot id', full],
    ['without start ticks and boot id', minimal],
  ])('reads back what formatPidFile wrote, %s', (_, record) => {
    expect(parsePidFile(formatPidFile(record))).toEqual(record);
  });

  it('leaves startTicks and bootId undefined when they are absent', () => {
    const parsed = parsePidFile(formatPidFile(minimal));
    expect(parsed.startTicks).toBeUndefined();
    expect(parsed.bootId).toBeUndefined();
  });

  it('keeps "=" inside a value', () => {
    expect(parsePidFile(formatPidFile({ ...full, command: 'env A=1 B=2 node api.js' })).command).toBe('env A=1 B=2 node api.js');
  });

  it('defaults pgid to the pid, and service, command and started_at when they are missing', () => {
    expect(parsePidFile('123\nstart_time=1767225600000\n')).toEqual({
      pid: 123,
      pgid: 123,
      service: '',
      startTime: 1_767_225_600_000,
      startTicks: undefined,
      bootId: undefined,
      startedAt: '2026-01-01T00:00:00.000Z',
      command: '',
    });
  });

  it('accepts spaces around the PID and no trailing newline', () => {
    expect(parsePidFile(' 123 \nstart_time=5').pid).toBe(123);
  });

  it.each([
    ['empty text', '', 'first line should be a PID, found ""'],
    ['garbage', 'hello world\nthis is not a pid file', 'first line should be a PID, found "hello world"'],
    ['a non-numeric first line', 'pid=123\nstart_time=5\n', 'first line should be a PID, found "pid=123"'],
    ['a negative PID', '-5\nstart_time=5\n', 'first line should be a PID, found "-5"'],
    ['PID 0', '0\nstart_time=5\n', 'first line should be a PID, found "0"'],
    ['a PID with a unit', '123abc\nstart_time=5\n', 'first line should be a PID, found "123abc"'],
    ['no start_time', '123\nservice=api\npgid=123\n', 'it has no start_time, so a recycled PID could not be told apart'],
    ['a bare PID only', '123\n', 'it has no start_time, so a recycled PID could not be told apart'],
    ['a non-numeric start_time', '123\nstart_time=yesterday\n', 'start_time should be a number, found "yesterday"'],
    ['a non-numeric start_ticks', '123\nstart_time=5\nstart_ticks=12x\n', 'start_ticks should be a number, found "12x"'],
    ['a non-numeric pgid', '123\nstart_time=5\npgid=\n', 'pgid should be a number, found ""'],
  ])('rejects %s', (_, text, message) => {
    expect(() => parsePidFile(text)).toThrow(new Error(message));
  });

  it('shows at most 40 characters of a bad first line', () => {
    expect(() => parsePidFile('x'.repeat(100))).toThrow(new Error(`first line should be a PID, found "${'x'.repeat(40)}"`));
  });
});

describe('PID files on disk', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'pidfile-test-'));
  });
  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('puts the file at <state>/.pids/<service>.pid', () => {
    expect(pidFilePath('/state', 'api')).toBe('/state/.pids/api.pid');
  });

  it('reads undefined when there is no PID file (nor .pids directory)', () => {
    expect(readPidFile(stateDir, 'api')).toBeUndefined();
  });

  it('writes a file that reads back as the record, creating .pids', () => {
    writePidFile(stateDir, full);
    expect(readFileSync(join(stateDir, '.pids', 'api.pid'), 'utf8')).toBe(formatPidFile(full));
    expect(readPidFile(stateDir, 'api')).toEqual(full);
  });

  it('writes through a temporary file that it renames: nothing but the PID file is left', () => {
    writePidFile(stateDir, full);
    writePidFile(stateDir, { ...full, pid: 4243 });
    expect(readdirSync(join(stateDir, '.pids'))).toEqual(['api.pid']);
    expect(readPidFile(stateDir, 'api')?.pid).toBe(4243);
  });

  it('throws a ManageError naming the file when its content is unreadable', () => {
    mkdirSync(join(stateDir, '.pids'));
    const path = join(stateDir, '.pids', 'api.pid');
    writeFileSync(path, 'not a pid\n');
    const error = thrown(() => readPidFile(stateDir, 'api'));
    expect(error).toBeInstanceOf(ManageError);
    expect(error).toMatchObject({
      exitCode: 1,
      message: `PID file ${path} is unreadable: first line should be a PID, found "not a pid"`,
      hint: 'check whether "api" still runs (ps), stop it by hand if so, then remove the file',
    });
  });

  it('says a bare PID is the old manage.sh format, with the rm that clears it', () => {
    mkdirSync(join(stateDir, '.pids'));
    const path = join(stateDir, '.pids', 'api.pid');
    writeFileSync(path, '12345\n');
    expect(thrown(() => readPidFile(stateDir, 'api'))).toMatchObject({
      exitCode: 1,
      message: `PID file ${path} holds only a PID (12345), as an old manage.sh writes it`,
      hint: `manage.ts cannot confirm what runs there; stop it yourself if it is yours, then rm ${path}`,
    });
  });

  it('keeps "also its descendants" of an adopted process through a write and a read', () => {
    writePidFile(stateDir, { ...full, descendants: true });
    expect(readFileSync(join(stateDir, '.pids', 'api.pid'), 'utf8')).toContain('\nmembers=descendants\n');
    expect(readPidFile(stateDir, 'api')).toEqual({ ...full, descendants: true });
  });

  it('throws a ManageError naming the path when it cannot be read at all', () => {
    const path = join(stateDir, '.pids', 'api.pid');
    mkdirSync(path, { recursive: true });
    const error = thrown(() => readPidFile(stateDir, 'api'));
    expect(error).toBeInstanceOf(ManageError);
    expect(error).toMatchObject({ exitCode: 1 });
    expect((error as Error).message).toMatch(new RegExp(`^cannot read PID file ${path}: EISDIR`));
  });

  it('removes the file, and removing a missing one is fine', () => {
    writePidFile(stateDir, full);
    removePidFile(stateDir, 'api');
    expect(readdirSync(join(stateDir, '.pids'))).toEqual([]);
    expect(readPidFile(stateDir, 'api')).toBeUndefined();
    expect(() => removePidFile(stateDir, 'api')).not.toThrow();
  });
});
