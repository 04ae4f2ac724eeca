// `logs --stats`: per service, how big its log is, what is in it, when it was last written, what is kept.
import { statSync } from 'node:fs';
import type { Context } from './config.ts';
import { logPath, selectLogs } from './logfiles/selection.ts';
import { forEachLine, listRotations } from './logfiles/logfile.ts';
import { continuationTracker, stripAnsi } from './logfiles/logfilter.ts';
import { detectLevel } from './logfiles/loglevel.ts';
import { formatBytes } from './core/bytes.ts';
import { alignColumns, formatUptime } from './status.ts';
import type { Ui } from './terminal/ui.ts';

/** One service's log as `logs --stats --json` prints it. Counts are of the live log, not its rotations. */
export interface LogStats {
  name: string;
  logFile: string;
  exists: boolean;
  bytes: number;
  lines: number;
  /** Lines written at ERROR (or FATAL, a panic...) level; continuation lines of a stack trace not counted. */
  errors: number;
  warnings: number;
  lastWriteAt: string | null;
  lastWriteAgeSeconds: number | null;
  rotations: { count: number; bytes: number };
}

export interface LogStatsReport {
  schemaVersion: 1;
  generatedAt: string;
  services: LogStats[];
}

export function collectLogStats(context: Context, words: string[], clock: () => number = Date.now): LogStatsReport {
  const services = selectLogs(context, words).map((name) => statsOf(name, logPath(context, name), clock()));
  return { schemaVersion: 1, generatedAt: new Date(clock()).toISOString(), services };
}

function statsOf(name: string, path: string, now: number): LogStats {
  const stat = statSync(path, { throwIfNoEntry: false });
  let lines = 0;
  let errors = 0;
  let warnings = 0;
  const continues = continuationTracker();
  forEachLine(path, (line) => {
    lines++;
    const text = stripAnsi(line);
    if (continues(text)) return;
    const level = detectLevel(text);
    if (level === 'error') errors++;
    else if (level === 'warn') warnings++;
  });
  const rotations = listRotations(path).map((rotation) => statSync(rotation.path, { throwIfNoEntry: false })?.size ?? 0);
  return {
    name,
    logFile: path,
    exists: stat !== undefined,
    bytes: stat?.size ?? 0,
    lines,
    errors,
    warnings,
    lastWriteAt: stat ? stat.mtime.toISOString() : null,
    lastWriteAgeSeconds: stat ? Math.max(0, Math.round((now - stat.mtimeMs) / 1000)) : null,
    rotations: { count: rotations.length, bytes: rotations.reduce((sum, bytes) => sum + bytes, 0) },
  };
}


/** The stats table, aligned like status: counts coloured only on a TTY. */
export function formatLogStatsTable(report: LogStatsReport, ui: Pick<Ui, 'color' | 'rich'>): string[] {
  const { color, rich } = ui;
  const count = (value: number, paint: (text: string) => string): string => (rich && value > 0 ? paint(String(value)) : String(value));
  const rows = report.services.map((service) =>
    service.exists
      ? [
          service.name,
          formatBytes(service.bytes),
          String(service.lines),
          count(service.errors, color.red),
          count(service.warnings, color.yellow),
          `${formatUptime(service.lastWriteAgeSeconds ?? 0)} ago`,
          rotationText(service.rotations),
        ]
      : [service.name, '-', '-', '-', '-', 'no log yet', rotationText(service.rotations)],
  );
  const lines = alignColumns([['SERVICE', 'SIZE', 'LINES', 'ERRORS', 'WARNINGS', 'LAST WRITE', 'ROTATIONS'], ...rows]);
  if (rich) lines[0] = color.bold(lines[0]!);
  const live = report.services.reduce((sum, service) => sum + service.bytes, 0);
  const kept = report.services.reduce((sum, service) => sum + service.rotations.bytes, 0);
  const rotations = report.services.reduce((sum, service) => sum + service.rotations.count, 0);
  lines.push(`${formatBytes(live)} in ${report.services.filter((service) => service.exists).length} log(s), ${formatBytes(kept)} in ${rotations} rotation(s)`);
  return lines;
}

function rotationText(rotations: LogStats['rotations']): string {
  return rotations.count === 0 ? '0' : `${rotations.count} (${formatBytes(rotations.bytes)})`;
}
