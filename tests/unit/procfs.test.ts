// Parsers for /proc text (scripts/lib/manage/core/procfs.ts), from lines written to match proc(5).
import { describe, expect, it } from 'vitest';
import { parseBootTime, parseCmdline, parseCmdlineArgv, parseNetTcp, parseSocketLink, parseStat, pastListeningRows } from '../../scripts/lib/manage/core/procfs.ts';

/**
 * The fields after comm of a /proc/<pid>/stat line, from field 3 (state) to field 52 (exit_code):
 * ppid 1, pgrp 1234, session 1234, utime 250, stime 75, starttime 987654, rss 12800 pages.
 */
const afterComm =
  'S 1 1234 1234 0 -1 4194560 12345 0 12 0 250 75 0 0 20 0 11 0 987654 1234567890 12800 18446744073709551615 ' +
  '94581431005184 94581431025065 140724382175872 0 0 0 0 16781312 134234626 0 0 0 17 3 0 0 0 0 0 ' +
  '94581431041072 94581431042688 94582441381888 140724382178007 140724382178027 140724382178027 140724382179307 0';

const nodeLine = `1234 (node) ${afterComm}\n`;

const nodeStat = {
  pid: 1234,
  comm: 'node',
  state: 'S',
  ppid: 1,
  pgid: 1234,
  sid: 1234,
  utimeTicks: 250,
  stimeTicks: 75,
  startTicks: 987_654,
  rssPages: 12_800,
};

/** The first `count` fields (pid and comm count as two) of the captured line. */
function firstFields(count: number): string {
  return `1234 (node) ${afterComm.split(' ').slice(0, count - 2).join(' ')}`;
}

describe('parseStat', () => {
  it('reads a full stat line', () => {
    expect(parseStat(nodeLine)).toEqual(nodeStat);
  });

  it('reads a line cut after field 24 (rss), the last one it needs', () => {
    expect(parseStat(firstFields(24))).toEqual(nodeStat);
  });

  it.each([
    ['a comm with spaces and ")"', '(a) b)'],
    ['a comm that is only ") ("', ') ('],
    ['a comm with spaces', 'Web Content'],
    ['an empty comm', ''],
  ])('reads %s', (_, comm) => {
    expect(parseStat(`1234 (${comm}) ${afterComm}`)).toEqual({ ...nodeStat, comm });
  });

  it('reads a zombie', () => {
    expect(parseStat(`1234 (node) ${afterComm.replace(/^S/, 'Z')}`)).toEqual({ ...nodeStat, state: 'Z' });
  });

  it.each([
    ['empty text', ''],
    ['garbage', 'no such process'],
    ['only pid and comm', '1234 (node)'],
    ['a line cut after field 23', firstFields(23)],
    ['a line cut in the middle of comm', '1234 (nod'],
    ['a missing pid', `(node) ${afterComm}`],
    ['a non-numeric pid', `abc (node) ${afterComm}`],
    ['a non-numeric ppid', `1234 (node) ${afterComm.replace(/^S 1 /, 'S x ')}`],
    ['a state that is not a letter', `1234 (node) ${afterComm.replace(/^S/, '?')}`],
    ['a state of two letters', `1234 (node) ${afterComm.replace(/^S/, 'SS')}`],
  ])('returns undefined for %s', (_, text) => {
    expect(parseStat(text)).toBeUndefined();
  });
});

describe('parseBootTime', () => {
  const procStat = [
    'cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0',
    'cpu0 1393280 32966 572056 13343292 6130 0 17875 0 0 0',
    'intr 199292510 29 0 0 0 0',
    'ctxt 1990473',
    'btime 1700000000',
    'processes 2915',
    'procs_running 1',
    '',
  ].join('\n');

  it('reads the btime line', () => {
    expect(parseBootTime(procStat)).toBe(1_700_000_000);
  });

  it.each([
    ['empty text', ''],
    ['no btime line', 'cpu  1 2 3\nprocesses 2915\n'],
    ['a non-numeric btime', 'btime soon\n'],
    ['btime inside another word', 'xbtime 1700000000\n'],
  ])('returns undefined for %s', (_, text) => {
    expect(parseBootTime(text)).toBeUndefined();
  });
});

describe('parseCmdline', () => {
  it.each([
    ['NUL-separated arguments with a trailing NUL', 'node\u0000server.js\u0000--port\u00008080\u0000', 'node server.js --port 8080'],
    ['several trailing NULs', 'python3\u0000app.py\u0000\u0000\u0000', 'python3 app.py'],
    ['no trailing NUL', 'sleep\u000030', 'sleep 30'],
    ['an argument with spaces', 'sh\u0000-c\u0000echo hi\u0000', 'sh -c echo hi'],
    ['an empty argument in the middle', 'a\u0000\u0000b\u0000', 'a  b'],
    ['empty text (a kernel thread)', '', ''],
  ])('reads %s', (_, text, expected) => {
    expect(parseCmdline(text)).toBe(expected);
  });
});

describe('parseCmdlineArgv', () => {
  it.each([
    ['node\u0000server.js\u0000', ['node', 'server.js']],
    ['sh\u0000-c\u0000sleep 1; echo done\u0000', ['sh', '-c', 'sleep 1; echo done']],
    ['a\u0000\u0000b\u0000', ['a', '', 'b']],
    ['', []],
  ])('reads %j as %j', (text, expected) => {
    expect(parseCmdlineArgv(text)).toEqual(expected);
  });
});

describe('parseNetTcp', () => {
  const netTcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     ',
    '   0: 0100007F:1BBD 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 67437 1 00000000161e3e40 100 0 0 10 0                     ',
    '   1: 0100007F:D2F0 0100007F:1BBD 01 00000000:00000000 00:00000000 00000000  1000        0 67502 1 00000000b2ba331d 20 4 30 10 -1                   ',
    '   2: 0100007F:1BBE 00000000:0000 0A 00000000:00000000 00:00000000 00000000',
    '   3: 00000000:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 67555 1 0000000000000000 100 0 0 10 0',
    '   4: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 inode 1 0000000000000000 100 0 0 10 0',
    '',
  ].join('\n');

  it('reads listening and established rows and skips the header and malformed rows', () => {
    expect(parseNetTcp(netTcp)).toEqual([
      { localAddress: '0100007F', port: 7101, listening: true, inode: 67437 },
      { localAddress: '0100007F', port: 54000, listening: false, inode: 67502 },
    ]);
  });

  it('reads a tcp6 row', () => {
    const netTcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 81234 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(parseNetTcp(netTcp6)).toEqual([{ localAddress: '00000000000000000000000001000000', port: 8080, listening: true, inode: 81234 }]);
  });

  it.each([
    ['empty text', ''],
    ['only the header', netTcp.split('\n')[0]!],
  ])('returns [] for %s', (_, text) => {
    expect(parseNetTcp(text)).toEqual([]);
  });
});

describe('pastListeningRows', () => {
  const [header, listening, established] = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1BBD 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 67437 1 00000000161e3e40 100 0 0 10 0',
    '   1: 0100007F:D2F0 0100007F:1BBD 01 00000000:00000000 00:00000000 00000000  1000        0 67502 1 00000000b2ba331d 20 4 30 10 -1',
  ];
  const timeWait = '   2: 0100007F:D2F2 0100007F:1BBD 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000';
  const synReceived = '   3: 0100007F:1BBD 0100007F:D2F4 03 00000000:00000000 02:00000063 00000000  1000        0 0 2 0000000000000000';

  it.each([
    ['nothing read yet', '', false],
    ['only the header, whose st column is not a state', `${header}\n`, false],
    ['listening rows only: more may follow', `${header}\n${listening}\n${listening}\n`, false],
    ['a row that is not listening', `${header}\n${listening}\n${established}\n`, true],
    ['a socket in TIME_WAIT', `${header}\n${timeWait}\n`, true],
    ['a half-open connection, which kernels before 4.4 list among the listeners', `${header}\n${listening}\n${synReceived}\n`, false],
    ['a row cut off before its newline, which may still be read wrong', `${header}\n${listening}\n${established.slice(0, 40)}`, false],
  ])('%s', (_, text, expected) => {
    expect(pastListeningRows(text)).toBe(expected);
  });
});

describe('parseSocketLink', () => {
  it.each([
    ['socket:[67437]', 67437],
    ['socket:[0]', 0],
    ['pipe:[67437]', undefined],
    ['anon_inode:[eventpoll]', undefined],
    ['/dev/null', undefined],
    ['socket:[]', undefined],
    ['socket:[12x]', undefined],
    ['socket:[123] ', undefined],
  ])('reads %j as %j', (link, expected) => {
    expect(parseSocketLink(link)).toBe(expected);
  });
});
