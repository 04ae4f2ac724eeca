// CPU and memory of a service's processes, from process snapshots (pure): no sampling sleep on the default
// path, because each status call leaves its figures behind for the next one to take a difference from.
import type { ProcessInfo } from './identity.ts';

/** CPU time each process had used at one moment; the key tells a recycled PID from the process before it. */
export interface CpuSample {
  at: number;
  cpuMs: Record<string, number>;
}

/**
 * CPU use in percent of one core (as top and ps count it). `windowMs` says over what: the time since an
 * earlier sample, or (`since: 'start'`) the processes' whole life when no usable sample exists.
 */
export interface CpuUsage {
  percent: number;
  windowMs: number;
  since: 'sample' | 'start';
}

/** A difference over less than this is mostly rounding: the kernel counts CPU time in 10 ms ticks. */
export const minimumWindowMs = 1000;
/** An older sample says little about "now". */
export const maximumWindowMs = 15 * 60 * 1000;

export function processKey(process: Pick<ProcessInfo, 'pid' | 'startTicks' | 'startTime'>): string {
  return `${process.pid}@${process.startTicks ?? process.startTime}`;
}

export function takeSample(processes: ProcessInfo[], at: number): CpuSample {
  const cpuMs: Record<string, number> = {};
  for (const process of processes) if (process.cpuMs !== undefined) cpuMs[processKey(process)] = process.cpuMs;
  return { at, cpuMs };
}

/** The most recent sample old enough to take a difference from at `at`, if any. */
export function usableSample(samples: CpuSample[], at: number, minimumMs = minimumWindowMs): CpuSample | undefined {
  return samples
    .filter((sample) => at - sample.at >= minimumMs && at - sample.at <= maximumWindowMs)
    .sort((a, b) => b.at - a.at)[0];
}

/**
 * The samples to keep after taking `current`: the newest one old enough to difference from, else the oldest
 * (which will be soon), and the current one. Calls a moment apart thus all get an interval figure.
 */
export function keptSamples(samples: CpuSample[], current: CpuSample, minimumMs = minimumWindowMs): CpuSample[] {
  const recent = samples.filter((sample) => sample.at < current.at && current.at - sample.at <= maximumWindowMs);
  const older = usableSample(recent, current.at, minimumMs) ?? recent.sort((a, b) => a.at - b.at)[0];
  return older ? [older, current] : [current];
}

/**
 * CPU use of a group of processes. Over the interval since `previous` when every member was in it or started
 * after it (so the difference covers each one fairly); otherwise averaged over each process's life.
 * Null when the source gives no CPU times.
 */
export function cpuUsage(members: ProcessInfo[], previous: CpuSample | undefined, at: number): CpuUsage | null {
  if (members.length === 0 || members.some((member) => member.cpuMs === undefined)) return null;
  if (previous) {
    const covered = members.every((member) => processKey(member) in previous.cpuMs || member.startTime >= previous.at);
    if (covered) {
      // Each process over its own part of the interval: the time since the sample, or since it started.
      const percent = members.reduce((sum, member) => {
        const before = previous.cpuMs[processKey(member)];
        return sum + (before === undefined ? percentOf(member.cpuMs!, at - member.startTime) : percentOf(Math.max(0, member.cpuMs! - before), at - previous.at));
      }, 0);
      const windowMs = at - Math.max(previous.at, Math.min(...members.map((member) => member.startTime)));
      return { percent: Math.round(percent * 10) / 10, windowMs, since: 'sample' };
    }
  }
  const percent = members.reduce((sum, member) => sum + percentOf(member.cpuMs!, at - member.startTime), 0);
  const windowMs = at - Math.min(...members.map((member) => member.startTime));
  return { percent: Math.round(percent * 10) / 10, windowMs, since: 'start' };
}

function percentOf(cpuMs: number, windowMs: number): number {
  return windowMs <= 0 ? 0 : Math.round((cpuMs / windowMs) * 1000) / 10;
}

/** Resident memory of a group of processes together; null when the source gives none. */
export function residentBytes(members: ProcessInfo[]): number | null {
  if (members.length === 0 || members.some((member) => member.rssBytes === undefined)) return null;
  return members.reduce((sum, member) => sum + member.rssBytes!, 0);
}

/** ps's TIME column in ms: "1-02:03:04", "02:03:04", "03:04" (Linux), "0:00.03" or "12:34.56" (macOS). */
export function parseCpuTime(text: string): number | undefined {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!match) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return Math.round(((Number(days) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000);
}

/** The page size from /proc/self/auxv (AT_PAGESZ), which /proc/<pid>/stat counts resident memory in. */
export function parseAuxvPageSize(auxv: Buffer): number | undefined {
  const atPageSize = 6n;
  // 64-bit little-endian (type, value) pairs, ended by type 0: x86-64 and arm64, where Node runs on Linux.
  for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
    const type = auxv.readBigUInt64LE(offset);
    if (type === 0n) break;
    if (type === atPageSize) return Number(auxv.readBigUInt64LE(offset + 8));
  }
  return undefined;
}
