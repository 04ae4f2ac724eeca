// Log levels (pure): which level a line is written at, thresholds for --level, level words painted on a TTY.
import { isManageLine } from './logtime.ts';
import type { Colors } from '../terminal/ui.ts';

export type Level = 'error' | 'warn' | 'info' | 'debug';

export const levels: readonly Level[] = ['debug', 'info', 'warn', 'error'];

/** Where a level was found: the span of its word in the line, when there is one to paint. */
export interface FoundLevel {
  level: Level;
  start?: number;
  end?: number;
}

const wordLevels: Record<string, Level> = {
  ERROR: 'error',
  ERR: 'error',
  FATAL: 'error',
  CRITICAL: 'error',
  CRIT: 'error',
  PANIC: 'error',
  EMERG: 'error',
  ALERT: 'error',
  WARN: 'warn',
  WARNING: 'warn',
  INFO: 'info',
  NOTICE: 'info',
  DEBUG: 'debug',
  TRACE: 'debug',
};

// Only uppercase words count: "0 errors" or "no warnings" in a sentence says nothing about the line's level.
// \b treats "_" as a word character, so ERROR_CODE is not a level either.
const levelWord = /\b(ERROR|ERR|FATAL|CRITICAL|PANIC|WARNING|WARN|INFO|DEBUG|TRACE)\b/;
// A level field: logfmt (level=error, lvl=WARN) or JSON ("level":"warn", or pino's "level":50).
const levelField = /(?:^|[\s,{;"])(?:level|lvl|severity|loglevel)"?\s*[=:]\s*(?:"?([A-Za-z]+)\b|(\d+)\b)/i;
// Rust's panic message, Python's traceback header, and the last line of an uncaught exception in Python or
// JavaScript ("ValueError: ...", "TypeError: ...") carry no level word but are errors.
const tracebackHeader = /^Traceback \(most recent call last\)/;
const exceptionLine = /^(?:Uncaught )?(?:[A-Za-z_][\w.]*)?(?:Error|Exception)(?::|$)/;
const panic = /\bpanicked at\b/;

/** The first line of a Python traceback. */
export function isTracebackHeader(line: string): boolean {
  return tracebackHeader.test(line);
}

/** The line naming an uncaught exception ("ValueError: bad input"), which ends a Python traceback. */
export function isExceptionLine(line: string): boolean {
  return exceptionLine.test(line);
}

/** pino's numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
export function levelFromNumber(value: number): Level {
  if (value >= 50) return 'error';
  if (value >= 40) return 'warn';
  if (value >= 30) return 'info';
  return 'debug';
}

function levelFromName(name: string): Level | undefined {
  return wordLevels[name.toUpperCase()];
}

/**
 * The level a line is written at, or undefined. A level field wins (JSON "level", logfmt level=...), then
 * the first uppercase level word, then the shapes of a panic or an uncaught exception. The line should have
 * no colour codes (see stripAnsi). Lines manage.ts wrote have none: a start header quotes the command, which
 * may contain any word.
 */
export function findLevel(line: string): FoundLevel | undefined {
  if (isManageLine(line)) return undefined;
  const field = levelField.exec(line);
  // A number is a level only in JSON (pino); level=3 in other text may be syslog's scale, or anything.
  if (field?.[2] !== undefined && /^\s*\{/.test(line)) return { level: levelFromNumber(Number(field[2])) };
  const fieldLevel = field?.[1] === undefined ? undefined : levelFromName(field[1]);
  if (field && fieldLevel) return spanOf(field, field[1]!, fieldLevel);
  const word = levelWord.exec(line);
  if (word) return { level: wordLevels[word[1]!]!, start: word.index, end: word.index + word[1]!.length };
  if (panic.test(line) || isTracebackHeader(line) || isExceptionLine(line)) return { level: 'error' };
  return undefined;
}

/** The level of a line alone, without what earlier lines say (see LineClassifier for continuations). */
export function detectLevel(line: string): Level | undefined {
  return findLevel(line)?.level;
}

function spanOf(match: RegExpExecArray, value: string, level: Level): FoundLevel {
  const start = match.index + match[0].lastIndexOf(value);
  return { level, start, end: start + value.length };
}

/** True when `level` is at or above `threshold`: warn passes a threshold of info, not one of error. */
export function meetsThreshold(level: Level | undefined, threshold: Level): boolean {
  return level !== undefined && levels.indexOf(level) >= levels.indexOf(threshold);
}

/** --level's value; undefined when it names no level. */
export function parseLevel(text: string): Level | undefined {
  return levels.find((level) => level === text.toLowerCase());
}

const paints: Record<Level, keyof Colors> = { error: 'red', warn: 'yellow', info: 'blue', debug: 'dim' };

/**
 * The line with its level word coloured (ERROR red, WARN yellow, INFO blue, DEBUG dim). A line that carries
 * colour codes of its own is left as written: painting inside them would mix the two.
 */
export function paintLevel(line: string, color: Colors): string {
  if (line.includes('\u001b')) return line;
  const found = findLevel(line);
  if (!found || found.start === undefined || found.end === undefined) return line;
  const paint = color[paints[found.level]] as (text: string) => string;
  return line.slice(0, found.start) + paint(line.slice(found.start, found.end)) + line.slice(found.end);
}
