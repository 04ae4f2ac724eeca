// Process identity: what makes "the process in the PID file" and "the process with that PID now" the same one.

/** A process as seen by a process source (/proc on Linux, ps elsewhere). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id; services are started with setsid, so their session id is the leader's PID. */
  sid: number;
  /** One letter as in ps: R, S, D, Z (zombie), T ... */
  state: string;
  /** Start time in clock ticks after boot (Linux only): exact, unlike startTime. */
  startTicks?: number;
  /** Start time in ms since the epoch; from ps it has one-second resolution. */
  startTime: number;
  command: string;
  /** CPU time used so far (user and system), in ms; /proc counts it in 10 ms ticks, macOS ps in 10 ms too. */
  cpuMs?: number;
  /** Resident memory in bytes. */
  rssBytes?: number;
}

/** The identity recorded for a started process. */
export interface RecordedIdentity {
  pid: number;
  startTime: number;
  startTicks?: number;
  bootId?: string;
  /**
   * Also its descendants, by parent PID: for a process manage.ts adopted rather than started (an old
   * manage.sh's `cmd &`), which leads no session or group of its own, so its children are found no other way.
   */
  descendants?: boolean;
}

/**
 * True when `observed` is the very process that was recorded. PIDs are recycled, so the PID alone proves
 * nothing: the start time must match too (exactly in ticks on Linux, else within ps's one-second resolution).
 */
export function isSameProcess(recorded: RecordedIdentity, observed: ProcessInfo, bootId?: string): boolean {
  if (observed.pid !== recorded.pid) return false;
  if (recorded.bootId !== undefined && bootId !== undefined && recorded.bootId !== bootId) return false;
  if (recorded.startTicks !== undefined && observed.startTicks !== undefined) return recorded.startTicks === observed.startTicks;
  return Math.abs(recorded.startTime - observed.startTime) < 1000;
}

/** Zombies have exited and only wait to be reaped (here PID 1 reaps every second or two): they count as gone. */
export function isAlive(process: ProcessInfo): boolean {
  return process.state !== 'Z' && process.state !== 'X';
}

/**
 * The live processes that belong to a service started as session leader `recorded.pid`: its session and
 * process group, including children that outlived the leader. The kernel never hands out a PID while a
 * group or session of that id still exists, so members that started no earlier than the leader are ours.
 */
export function serviceMembers(recorded: RecordedIdentity, processes: ProcessInfo[], bootId?: string): ProcessInfo[] {
  // A different process holding the leader's PID proves the whole group was gone before it was created.
  const holder = processes.find((process) => process.pid === recorded.pid);
  if (holder && !isSameProcess(recorded, holder, bootId)) return [];
  if (recorded.bootId !== undefined && bootId !== undefined && recorded.bootId !== bootId) return [];
  const members = processes.filter(
    (process) =>
      isAlive(process) &&
      // The recorded process itself (an adopted daemon need not lead a group), its session and its group.
      (process.pid === recorded.pid || process.sid === recorded.pid || process.pgid === recorded.pid) &&
      startedNoEarlier(process, recorded),
  );
  return recorded.descendants ? withDescendants(members, processes, recorded) : members;
}

/** The members plus every live process whose chain of parents leads to one of them. */
function withDescendants(members: ProcessInfo[], processes: ProcessInfo[], recorded: RecordedIdentity): ProcessInfo[] {
  const found = new Map(members.map((member) => [member.pid, member]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const process of processes) {
      if (found.has(process.pid) || !found.has(process.ppid) || !isAlive(process) || !startedNoEarlier(process, recorded)) continue;
      found.set(process.pid, process);
      grew = true;
    }
  }
  return [...found.values()];
}

/** Whether a process started at or after the recorded one (exactly in ticks; within ps's second otherwise). */
export function startedNoEarlier(process: ProcessInfo, recorded: RecordedIdentity): boolean {
  if (process.startTicks !== undefined && recorded.startTicks !== undefined) return process.startTicks >= recorded.startTicks;
  return process.startTime >= recorded.startTime - 1000;
}

/**
 * What became of a recorded service: its leader still runs; the leader is gone but members of its group
 * remain (leftovers); or nothing of it is left, where `pidReused` says another program now has the PID.
 */
export type RecordState =
  | { kind: 'running'; members: ProcessInfo[] }
  | { kind: 'leftovers'; members: ProcessInfo[] }
  | { kind: 'gone'; pidReused: boolean };

export function classifyRecord(recorded: RecordedIdentity, processes: ProcessInfo[], bootId?: string): RecordState {
  const members = serviceMembers(recorded, processes, bootId);
  if (members.some((member) => member.pid === recorded.pid)) return { kind: 'running', members };
  if (members.length > 0) return { kind: 'leftovers', members };
  const holder = processes.find((process) => process.pid === recorded.pid);
  return { kind: 'gone', pidReused: holder !== undefined && isAlive(holder) };
}
