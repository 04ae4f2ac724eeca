// Process facts from /proc on Linux, or from ps-list, ps and find-process where there is no /proc (macOS).
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { connect } from 'node:net';
import type { ProcessInfo } from '../core/identity.ts';
import { parseBootTime, parseCmdline, parseCmdlineArgv, parseNetTcp, parseSocketLink, parseStat, pastListeningRows, ticksPerSecond } from '../core/procfs.ts';
import { now } from './poll.ts';
import { parseAuxvPageSize, parseCpuTime } from '../core/resources.ts';
import { findPortHolders, listProcessesPortably, runPs } from './shell.ts';

/** Who listens on a port: PIDs when they could be found out, `unknown` when the port is held but not by whom. */
export type PortHolders = { held: false } | { held: true; pids: number[]; unknown: boolean };

/** A declared port as status sees it: nobody listens, one of the service's processes does, or something else. */
export type PortState = 'closed' | 'own' | 'other';

/** One way of reading process facts; every caller takes a snapshot once per command, not per service. */
export interface ProcessSource {
  readonly kind: 'proc' | 'ps';
  /** Identifies this boot, so start times from before a reboot never match. */
  readonly bootId: string | undefined;
  /**
   * Every process on the machine. `maxAgeMs` lets pollers share a snapshot that recent (parallel stops poll
   * together); the default reads afresh, which every check right before a signal does.
   */
  list(maxAgeMs?: number): Promise<ProcessInfo[]>;
  /** One process, or undefined when there is no such PID. */
  get(pid: number): Promise<ProcessInfo | undefined>;
  /** The full command line of a process, for messages. */
  commandLine(pid: number): Promise<string>;
  /** The arguments a process was started with; empty when it is gone or unreadable. */
  argv(pid: number): Promise<string[]>;
  /**
   * Who listens on a TCP port. Reading the kernel's socket tables costs milliseconds whatever their length,
   * so callers checking many ports in one command accept tables up to `maxAgeMs` old; readiness reads fresh.
   */
  portHolders(port: number, maxAgeMs?: number): Promise<PortHolders>;
  /** For each port: closed, listened on by one of `pids`, or by something else. */
  portStates(ports: number[], pids: number[], maxAgeMs?: number): Promise<Map<number, PortState>>;
}

/** /proc, unless MANAGE_PROCESS_SOURCE=ps forces the portable path (tests use that to cover it on Linux). */
export function defaultProcessSource(): ProcessSource {
  const forced = process.env.MANAGE_PROCESS_SOURCE;
  if (forced === 'ps' || (forced !== 'proc' && !existsSync('/proc/self/stat'))) return new PsSource();
  return new ProcSource();
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process exited between listing and reading, or belongs to a user we cannot read: not there for us.
    return undefined;
  }
}

/**
 * The start of /proc/net/tcp{,6} up to the end of its listening sockets. Every read() of the table walks the
 * kernel's whole connection hash, which is sized by the machine's memory, not by how many connections there
 * are: 1.7 ms per read here, even for a nearly empty table. Listeners come first, so reading stops at the
 * first row that is not one. The kernel fills each read up to a page (4 KiB at least) unless the table ends,
 * so a read that leaves room for several more rows was the last: this saves the read that would return 0.
 */
function readListeningPart(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let text = '';
    for (;;) {
      const count = readSync(fd, buffer, 0, buffer.length, null);
      text += buffer.toString('latin1', 0, count);
      if (count < lastReadBytes || pastListeningRows(text)) return text;
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Rows are at most about 180 bytes: a read this much short of the smallest page (4096) ended the table. */
const lastReadBytes = 4096 - 512;

/** Shares one snapshot among callers that accept one up to `maxAgeMs` old. */
abstract class SnapshotSource {
  private snapshot: { at: number; processes: Promise<ProcessInfo[]> } | undefined;

  list(maxAgeMs = 0): Promise<ProcessInfo[]> {
    if (this.snapshot && now() - this.snapshot.at <= maxAgeMs) return this.snapshot.processes;
    const processes = this.read();
    this.snapshot = { at: now(), processes };
    return processes;
  }

  protected abstract read(): Promise<ProcessInfo[]>;
}

export class ProcSource extends SnapshotSource implements ProcessSource {
  readonly kind = 'proc';
  readonly bootId = readText('/proc/sys/kernel/random/boot_id')?.trim();
  private readonly bootTime = parseBootTime(readText('/proc/stat') ?? '') ?? 0;
  private readonly pageSize = pageSizeOfThisMachine();

  protected async read(): Promise<ProcessInfo[]> {
    const result: ProcessInfo[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const info = this.readOne(Number(entry));
      if (info) result.push(info);
    }
    return result;
  }

  async get(pid: number): Promise<ProcessInfo | undefined> {
    return this.readOne(pid);
  }

  async commandLine(pid: number): Promise<string> {
    const text = readText(`/proc/${pid}/cmdline`);
    return text ? parseCmdline(text) : (this.readOne(pid)?.command ?? '');
  }

  async argv(pid: number): Promise<string[]> {
    return parseCmdlineArgv(readText(`/proc/${pid}/cmdline`) ?? '');
  }

  async portHolders(port: number, maxAgeMs = 0): Promise<PortHolders> {
    const inodes = this.listeningInodes(maxAgeMs, [port]).get(port);
    if (!inodes) return { held: false };
    const pids = new Set<number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      if (this.socketInodes(entry).some((inode) => inodes.has(inode))) pids.add(Number(entry));
    }
    // Another user's descriptors are unreadable without root: then the holder is unknown, never "free".
    return { held: true, pids: [...pids], unknown: pids.size === 0 };
  }

  async portStates(ports: number[], pids: number[], maxAgeMs = 0): Promise<Map<number, PortState>> {
    const listening = this.listeningInodes(maxAgeMs, ports);
    const own = new Set<number>();
    for (const pid of pids) for (const inode of this.socketInodes(pid)) own.add(inode);
    return new Map(
      ports.map((port) => {
        const inodes = listening.get(port);
        if (!inodes) return [port, 'closed'];
        return [port, [...inodes].some((inode) => own.has(inode)) ? 'own' : 'other'];
      }),
    );
  }

  private readonly tables = new Map<string, { at: number; inodes: Map<number, Set<number>> }>();

  /**
   * Listening TCP sockets: port -> socket inodes. IPv4 first; the IPv6 table is read only when a port asked
   * about is not in the IPv4 one (or nothing is asked, which reads both): each read walks the kernel's whole
   * socket hash, several milliseconds with many connections in TIME_WAIT.
   */
  private listeningInodes(maxAgeMs: number, ports: number[]): Map<number, Set<number>> {
    const result = new Map<number, Set<number>>();
    const merge = (table: Map<number, Set<number>>): void => {
      for (const [port, inodes] of table) result.set(port, new Set([...(result.get(port) ?? []), ...inodes]));
    };
    merge(this.listeningIn('/proc/net/tcp', maxAgeMs));
    if (ports.length === 0 || ports.some((port) => !result.has(port))) merge(this.listeningIn('/proc/net/tcp6', maxAgeMs));
    return result;
  }

  private listeningIn(table: string, maxAgeMs: number): Map<number, Set<number>> {
    const cached = this.tables.get(table);
    if (cached && now() - cached.at <= maxAgeMs) return cached.inodes;
    const inodes = new Map<number, Set<number>>();
    for (const row of parseNetTcp(readListeningPart(table) ?? '')) {
      if (!row.listening) continue;
      const set = inodes.get(row.port) ?? new Set<number>();
      set.add(row.inode);
      inodes.set(row.port, set);
    }
    this.tables.set(table, { at: now(), inodes });
    return inodes;
  }

  /** Socket inodes a process has open; empty when it is gone or not ours to read. */
  private socketInodes(pid: number | string): number[] {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      return [];
    }
    const inodes: number[] = [];
    for (const fd of fds) {
      try {
        const inode = parseSocketLink(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (inode !== undefined) inodes.push(inode);
      } catch {
        // The descriptor closed while we read the directory.
      }
    }
    return inodes;
  }

  private readOne(pid: number): ProcessInfo | undefined {
    const stat = parseStat(readText(`/proc/${pid}/stat`) ?? '');
    if (!stat) return undefined;
    return {
      pid: stat.pid,
      ppid: stat.ppid,
      pgid: stat.pgid,
      sid: stat.sid,
      state: stat.state,
      startTicks: stat.startTicks,
      startTime: Math.round((this.bootTime + stat.startTicks / ticksPerSecond) * 1000),
      command: stat.comm,
      cpuMs: ((stat.utimeTicks + stat.stimeTicks) * 1000) / ticksPerSecond,
      rssBytes: stat.rssPages * this.pageSize,
    };
  }
}

function pageSizeOfThisMachine(): number {
  try {
    return parseAuxvPageSize(readFileSync('/proc/self/auxv')) ?? 4096;
  } catch {
    return 4096;
  }
}

/** What ps says about a process beyond ps-list: its group, state, resident memory and CPU time. */
export interface PsColumns {
  pgid: number;
  state: string;
  rssBytes?: number;
  cpuMs?: number;
}

/** Parses `ps -A -o pid= -o pgid= -o stat= -o rss= -o time=` into pid -> columns (pure). */
export function parsePsColumns(text: string): Map<number, PsColumns> {
  const result = new Map<number, PsColumns>();
  for (const line of text.split('\n')) {
    const [pid, pgid, stat, rss, time] = line.trim().split(/\s+/);
    if (!pid || !pgid || !stat || !/^\d+$/.test(pid) || !/^\d+$/.test(pgid)) continue;
    const columns: PsColumns = { pgid: Number(pgid), state: stat[0]! };
    // ps reports resident memory in KiB.
    if (rss !== undefined && /^\d+$/.test(rss)) columns.rssBytes = Number(rss) * 1024;
    const cpuMs = time === undefined ? undefined : parseCpuTime(time);
    if (cpuMs !== undefined) columns.cpuMs = cpuMs;
    result.set(Number(pid), columns);
  }
  return result;
}

/**
 * The portable path. ps has no portable session id, so the process group stands in for the session:
 * services run as group leaders, so group membership is what `down` signals anyway.
 */
export class PsSource extends SnapshotSource implements ProcessSource {
  readonly kind = 'ps';
  readonly bootId = undefined;

  protected async read(): Promise<ProcessInfo[]> {
    const [processes, groups] = await Promise.all([listProcessesPortably(), runPs().then(parsePsColumns)]);
    const result: ProcessInfo[] = [];
    for (const entry of processes) {
      const group = groups.get(entry.pid);
      if (!group || !entry.startTime) continue;
      result.push({
        pid: entry.pid,
        ppid: entry.ppid,
        pgid: group.pgid,
        sid: group.pgid,
        state: group.state,
        startTime: entry.startTime.getTime(),
        command: entry.cmd || entry.name,
        cpuMs: group.cpuMs,
        rssBytes: group.rssBytes,
      });
    }
    return result;
  }

  async get(pid: number): Promise<ProcessInfo | undefined> {
    return (await this.list()).find((entry) => entry.pid === pid);
  }

  async commandLine(pid: number): Promise<string> {
    return (await this.get(pid))?.command ?? '';
  }

  /** ps shows the arguments joined by spaces: split again, they match only where no argument holds a blank. */
  async argv(pid: number): Promise<string[]> {
    const line = await this.commandLine(pid);
    return line === '' ? [] : line.split(' ');
  }

  async portHolders(port: number): Promise<PortHolders> {
    // find-process runs lsof or netstat per call: nothing to share between ports.
    const holders = await findPortHolders(port);
    if (holders.length > 0) return { held: true, pids: holders.map((holder) => holder.pid), unknown: false };
    // find-process finds nothing, silently, for another user's socket or without lsof: never read that as free.
    return (await isAccepting(port)) ? { held: true, pids: [], unknown: true } : { held: false };
  }

  async portStates(ports: number[], pids: number[]): Promise<Map<number, PortState>> {
    const states = await Promise.all(
      ports.map(async (port): Promise<[number, PortState]> => {
        const holders = await this.portHolders(port);
        if (!holders.held) return [port, 'closed'];
        return [port, holders.pids.some((pid) => pids.includes(pid)) ? 'own' : 'other'];
      }),
    );
    return new Map(states);
  }
}

/** "pid 812 (python3 -m http.server 7101), pid 813 (...)": who holds a port, for messages. */
export async function describePids(processes: ProcessSource, pids: number[]): Promise<string> {
  const described = await Promise.all(pids.map(async (pid) => `pid ${pid} (${await processes.commandLine(pid)})`));
  return described.join(', ');
}

/** True when 127.0.0.1:port accepts a TCP connection within the timeout. */
export function isAccepting(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const finish = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
