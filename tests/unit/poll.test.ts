// Polling with a deadline, and how often readiness polls tcp checks.
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../scripts/lib/manage/process/poll.ts';
import { tcpPollIntervalFor } from '../../scripts/lib/manage/health/readiness.ts';

describe('pollUntil', () => {
  it('returns the first value the probe gives, asking an interval function before each pause', async () => {
    const answers = [undefined, undefined, 'ready'];
    let asked = 0;
    const value = await pollUntil(() => answers.shift(), { timeoutMs: 5000, intervalMs: () => (asked++, 1) });
    expect(value).toBe('ready');
    expect(asked).toBe(2);
  });

  it('gives up with undefined at the deadline, or at once when told to stop', async () => {
    expect(await pollUntil(() => undefined, { timeoutMs: 20, intervalMs: 5 })).toBeUndefined();
    let probes = 0;
    expect(await pollUntil(() => void probes++, { timeoutMs: 5000, intervalMs: 5, stop: () => true })).toBeUndefined();
    expect(probes).toBe(1);
  });
});

describe('tcpPollIntervalFor', () => {
  it.each([
    [1, 300, 3],
    [1, 100, 2],
    [3, 100, 6],
    [5, 100, 10],
    [20, 100, 10],
    [1, 5_000, 50],
    [20, 60_000, 100],
  ])('%i services waiting, for %i ms: every %i ms', (waiting, waitedMs, interval) => {
    expect(tcpPollIntervalFor(waiting, waitedMs)).toBe(interval);
  });
});
