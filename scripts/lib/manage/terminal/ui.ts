// Terminal output: colours and symbols only on a TTY without NO_COLOR, quiet and verbose levels.
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Ui {
  readonly color: Colors;
  /** Colours and symbols are on. */
  readonly rich: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** Normal progress lines, silenced by --quiet. */
  info(line: string): void;
  /** Only with --verbose. */
  detail(line: string): void;
  /** Always shown, on stdout: results the user asked for (status tables, log lines, JSON). */
  result(line: string): void;
  /** Always shown, on stderr. */
  warn(line: string): void;
  error(line: string): void;
  /** A transient status line redrawn in place on a TTY (nothing in a pipe); undefined clears it. */
  progress(line: string | undefined): void;
  /** A result mark: a coloured symbol on a TTY (✓ ✗ - ·), a word in a pipe (ok FAILED skipped note). */
  mark(kind: 'ok' | 'fail' | 'skip' | 'note'): string;
  /**
   * Resolves true once stdout has taken all but a small backlog of what was written, false when its reader
   * has gone. Writes to a pipe are queued in memory: a long output waits on this so the queue stays small.
   */
  caughtUp(): Promise<boolean>;
}

export interface UiOptions {
  quiet?: boolean;
  verbose?: boolean;
  noColor?: boolean;
  isTty?: boolean;
  env?: NodeJS.ProcessEnv;
  write?: (line: string) => void;
  writeError?: (line: string) => void;
}

export function createUi(options: UiOptions = {}): Ui {
  const env = options.env ?? process.env;
  const isTty = options.isTty ?? Boolean(process.stdout.isTTY);
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const rich = isTty && !options.noColor && !noColorEnv;
  const color = pc.createColors(rich);
  const raw = (text: string): void => void (process.stdout.destroyed || process.stdout.write(text));
  // Every line written clears the transient progress line first and redraws it after, so they never mix.
  let transient: string | undefined;
  const around = (print: (line: string) => void) => (line: string): void => {
    if (transient !== undefined) raw('\r\u001b[2K');
    print(line);
    if (transient !== undefined) raw(transient);
  };
  const write = around(options.write ?? ((line: string) => raw(line + '\n')));
  const writeError = around(options.writeError ?? ((line: string) => process.stderr.write(line + '\n')));
  const marks = {
    ok: rich ? color.green('✓') : 'ok',
    fail: rich ? color.red('✗') : 'FAILED',
    skip: rich ? color.yellow('-') : 'skipped',
    note: rich ? color.dim('·') : 'note',
  };
  return {
    color,
    rich,
    verbose: Boolean(options.verbose),
    quiet: Boolean(options.quiet),
    info: (line) => {
      if (!options.quiet) write(line);
    },
    detail: (line) => {
      if (options.verbose && !options.quiet) write(line);
    },
    result: write,
    warn: (line) => writeError(rich ? color.yellow(line) : line),
    error: (line) => writeError(rich ? color.red(line) : line),
    mark: (kind) => marks[kind],
    caughtUp: () => (options.write ? Promise.resolve(true) : caughtUp(process.stdout, backlogBytes)),
    progress: (line) => {
      if (!rich || options.quiet) return;
      if (transient !== undefined) raw('\r\u001b[2K');
      transient = line === undefined ? undefined : color.dim(line.slice(0, (process.stdout.columns || 100) - 1));
      if (transient !== undefined) raw(transient);
    },
  };
}

/** "850 ms", "3.2 s", "4m 05s", "2h 10m", "3d 4h": durations as people read them. */
export function formatDuration(ms: number): string {
  // Bounds sit where rounding would carry into the next unit ("1000 ms", "60.0 s").
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const [days, hours, minutes, rest] = [Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m ${String(rest).padStart(2, '0')}s`;
}

/** What stdout may hold unwritten before a long output waits for its reader. */
const backlogBytes = 1 << 20;

/**
 * Resolves true once `out` holds less than `backlog` bytes unwritten (1: all written), false when its reader
 * has gone (the stream was destroyed or failed, as on EPIPE).
 */
export function caughtUp(out: NodeJS.WriteStream, backlog: number): Promise<boolean> {
  const gone = (): boolean => out.destroyed || out.errored !== null;
  if (gone()) return Promise.resolve(false);
  if (out.writableLength < backlog) return Promise.resolve(true);
  return new Promise((resolve) => {
    const events = ['drain', 'close', 'error'] as const;
    const settle = (): void => {
      events.forEach((event) => out.off(event, settle));
      resolve(!gone());
    };
    events.forEach((event) => out.once(event, settle));
  });
}
