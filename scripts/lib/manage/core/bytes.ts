// Sizes in bytes (pure): "50MB" and "1GiB" in the services file, "1.20 MiB" in output.

// As GNU coreutils reads them: KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB and the single
// letters K, M, G, T are powers of 1024.
const multipliers: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gib: 2 ** 30,
  t: 2 ** 40,
  tib: 2 ** 40,
};

/** A size as a whole number of bytes (at least 1), or undefined when it is not one. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const multiplier = match ? multipliers[(match[2] || 'b').toLowerCase()] : undefined;
  if (!match || multiplier === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * multiplier);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** "812 KiB", "48.3 MiB", "1.20 GiB": sizes as people read them, in powers of 1024 and labelled so. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
