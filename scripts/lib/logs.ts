// `logs`: the last lines of each selected log, and following them as they grow, rotate or appear.
import { closeSync, existsSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { logPath, type Context } from './config.ts';
import { selectServices } from './graph.ts';
import { readLastLines } from './logfile.ts';
import { pollUntil } from './poll.ts';
import type { Colors } from './ui.ts';

export interface LogsOptions {
  lines: number;
  follow: boolean;
  /** Resolves when following should end (Ctrl-C). */
  until?: Promise<void>;
}

const serviceColors: Array<keyof Colors> = ['cyan', 'magenta', 'blue', 'green', 'yellow', 'red'];

/** A stable colour per service name, so a service keeps its colour between runs. */
export function colorFor(name: string): keyof Colors {
  let hash = 0;
  for (const character of name) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return serviceColors[hash % serviceColors.length]!;
}

/** "name | line", the name padded to the width of the longest selected name. */
export function prefixLine(name: string, width: number, line: string, color?: Colors): string {
  const label = name.padEnd(width);
  const painted = color ? (color[colorFor(name)] as (text: string) => string)(label) : label;
  return `${painted} | ${line}`;
}

export async function logs(context: Context, words: string[], options: LogsOptions): Promise<void> {
  const names = selectServices(context.services, words);
  const width = Math.max(...names.map((name) => name.length));
  const color = context.ui.rich ? context.ui.color : undefined;
  const print = (name: string, line: string): void => context.ui.result(prefixLine(name, width, line, color));

  // Offsets are taken before the tails are printed, so following starts exactly where the tail ended.
  const followers = names.map((name) => new LogFollower(name, logPath(context, name), (line) => print(name, line)));
  for (const follower of followers) {
    if (!existsSync(follower.path)) {
      context.ui.warn(`${follower.name}: no log yet (${follower.path})`);
      continue;
    }
    for (const line of readLastLines(follower.path, options.lines, { to: follower.startOffset })) print(follower.name, line);
  }
  if (!options.follow) return;

  const pump = (): void => followers.forEach((follower) => follower.pump());
  let watcher: FSWatcher | undefined;
  try {
    // inotify on the directory sees writes, truncations, renames and new files at once.
    watcher = watch(context.logDir, { persistent: false }, pump);
  } catch {
    watcher = undefined;
  }
  let stopped = false;
  void options.until?.then(() => (stopped = true));
  // The poll is the fallback for file systems where watching misses events (NFS, some containers).
  await pollUntil(() => (pump(), stopped ? true : undefined), { timeoutMs: Number.POSITIVE_INFINITY, intervalMs: 250 });
  watcher?.close();
}

/**
 * Follows one log file by path: appended lines are emitted whole; a truncated file (size below the read
 * offset) is read again from the start, a replaced one (new inode) too, and a missing one is picked up
 * when it appears.
 */
export class LogFollower {
  private offset: number;
  private inode: number | undefined;
  private partial = '';
  /** Where following began: the initial tail ends here, so no line is lost or printed twice. */
  readonly startOffset: number;

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly emit: (line: string) => void,
  ) {
    const stat = this.stat();
    this.offset = stat?.size ?? 0;
    this.startOffset = this.offset;
    this.inode = stat?.ino;
  }

  pump(): void {
    const stat = this.stat();
    if (!stat) return;
    if (stat.ino !== this.inode || stat.size < this.offset) {
      this.inode = stat.ino;
      this.offset = 0;
      this.partial = '';
    }
    if (stat.size === this.offset) return;
    const fd = openSync(this.path, 'r');
    try {
      const buffer = Buffer.alloc(stat.size - this.offset);
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const lines = (this.partial + buffer.subarray(0, read).toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      lines.forEach((line) => this.emit(line));
    } finally {
      closeSync(fd);
    }
  }

  private stat(): { size: number; ino: number } | undefined {
    try {
      return statSync(this.path);
    } catch {
      return undefined;
    }
  }
}
