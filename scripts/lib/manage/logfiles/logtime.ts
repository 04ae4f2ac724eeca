// Times in logs (pure): the timestamp a line starts with, the header manage.ts writes per start, --since.
import { ManageError } from '../core/errors.ts';

/**
 * The line manage.ts writes to a log before each start. Its ISO time is what `logs --since` gives the
 * lines of that run that carry no timestamp of their own.
 */
export function startHeader(name: string, command: string, at: Date = new Date()): string {
  return `=== ${at.toISOString()} manage.ts up ${name}: ${command}`;
}

/** Whether a line is the header manage.ts wrote before a start of this service. */
export function isStartHeader(line: string, name: string): boolean {
  return /^=== \S+ manage\.ts up /.test(line) && line.includes(` up ${name}: `);
}

/** A line manage.ts wrote itself (a start header, a keeper's restart note, a size-cap note), not the service. */
export function isManageLine(line: string): boolean {
  return /^=== \S+ manage\.ts\b/.test(line);
}

// A leading ISO 8601 time: date, T or a space, hh:mm[:ss[.fraction]], an optional zone; optionally inside
// [ ]. Headers and notes of manage.ts itself start with "=== " before the time.
const leadingTime =
  /^(?:=== )?\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?\]?(?![\w:.])/;

// The Common Log Format of web servers (nginx, Apache, Python's http.server): client, identity and user, then
// the time in brackets, "[23/Nov/2026:10:45:37 +0000]", or with a space and no zone in http.server's own
// lines ("[23/Nov/2026 10:45:37]", local time).
const commonLogTime = /^\S+ \S+ \S+ \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4})[: ](\d{2}):(\d{2}):(\d{2})(?: ([+-]\d{4}))?\]/;
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Epoch ms of the timestamp a line starts with (ISO 8601), or of a web server's request line (Common Log
 * Format), or undefined. A time without a zone is local time.
 */
export function extractTimestamp(line: string): number | undefined {
  const match = leadingTime.exec(line);
  if (match) return timeOf(match);
  const request = commonLogTime.exec(line);
  if (!request) return undefined;
  const [, day, monthName, year, hour, minute, second, zone] = request;
  const month = monthNames.indexOf(monthName!) + 1;
  if (month === 0) return undefined;
  // In the order of leadingTime's groups: year, month, day, hour, minute, second, fraction, zone.
  return timeOf([line, year, String(month).padStart(2, '0'), day, hour, minute, second, undefined, zone]);
}

function timeOf(match: ArrayLike<string | undefined>): number | undefined {
  const [year, month, day, hour, minute, second] = Array.from(match).slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = Math.floor(Number(`0.${match[7] ?? '0'}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const zone = match[8];
  if (zone === undefined) {
    const local = new Date(year, month - 1, day, hour, minute, second, ms);
    return local.getDate() === day ? local.getTime() : undefined;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(utc).getUTCDate() !== day) return undefined;
  if (zone === 'Z') return utc;
  const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const offset = (Number(hours) * 60 + Number(minutes ?? 0)) * 60_000;
  return sign === '+' ? utc - offset : utc + offset;
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * --since as epoch ms: a duration back from `now` (30s, 10m, 2h, 1d) or an ISO timestamp (a date alone
 * means its midnight, local time). Anything else is a usage error that lists the accepted forms.
 */
export function parseSince(text: string, now: number): number {
  const duration = /^(\d+)([smhd])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * units[duration[2]!]!;
  const trimmed = text.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00` : trimmed;
  const match = leadingTime.exec(dateOnly);
  const time = match && match[0].length === dateOnly.length && !dateOnly.startsWith('=') ? timeOf(match) : undefined;
  if (time !== undefined) return time;
  throw new ManageError(
    `--since "${text}" is not a time`,
    1,
    'give a duration back from now (30s, 10m, 2h, 1d) or an ISO timestamp (2026-01-01, 2026-01-01T09:30:00Z, "2026-01-01 09:30")',
  );
}
