// Filtering log lines (pure): colour codes out, each line's level and time, --grep, --level and --since.
import { findLevel, isExceptionLine, isTracebackHeader, meetsThreshold, type Level } from './loglevel.ts';
import { extractTimestamp } from './logtime.ts';

// CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and the two-byte escapes.
const ansi = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The text without terminal escape sequences: what the line says, as a pipe should get it. */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ansi, '') : text;
}

/** What is known about one line: its level and time, its own or inherited from the lines before it. */
export interface LineFacts {
  level: Level | undefined;
  /** Epoch ms; undefined until some line (or the start header) has carried a time. */
  time: number | undefined;
}

/** A line that continues the one before it: indented, blank, or "Caused by:", as in stack traces. */
export function isContinuation(text: string): boolean {
  return text === '' || /^\s/.test(text) || text.startsWith('Caused by:');
}

/**
 * isContinuation that remembers the lines before: the exception line that ends a Python traceback
 * ("ValueError: bad input", after the indented frames) continues it too, so a traceback is one error.
 */
export function continuationTracker(): (text: string) => boolean {
  let inTraceback = false;
  return (text) => {
    if (isContinuation(text)) return true;
    const endsTraceback = inTraceback && isExceptionLine(text);
    inTraceback = !endsTraceback && isTracebackHeader(text);
    return endsTraceback;
  };
}

/**
 * Follows one log from line to line. A continuation line takes the level of the line it continues; a line
 * without a timestamp takes the time of the last line that had one: at the latest, the header manage.ts
 * wrote at the start of its run.
 */
export class LineClassifier {
  private level: Level | undefined;
  private time: number | undefined;
  private readonly continues = continuationTracker();

  classify(text: string): LineFacts {
    this.level = this.continues(text) ? this.level : findLevel(text)?.level;
    this.time = extractTimestamp(text) ?? this.time;
    return { level: this.level, time: this.time };
  }
}

/** --grep, --level and --since, already parsed. */
export interface LineFilter {
  grep?: RegExp;
  level?: Level;
  /** Epoch ms: only lines at or after it. */
  since?: number;
}

export function isFiltering(filter: LineFilter): boolean {
  return filter.grep !== undefined || filter.level !== undefined || filter.since !== undefined;
}

/**
 * Whether a line passes. `text` is the line without colour codes. A line whose time is unknown fails
 * --since, and one without a level fails --level: neither can be shown to match.
 */
export function passes(text: string, facts: LineFacts, filter: LineFilter): boolean {
  if (filter.level !== undefined && !meetsThreshold(facts.level, filter.level)) return false;
  if (filter.since !== undefined && (facts.time === undefined || facts.time < filter.since)) return false;
  return filter.grep === undefined || filter.grep.test(text);
}

/**
 * Whether each line of one log passes the filter, asked in order: a continuation line takes the level of the
 * line before it, so the predicate keeps that state (one per log).
 */
export function logLineFilter(filter: LineFilter, classifier = new LineClassifier()): (line: string) => boolean {
  return (line) => {
    const text = stripAnsi(line);
    return passes(text, classifier.classify(text), filter);
  };
}

/** The lines of one log that pass the filter, in order. */
export function filterLines(lines: string[], filter: LineFilter): string[] {
  return lines.filter(logLineFilter(filter));
}
