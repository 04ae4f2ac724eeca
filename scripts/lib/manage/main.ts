// The engine's entry: parses argv against the command registry and owns the one catch that maps errors to
// exit codes (0 ok, 1 usage or configuration, 2 a service operation failed, 130 interrupted).
import './launch/launched.ts';
import { parseCommandLine } from './core/cli.ts';
import { commands, createUiFor, dispatch } from './commands.ts';
import { ExitCode, ManageError } from './core/errors.ts';
import { caughtUp, createUi } from './terminal/ui.ts';

async function main(argv: string[]): Promise<number> {
  let ui = createUi();
  try {
    const invocation = parseCommandLine(argv, commands);
    ui = createUiFor(invocation);
    return await dispatch(invocation, ui);
  } catch (error) {
    if (error instanceof ManageError) {
      ui.error(`error: ${error.message}`);
      if (error.hint) ui.error(error.hint);
      return error.exitCode;
    }
    ui.error(`unexpected error (a bug in manage.ts, please report it):\n${(error as Error).stack ?? String(error)}`);
    return ExitCode.failed;
  }
}

// A reader that goes away (manage.ts up | head -1) must not cut a command short: services half-started
// would lose their PID files. Output stops; the command finishes; `logs -f` ends on its own (see logs).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

/**
 * Exit explicitly once output is written: keep-alive sockets of HTTP readiness checks must not hold the
 * manager for seconds. No top-level await, so the bundle can be CommonJS (see bundle.cjs).
 */
async function runAndExit(): Promise<never> {
  const code = await main(process.argv.slice(2));
  await caughtUp(process.stdout, 1);
  process.exit(code);
}

void runAndExit();
