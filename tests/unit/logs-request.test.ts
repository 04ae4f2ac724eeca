// The options of `logs` as parseCommandLine hands them over, checked and parsed (scripts/lib/manage/logs.ts).
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../scripts/lib/manage/core/cli.ts';
import { commands } from '../../scripts/lib/manage/commands.ts';
import { ManageError } from '../../scripts/lib/manage/core/errors.ts';
import { parseLogsRequest } from '../../scripts/lib/manage/logs.ts';
import { thrown } from '../helpers/thrown.ts';

const now = Date.parse('2026-11-23T12:00:00Z');
const request = (...argv: string[]) => parseLogsRequest(parseCommandLine(['logs', ...argv], commands).options, now);

describe('parseLogsRequest', () => {
  it('shows the last 50 lines by default, unfiltered', () => {
    expect(request()).toEqual({ kind: 'show', options: { lines: 50, follow: false, filter: {}, raw: false } });
  });

  it('reads -n, -f, --raw and every filter', () => {
    expect(request('-n', '5', '-f', '--raw', '--grep', 'order \\d+', '--level', 'WARN', '--since', '10m')).toEqual({
      kind: 'show',
      options: { lines: 5, follow: true, raw: true, filter: { grep: /order \d+/, level: 'warn', since: now - 600_000 } },
    });
  });

  it('has no line limit with --since and no -n, and keeps an explicit -n', () => {
    expect(request('--since', '1h')).toMatchObject({ options: { lines: undefined } });
    expect(request('--since', '1h', '-n', '3')).toMatchObject({ options: { lines: 3 } });
  });

  it('accepts --clean and --stats with --json on their own', () => {
    expect(request('--clean')).toEqual({ kind: 'clean' });
    expect(request('--stats')).toEqual({ kind: 'stats', json: false });
    expect(request('--stats', '--json')).toEqual({ kind: 'stats', json: true });
  });

  it.each<[string[], string, string]>([
    [['--grep', '(unclosed'], '--grep "(unclosed" is not a valid regular expression (/(unclosed/: Unterminated group)', 'put a backslash before'],
    [['--grep', '*'], '--grep "*" is not a valid regular expression (/*/: Nothing to repeat)', 'e.g. --grep "\\(timeout\\)"'],
    [['--level', 'loud'], '--level "loud" is not a level', 'use error, warn, info or debug'],
    [['--since', 'lately'], '--since "lately" is not a time', '30s, 10m, 2h, 1d'],
    [['--lines=-1'], '-n needs a whole number of lines, not "-1"', ''],
    [['-n', '2.5'], '-n needs a whole number of lines, not "2.5"', ''],
    [['--json'], '--json only goes with --stats', 'add --stats, or drop --json'],
    [['--clean', '-f'], '--clean does not go with --follow', 'on its own'],
    [['--clean', '--stats'], '--clean does not go with --stats', 'on its own'],
    [['--stats', '--level', 'error', '-n', '3'], '--stats does not go with --lines, --level', 'on its own'],
  ])('rejects %j with one sentence and exit code 1', (argv, message, hint) => {
    const error = thrown(() => request(...argv));
    expect(error).toBeInstanceOf(ManageError);
    expect((error as ManageError).message).toBe(message);
    expect((error as ManageError).exitCode).toBe(1);
    expect((error as ManageError).hint ?? '').toContain(hint);
  });
});
