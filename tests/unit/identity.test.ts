// Process identity against recycled PIDs, and a service's members (scripts/lib/manage/core/identity.ts).
import { describe, expect, it } from 'vitest';
import { isAlive, isSameProcess, serviceMembers, type ProcessInfo, type RecordedIdentity } from '../../scripts/lib/manage/core/identity.ts';

const bootId = 'boot-a';
const leaderStart = 1_767_225_600_000;

/** The leader as recorded in the PID file on Linux: PID 100, started at tick 5000 of boot-a. */
const recorded: RecordedIdentity = { pid: 100, startTime: leaderStart, startTicks: 5000, bootId };

/** A process of the snapshot; by default the recorded leader itself. */
function processInfo(fields: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid: 100, ppid: 1, pgid: 100, sid: 100, state: 'S', startTicks: 5000, startTime: leaderStart, command: 'node', ...fields };
}

/** The same process as ps sees it: no ticks, and a start time with one-second resolution. */
function psInfo(fields: Partial<ProcessInfo> = {}): ProcessInfo {
  const { startTicks: _, ...rest } = processInfo(fields);
  return rest;
}

describe('isSameProcess', () => {
  it('matches equal start ticks, whatever the millisecond start times say', () => {
    expect(isSameProcess(recorded, processInfo({ startTime: leaderStart + 5000 }), bootId)).toBe(true);
  });

  it('rejects different start ticks, even with equal start times', () => {
    expect(isSameProcess(recorded, processInfo({ startTicks: 5001 }), bootId)).toBe(false);
  });

  it('rejects a process with another PID', () => {
    expect(isSameProcess(recorded, processInfo({ pid: 101 }), bootId)).toBe(false);
  });

  it('rejects a recording from another boot, even with equal ticks', () => {
    expect(isSameProcess(recorded, processInfo(), 'boot-b')).toBe(false);
  });

  it('ignores the boot id when either side does not know it', () => {
    expect(isSameProcess(recorded, processInfo(), undefined)).toBe(true);
    expect(isSameProcess({ pid: 100, startTime: leaderStart, startTicks: 5000 }, processInfo(), bootId)).toBe(true);
  });

  it.each([
    ['equal', 0, true],
    ['later by 999 ms', 999, true],
    ['earlier by 999 ms', -999, true],
    ['later by exactly 1 s', 1000, false],
    ['earlier by 1.5 s', -1500, false],
    ['later by a minute', 60_000, false],
  ])('without ticks, takes start times %s as %s', (_, offset, expected) => {
    expect(isSameProcess({ pid: 100, startTime: leaderStart }, psInfo({ startTime: leaderStart + offset }))).toBe(expected);
  });

  it('compares start times when only the recording has ticks (ps on the same machine)', () => {
    expect(isSameProcess(recorded, psInfo({ startTime: leaderStart + 400 }))).toBe(true);
    expect(isSameProcess(recorded, psInfo({ startTime: leaderStart + 4000 }))).toBe(false);
  });
});

describe('isAlive', () => {
  it.each([
    ['R', true],
    ['S', true],
    ['D', true],
    ['T', true],
    ['I', true],
    ['Z', false],
    ['X', false],
  ])('takes state %s as alive: %s', (state, expected) => {
    expect(isAlive(processInfo({ state }))).toBe(expected);
  });
});

describe('serviceMembers', () => {
  const leader = processInfo();
  const child = processInfo({ pid: 101, ppid: 100, startTicks: 5010, startTime: leaderStart + 100 });
  /** Moved to its own process group (setpgid), but still in the leader's session. */
  const ownGroup = processInfo({ pid: 102, ppid: 101, pgid: 102, startTicks: 5020, startTime: leaderStart + 200 });
  /** Left the session (setsid) but not the group: still signalled by kill(-pgid). */
  const ownSession = processInfo({ pid: 103, ppid: 101, sid: 103, startTicks: 5030, startTime: leaderStart + 300 });
  const zombie = processInfo({ pid: 104, ppid: 100, state: 'Z', startTicks: 5040, startTime: leaderStart + 400 });
  const stranger = processInfo({ pid: 200, ppid: 1, pgid: 200, sid: 200, startTicks: 6000, startTime: leaderStart + 10_000 });

  it('finds the leader and every live process of its session or group', () => {
    expect(serviceMembers(recorded, [stranger, leader, child, ownGroup, ownSession, zombie], bootId)).toEqual([leader, child, ownGroup, ownSession]);
  });

  it('with descendants (an adopted process that leads no group): its children by parent PID, and theirs', () => {
    const adopted: RecordedIdentity = { ...recorded, descendants: true };
    // Started by an old script's `cmd &`: in the script's group and session, not its own.
    const orphanOfScript = processInfo({ pgid: 50, sid: 50 });
    const shellChild = processInfo({ pid: 110, ppid: 100, pgid: 50, sid: 50, startTicks: 5010, startTime: leaderStart + 100 });
    const grandchild = processInfo({ pid: 111, ppid: 110, pgid: 50, sid: 50, startTicks: 5020, startTime: leaderStart + 200 });
    const sibling = processInfo({ pid: 112, ppid: 40, pgid: 50, sid: 50, startTicks: 5030, startTime: leaderStart + 300 });
    const snapshot = [sibling, grandchild, orphanOfScript, shellChild];
    expect(serviceMembers(adopted, snapshot, bootId)).toEqual([orphanOfScript, shellChild, grandchild]);
    expect(serviceMembers(recorded, snapshot, bootId)).toEqual([orphanOfScript]);
  });

  it('finds the children that outlived the leader', () => {
    expect(serviceMembers(recorded, [child, stranger, ownGroup], bootId)).toEqual([child, ownGroup]);
  });

  it('leaves out a process of that session that started before the leader', () => {
    const older = processInfo({ pid: 105, ppid: 1, startTicks: 4999, startTime: leaderStart - 10 });
    expect(serviceMembers(recorded, [leader, older, child], bootId)).toEqual([leader, child]);
  });

  it('returns [] when another process now holds the leader PID, even if others match', () => {
    const newHolder = processInfo({ startTicks: 9000, startTime: leaderStart + 40_000 });
    const laterMember = processInfo({ pid: 106, ppid: 100, startTicks: 9010, startTime: leaderStart + 40_100 });
    expect(serviceMembers(recorded, [newHolder, laterMember, child], bootId)).toEqual([]);
  });

  it('returns [] for a recording from another boot', () => {
    expect(serviceMembers(recorded, [leader, child], 'boot-b')).toEqual([]);
    expect(serviceMembers(recorded, [child], 'boot-b')).toEqual([]);
  });

  it('returns [] when nothing of the service is left', () => {
    expect(serviceMembers(recorded, [stranger], bootId)).toEqual([]);
    expect(serviceMembers(recorded, [], bootId)).toEqual([]);
  });

  it('finds a zombie leader\'s live children, but not the zombie', () => {
    const zombieLeader = processInfo({ state: 'Z' });
    expect(serviceMembers(recorded, [zombieLeader, child], bootId)).toEqual([child]);
  });

  it('allows ps start times one second early, and no more', () => {
    const psRecorded: RecordedIdentity = { pid: 100, startTime: leaderStart };
    const psLeader = psInfo();
    const sameSecond = psInfo({ pid: 101, startTime: leaderStart - 900 });
    const earlier = psInfo({ pid: 102, startTime: leaderStart - 1500 });
    expect(serviceMembers(psRecorded, [psLeader, sameSecond, earlier])).toEqual([psLeader, sameSecond]);
  });
});
