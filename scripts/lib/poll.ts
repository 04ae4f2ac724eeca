// Waiting by polling with a deadline: the one place that sleeps.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Monotonic milliseconds, immune to wall-clock changes. */
export function now(): number {
  return performance.now();
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than undefined, or until `timeoutMs` passes
 * (then undefined). `stop` ends the wait early, e.g. on Ctrl-C.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs: number; stop?: () => boolean },
): Promise<T | undefined> {
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (now() >= deadline || options.stop?.()) return undefined;
    await sleep(Math.min(options.intervalMs, Math.max(0, deadline - now())));
  }
}
