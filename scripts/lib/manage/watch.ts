// `status --watch`: the status table redrawn in place every few seconds until Ctrl-C, like watch(1) but
// without its flicker: each frame overwrites the last line by line instead of clearing the screen first.
import type { Context } from './config.ts';
import { stripAnsi } from './logfiles/logfilter.ts';
import { enforceLogCaps } from './logfiles/logrotate.ts';
import { sleep } from './process/poll.ts';
import { collectStatus, formatStatusTable, memoryHistory, type StatusReport } from './status.ts';

export interface WatchOptions {
  intervalMs: number;
  json: boolean;
  /** Resolves on Ctrl-C. */
  until: Promise<void>;
}

/** Before the first frame: long enough for CPU figures over an interval, short enough not to be noticed. */
const firstSampleMs = 300;

export async function watchStatus(context: Context, words: string[], options: WatchOptions): Promise<void> {
  let stopped = false;
  void options.until.then(() => (stopped = true));
  const history = memoryHistory(firstSampleMs - 50);
  const details = options.json || context.ui.verbose;
  await collectStatus(context, words, { history, details: false });
  await Promise.race([sleep(firstSampleMs), options.until]);
  const terminal = context.ui.rich && !options.json;
  // Hide the cursor while redrawing; whatever ends the watch shows it again.
  if (terminal) process.stdout.write('\u001b[?25l\u001b[2J');
  try {
    for (let frame = 0; !stopped; frame++) {
      // The size caps are kept while anyone looks (there is no daemon to do it otherwise).
      await enforceLogCaps(context);
      const report = await collectStatus(context, words, { history, details });
      if (options.json) context.ui.result(JSON.stringify(report));
      else if (terminal) process.stdout.write(redraw(frameLines(context, report, options.intervalMs), process.stdout.columns));
      else context.ui.result([...(frame > 0 ? [''] : []), ...frameLines(context, report, options.intervalMs)].join('\n'));
      await Promise.race([sleep(options.intervalMs), options.until]);
    }
  } finally {
    if (terminal) process.stdout.write('\u001b[?25h');
  }
}

function frameLines(context: Context, report: StatusReport, intervalMs: number): string[] {
  const time = new Date(report.generatedAt).toTimeString().slice(0, 8);
  const heading = `manage.ts status, every ${intervalMs / 1000} s (Ctrl-C to quit)   ${time}`;
  return [context.ui.rich ? context.ui.color.dim(heading) : heading, '', ...formatStatusTable(report, context.ui).flatMap((line) => line.split('\n'))];
}

/**
 * Cursor home, each line followed by "erase to end of line", then "erase below": no blank frame in between.
 * A line wider than the terminal would wrap and push the frame down, so it is cut (losing its colours).
 */
export function redraw(lines: string[], columns = Number.POSITIVE_INFINITY): string {
  const fitted = lines.map((line) => {
    const plain = stripAnsi(line);
    return plain.length > columns ? plain.slice(0, columns) : line;
  });
  return `\u001b[H${fitted.map((line) => `${line}\u001b[K`).join('\n')}\n\u001b[J`;
}
