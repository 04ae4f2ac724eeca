#!/bin/sh
":" //; case $0 in /*) self=$0 ;; *) self=$PWD/${0#./} ;; esac; root=${self%/scripts/*}; case $self in */../*) self= ;; esac; if [ -z "$self" ] || [ -L "$self" ] || [ -L "$root/scripts" ] || [ ! -f "$root/scripts/lib/launch.sh" ]; then self=$(readlink -f "$0"); root=${self%/scripts/*}; fi; exec /bin/sh "$root/scripts/lib/launch.sh" "$root" "$@"
// manage.ts: the entry point. Parses argv against the command registry and owns the one catch that maps
// errors to exit codes (0 ok, 1 usage or configuration, 2 a service operation failed, 130 interrupted).
// The line above is also sh: it finds the repository from this file's path and hands over to launch.sh. It
// calls readlink (a fork, 2 ms on every command) only where the path alone does not lead there: a symlink to
// this file or to scripts/, or a path through "..", which Node shortens as text.
import './lib/launched.ts';
import { parseCommandLine } from './lib/cli.ts';
import { commands, createUiFor, dispatch } from './lib/commands.ts';
import { ExitCode, ManageError } from './lib/errors.ts';
import { caughtUp, createUi } from './lib/ui.ts';

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
