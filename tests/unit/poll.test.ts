// Polling with a deadline, and how often readiness polls tcp checks.
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../scripts/lib/poll.ts';
import { tcpPollIntervalFor } from '../../scripts/lib/readiness.ts';

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
    [0, 2],
    [1, 2],
    [3, 6],
    [5, 10],
    [20, 10],
  ])('%i services waiting: every %i ms', (waiting, interval) => {
    expect(tcpPollIntervalFor(waiting)).toBe(interval);
  });
});
