// `logs`: the last lines of each selected log, and following them as they grow, rotate or appear.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { logPath, type Context } from './config.ts';
import { selectServices } from './graph.ts';
import { LogFollower, readLastLines } from './logfile.ts';
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
