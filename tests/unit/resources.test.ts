// CPU and memory figures from process snapshots, and the sampling that makes CPU an interval figure.
import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../scripts/lib/manage/core/identity.ts';
import {
  cpuUsage,
  keptSamples,
  parseAuxvPageSize,
  parseCpuTime,
  processKey,
  residentBytes,
  takeSample,
  usableSample,
  type CpuSample,
} from '../../scripts/lib/manage/core/resources.ts';
import { redraw } from '../../scripts/lib/manage/watch.ts';

const base = 1_700_000_000_000;

function process(pid: number, fields: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid, ppid: 1, pgid: pid, sid: pid, state: 'S', startTicks: pid * 10, startTime: base, command: 'node', cpuMs: 0, rssBytes: 0, ...fields };
}

describe('cpuUsage', () => {
  it('takes the difference since the earlier sample over the time between them', () => {
    const leader = process(10, { cpuMs: 5_000 });
    const child = process(11, { cpuMs: 1_000 });
    const previous: CpuSample = { at: base + 60_000, cpuMs: { [processKey(leader)]: 4_000, [processKey(child)]: 900 } };
    // 1000 ms + 100 ms of CPU in 2 s: 55 % of one core.
    expect(cpuUsage([leader, child], previous, base + 62_000)).toEqual({ percent: 55, windowMs: 2000, since: 'sample' });
  });

  it('counts a process started after the sample over its own life, not the whole interval', () => {
    const leader = process(10, { cpuMs: 1_000 });
    const newcomer = process(12, { cpuMs: 500, startTime: base + 61_000 });
    const previous: CpuSample = { at: base + 60_000, cpuMs: { [processKey(leader)]: 1_000 } };
    // The leader used nothing; the newcomer 500 ms in its 4 s: 12.5 %.
    expect(cpuUsage([leader, newcomer], previous, base + 65_000)).toEqual({ percent: 12.5, windowMs: 5000, since: 'sample' });
  });

  it('never reports a window longer than the processes have existed', () => {
    const restarted = process(20, { cpuMs: 300, startTime: base + 61_000 });
    const previous: CpuSample = { at: base + 60_000, cpuMs: {} };
    expect(cpuUsage([restarted], previous, base + 62_000)).toEqual({ percent: 30, windowMs: 1000, since: 'sample' });
  });

  it('averages over each process life when a member older than the sample is missing from it', () => {
    const leader = process(10, { cpuMs: 3_000, startTime: base });
    const previous: CpuSample = { at: base + 5_000, cpuMs: {} };
    expect(cpuUsage([leader], previous, base + 10_000)).toEqual({ percent: 30, windowMs: 10_000, since: 'start' });
  });

  it('never mistakes a recycled PID for the process in the sample', () => {
    const reused = process(10, { startTicks: 999, cpuMs: 200, startTime: base + 1_000 });
    const previous: CpuSample = { at: base + 2_000, cpuMs: { [processKey(process(10))]: 50_000 } };
    // Not in the sample under its own key and older than the sample: averaged since its start, never negative.
    expect(cpuUsage([reused], previous, base + 5_000)).toEqual({ percent: 5, windowMs: 4000, since: 'start' });
  });

  it('is null without members or without CPU times (a source that gives none)', () => {
    expect(cpuUsage([], undefined, base)).toBeNull();
    expect(cpuUsage([process(10, { cpuMs: undefined })], undefined, base + 1000)).toBeNull();
  });
});

describe('samples', () => {
  const at = base + 100_000;
  const sample = (age: number): CpuSample => ({ at: at - age, cpuMs: {} });

  it('uses the newest sample at least a second and at most 15 minutes old', () => {
    expect(usableSample([sample(500), sample(3_000), sample(10_000)], at)).toEqual(sample(3_000));
    expect(usableSample([sample(500)], at)).toBeUndefined();
    expect(usableSample([sample(16 * 60_000)], at)).toBeUndefined();
    expect(usableSample([sample(300)], at, 250)).toEqual(sample(300));
  });

  it('keeps one older sample beside the new one, so calls a moment apart still get an interval', () => {
    const current = sample(0);
    expect(keptSamples([sample(5_000), sample(200)], current)).toEqual([sample(5_000), current]);
    expect(keptSamples([sample(200)], current)).toEqual([sample(200), current]);
    expect(keptSamples([], current)).toEqual([current]);
  });

  it('keeps the oldest sample while none is old enough, so calls every 250 ms reach a usable one', () => {
    const current = sample(0);
    expect(keptSamples([sample(400), sample(200)], current)).toEqual([sample(400), current]);
    expect(keptSamples([sample(20 * 60_000), sample(200)], current)).toEqual([sample(200), current]);
  });

  it('records CPU time by PID and start time', () => {
    expect(takeSample([process(10, { cpuMs: 70 }), process(11, { cpuMs: undefined })], at)).toEqual({ at, cpuMs: { '10@100': 70 } });
  });
});

describe('residentBytes', () => {
  it('sums the whole group', () => {
    expect(residentBytes([process(1, { rssBytes: 1024 }), process(2, { rssBytes: 2048 })])).toBe(3072);
  });

  it('is null when unknown', () => {
    expect(residentBytes([])).toBeNull();
    expect(residentBytes([process(1, { rssBytes: undefined })])).toBeNull();
  });
});

describe('parseCpuTime', () => {
  it.each([
    ['00:00:01', 1_000],
    ['01:02:03', 3_723_000],
    ['2-01:00:00', 176_400_000],
    ['0:00.03', 30],
    ['12:34.56', 754_560],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseCpuTime(text)).toBe(ms);
  });

  it.each(['', '-', 'abc', '1:2:3:4'])('rejects %j', (text) => {
    expect(parseCpuTime(text)).toBeUndefined();
  });
});

describe('parseAuxvPageSize', () => {
  const auxv = (...pairs: Array<[number, number]>): Buffer => {
    const buffer = Buffer.alloc(pairs.length * 16);
    pairs.forEach(([type, value], index) => {
      buffer.writeBigUInt64LE(BigInt(type), index * 16);
      buffer.writeBigUInt64LE(BigInt(value), index * 16 + 8);
    });
    return buffer;
  };

  it('finds AT_PAGESZ among the entries', () => {
    expect(parseAuxvPageSize(auxv([33, 1234], [6, 16384], [0, 0]))).toBe(16384);
  });

  it('stops at AT_NULL and tolerates a truncated vector', () => {
    expect(parseAuxvPageSize(auxv([0, 0], [6, 4096]))).toBeUndefined();
    expect(parseAuxvPageSize(Buffer.alloc(7))).toBeUndefined();
  });
});

describe('redraw', () => {
  it('homes the cursor, erases each line to its end and everything below: no blank frame', () => {
    expect(redraw(['a', 'b'])).toBe('\u001b[Ha\u001b[K\nb\u001b[K\n\u001b[J');
  });

  it('cuts lines wider than the terminal, so the frame never wraps', () => {
    expect(redraw(['\u001b[32mgreen text\u001b[39m', 'ok'], 5)).toBe('\u001b[Hgreen\u001b[K\nok\u001b[K\n\u001b[J');
  });
});
