// Waiting by polling with a deadline: the one place that sleeps.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves after one turn of the event loop: I/O already signalled (a child's exit) is handled by then. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Monotonic milliseconds, immune to wall-clock changes. */
export function now(): number {
  return performance.now();
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than undefined, or until `timeoutMs` passes
 * (then undefined). `stop` ends the wait early, e.g. on Ctrl-C. An interval given as a function is asked
 * before each pause, so it can follow how busy the machine is.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs: number | (() => number); stop?: () => boolean },
): Promise<T | undefined> {
  const deadline = now() + options.timeoutMs;
  const interval = typeof options.intervalMs === 'number' ? () => options.intervalMs as number : options.intervalMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (now() >= deadline || options.stop?.()) return undefined;
    await sleep(Math.min(interval(), Math.max(0, deadline - now())));
  }
}
