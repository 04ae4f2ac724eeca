// Timestamps in log lines, the start header, and --since (scripts/lib/manage/logfiles/logtime.ts), from literals.
import { describe, expect, it } from 'vitest';
import { ManageError } from '../../scripts/lib/manage/core/errors.ts';
import { extractTimestamp, isManageLine, parseSince, startHeader } from '../../scripts/lib/manage/logfiles/logtime.ts';
import { thrown } from '../helpers/thrown.ts';

const utc = (text: string): number => Date.parse(text);
const local = (year: number, month: number, day: number, hour: number, minute: number, second = 0, ms = 0): number =>
  new Date(year, month - 1, day, hour, minute, second, ms).getTime();

describe('extractTimestamp', () => {
  it.each<[string, number]>([
    ['2026-11-23T10:45:37.386Z INFO  client connected', utc('2026-11-23T10:45:37.386Z')],
    ['2026-11-23T10:45:37Z x', utc('2026-11-23T10:45:37Z')],
    ['2026-11-23 10:45:37Z x', utc('2026-11-23T10:45:37Z')],
    ['2026-11-23T10:45:37.123456789Z x', utc('2026-11-23T10:45:37.123Z')],
    ['2026-11-23T10:45:37+02:00 x', utc('2026-11-23T08:45:37Z')],
    ['2026-11-23T10:45:37-0130 x', utc('2026-11-23T12:15:37Z')],
    ['2026-11-23T10:45:37 +05 x', utc('2026-11-23T05:45:37Z')],
    ['[2026-11-23T10:45:37Z ERROR app] x', utc('2026-11-23T10:45:37Z')],
    ['[2026-11-23 10:45:37.5Z] x', utc('2026-11-23T10:45:37.500Z')],
    ['2026-11-23T10:45Z x', utc('2026-11-23T10:45:00Z')],
    ['2026-11-23T10:45:37.386Z', utc('2026-11-23T10:45:37.386Z')],
    // Without a zone: local time, as Python's logging writes it (comma before the milliseconds).
    ['2026-11-23 10:45:37,123 INFO x', local(2026, 11, 23, 10, 45, 37, 123)],
    ['2026-11-23T10:45:37 x', local(2026, 11, 23, 10, 45, 37)],
    // Web servers' request lines (Common Log Format): nginx and Apache with a zone, Python's http.server without.
    ['127.0.0.1 - - [23/Nov/2026:10:45:37 +0000] "GET / HTTP/1.1" 200 612', utc('2026-11-23T10:45:37Z')],
    ['10.0.0.7 - alice [23/Nov/2026:10:45:37 -0130] "POST /orders HTTP/1.1" 201 0', utc('2026-11-23T12:15:37Z')],
    ['127.0.0.1 - - [23/Nov/2026 10:45:37] "GET /health HTTP/1.1" 200 -', local(2026, 11, 23, 10, 45, 37)],
    // manage.ts's own lines.
    ['=== 2026-11-23T10:45:37.386Z manage.ts up api: node api.js', utc('2026-11-23T10:45:37.386Z')],
    ['=== 2026-11-23T10:45:37Z manage.ts: restarted (exit 1, attempt 1) after 500 ms', utc('2026-11-23T10:45:37Z')],
  ])('reads %j', (line, expected) => {
    expect(extractTimestamp(line)).toBe(expected);
  });

  it.each([
    'listening on 8080',
    '',
    '  2026-11-23T10:45:37Z indented',
    'at 2026-11-23T10:45:37Z, not leading',
    '2026-11-23 no time',
    '2026-13-01T00:00:00Z month 13',
    '127.0.0.1 - - [23/Foo/2026:10:45:37 +0000] "GET / HTTP/1.1" 200 0',
    '127.0.0.1 - - [31/Feb/2026:10:45:37 +0000] "GET / HTTP/1.1" 200 0',
    'a request [23/Nov/2026:10:45:37 +0000] after two fields, not client, identity and user',
    '2026-02-30T00:00:00Z February 30',
    '2026-11-23T25:00:00Z hour 25',
    '2026-11-23T10:45:37.386Z7 digits run on',
    '20261123T104537Z basic format',
    '=== not a header',
    '{"time":"2026-11-23T10:45:37Z"}',
  ])('finds no leading timestamp in %j', (line) => {
    expect(extractTimestamp(line)).toBeUndefined();
  });
});

describe('startHeader', () => {
  it('is a line whose time extractTimestamp reads back and that isManageLine recognises', () => {
    const at = new Date('2026-11-23T10:45:37.386Z');
    const header = startHeader('api', 'node api.js --level ERROR', at);
    expect(header).toBe('=== 2026-11-23T10:45:37.386Z manage.ts up api: node api.js --level ERROR');
    expect(extractTimestamp(header)).toBe(at.getTime());
    expect(isManageLine(header)).toBe(true);
  });

  it('is not confused with a line a service writes', () => {
    expect(isManageLine('=== section ===')).toBe(false);
    expect(isManageLine('2026-11-23T10:45:37Z manage.ts up')).toBe(false);
  });
});

describe('parseSince', () => {
  const now = utc('2026-11-23T12:00:00Z');

  it.each<[string, number]>([
    ['30s', now - 30_000],
    ['10m', now - 600_000],
    ['2h', now - 7_200_000],
    ['1d', now - 86_400_000],
    ['0m', now],
    [' 90m ', now - 5_400_000],
    ['2026-11-23T09:30:00Z', utc('2026-11-23T09:30:00Z')],
    ['2026-11-23T09:30:00.250+01:00', utc('2026-11-23T08:30:00.250Z')],
    ['2026-11-23 09:30', local(2026, 11, 23, 9, 30)],
    ['2026-11-23', local(2026, 11, 23, 0, 0)],
  ])('reads %j', (text, expected) => {
    expect(parseSince(text, now)).toBe(expected);
  });

  it.each(['', 'yesterday', '10', '10 minutes', '-5m', '1.5h', '10M', '2026-11-23T09:30:00Z trailing', '=== 2026-11-23T09:30:00Z', '2026-02-30'])(
    'rejects %j as a usage error that lists the accepted forms',
    (text) => {
      const error = thrown(() => parseSince(text, now));
      expect(error).toBeInstanceOf(ManageError);
      expect((error as ManageError).exitCode).toBe(1);
      expect((error as ManageError).message).toBe(`--since "${text}" is not a time`);
      expect((error as ManageError).hint).toContain('30s, 10m, 2h, 1d');
      expect((error as ManageError).hint).toContain('ISO timestamp');
    },
  );
});
