// Parsers for /proc text (pure): process stat lines, boot time, listening sockets.

/** What one /proc/<pid>/stat line says. */
export interface ProcStat {
  pid: number;
  comm: string;
  /** One letter: R running, S sleeping, D disk wait, Z zombie, T stopped, X dead, I idle. */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  utimeTicks: number;
  stimeTicks: number;
  /** Clock ticks after boot at which the process started: with the boot id, a unique identity. */
  startTicks: number;
  rssPages: number;
}

/** Linux reports stat times in USER_HZ, which is 100 on every architecture Node runs on. */
export const ticksPerSecond = 100;

/** Parses /proc/<pid>/stat; undefined for anything truncated or malformed. */
export function parseStat(text: string): ProcStat | undefined {
  // comm is in parentheses and may itself contain spaces and ')', so split at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state) of proc(5); field N is fields[N - 3].
  if (!Number.isInteger(pid) || fields.length < 22) return undefined;
  const number = (field: number): number => Number(fields[field - 3]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: fields[0]!,
    ppid: number(4),
    pgid: number(5),
    sid: number(6),
    utimeTicks: number(14),
    stimeTicks: number(15),
    startTicks: number(22),
    rssPages: number(24),
  };
  const numeric = [stat.ppid, stat.pgid, stat.sid, stat.utimeTicks, stat.stimeTicks, stat.startTicks, stat.rssPages];
  if (!/^[A-Za-z]$/.test(stat.state) || numeric.some((value) => !Number.isFinite(value))) return undefined;
  return stat;
}

/** The boot time (seconds since the epoch) from the btime line of /proc/stat. */
export function parseBootTime(text: string): number | undefined {
  const match = /^btime\s+(\d+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** A process's /proc/<pid>/cmdline (NUL-separated) as one readable line. */
export function parseCmdline(text: string): string {
  return parseCmdlineArgv(text).join(' ');
}

/** A process's /proc/<pid>/cmdline as its argv: NUL-terminated arguments; empty for a kernel thread or a zombie. */
export function parseCmdlineArgv(text: string): string[] {
  const trimmed = text.replace(/\0+$/, '');
  return trimmed === '' ? [] : trimmed.split('\0');
}

/** One row of /proc/net/tcp or tcp6. */
export interface SocketRow {
  localAddress: string;
  port: number;
  listening: boolean;
  inode: number;
}

/** Parses /proc/net/tcp{,6}; the header and malformed rows are skipped. */
export function parseNetTcp(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [address, portHex] = fields[1]!.split(':');
    const port = parseInt(portHex ?? '', 16);
    const inode = Number(fields[9]);
    if (!address || !Number.isInteger(port) || !Number.isInteger(inode)) continue;
    // State 0A is TCP_LISTEN in include/net/tcp_states.h.
    rows.push({ localAddress: address, port, listening: fields[3] === '0A', inode });
  }
  return rows;
}

/**
 * True once /proc/net/tcp{,6} text holds a whole row that is neither listening (0A) nor a half-open connection
 * (03, SYN_RECV). The kernel lists every listening socket before any other, so nothing further in the table can
 * be a listener; kernels before 4.4 list half-open connections among the listeners, right after their own.
 * Only lines that end in a newline count: a read may, in principle, stop in the middle of one.
 */
export function pastListeningRows(text: string): boolean {
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    const fields = text.slice(start, end).trim().split(/\s+/);
    // Rows start with their slot number ("12:"); the header does not.
    if (/^\d+:$/.test(fields[0] ?? '') && fields[3] !== undefined && fields[3] !== '0A' && fields[3] !== '03') return true;
  }
  return false;
}

/** The socket inode a /proc/<pid>/fd/<n> link points at ("socket:[1234]"), if it is a socket. */
export function parseSocketLink(link: string): number | undefined {
  const match = /^socket:\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : undefined;
}
