// up --attach's options as parseCommandLine hands them over (attach/request.ts), and the session record's parser.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../scripts/lib/manage/core/cli.ts';
import { commands } from '../../scripts/lib/manage/commands.ts';
import { parseAttachRequest } from '../../scripts/lib/manage/attach/request.ts';
import { parseSession } from '../../scripts/lib/manage/attach/session.ts';
import { thrown } from '../helpers/thrown.ts';

const request = (...argv: string[]) => parseAttachRequest(parseCommandLine(['up', ...argv], commands).options, 0);

describe('parseAttachRequest', () => {
  it('is undefined for a plain up', () => {
    expect(request()).toBeUndefined();
  });

  it('reads -a and every attached option', () => {
    expect(request('-a', '--exit-on-failure', '--exit-code-from', 'e2e', '--stop-all', '--grep', 'x+', '--level', 'warn', '--raw', '--no-wait')).toEqual({
      up: { noWait: true, force: false },
      show: { filter: { grep: /x+/, level: 'warn' }, raw: true },
      exitOnFailure: true,
      exitCodeFrom: 'e2e',
      stopAll: true,
    });
  });

  it('refuses attached-only options without --attach, and --attach with --quiet', () => {
    expect((thrown(() => request('--exit-code-from', 'e2e')) as Error).message).toBe('--exit-code-from only goes with --attach');
    expect((thrown(() => request('-a', '-q')) as Error).message).toBe("--attach shows the services' output, which --quiet would hide");
    expect((thrown(() => request('-a', '--level', 'loud')) as Error).message).toBe('--level "loud" is not a level');
  });
});

describe('parseSession', () => {
  const record = { pid: 12, startTime: 1, since: '2026-12-04T00:00:00.000Z', owns: ['api'], shows: [], stopsAll: false };
  it('reads what writeSession writes', () => {
    expect(parseSession(JSON.stringify(record))).toEqual({ ...record, startTicks: undefined });
  });
  it('rejects garbage and truncated text', () => {
    expect(parseSession('')).toBeUndefined();
    expect(parseSession(JSON.stringify(record).slice(0, 20))).toBeUndefined();
    expect(parseSession(JSON.stringify({ ...record, owns: [1] }))).toBeUndefined();
    expect(parseSession('null')).toBeUndefined();
  });
});
