// What an `up` command line asks of attached mode (pure): --attach and the options that only go with it.
import type { Invocation } from '../core/cli.ts';
import { ExitCode, ManageError } from '../core/errors.ts';
import { parseLogsRequest } from '../logs.ts';
import type { AttachOptions } from './attach.ts';

/** Options of `up` that mean something only in the foreground. */
const attachedOnly = ['exit-on-failure', 'exit-code-from', 'stop-all', 'grep', 'level', 'raw'] as const;

/** The attached session an `up` asks for, or undefined for a plain `up`; bad combinations are usage errors. */
export function parseAttachRequest(options: Invocation['options'], now: number): Omit<AttachOptions, 'onSignal'> | undefined {
  if (!options.attach) {
    const given = attachedOnly.filter((name) => options[name] !== undefined).map((name) => `--${name}`);
    if (given.length > 0) throw new ManageError(`${given.join(', ')} only ${given.length > 1 ? 'go' : 'goes'} with --attach`, ExitCode.usage, 'add --attach (-a), or drop them');
    return undefined;
  }
  if (options.quiet) {
    throw new ManageError('--attach shows the services\' output, which --quiet would hide', ExitCode.usage, 'drop --quiet, or run "up -q" and "logs -f" apart');
  }
  const target = options['exit-code-from'];
  if (target !== undefined && (typeof target !== 'string' || target === '')) throw new ManageError('--exit-code-from needs the name of a service', ExitCode.usage, 'for example: up --attach --exit-code-from e2e');
  // The same filters as logs -f, checked by the same parser.
  const request = parseLogsRequest({ grep: options.grep, level: options.level, raw: options.raw }, now);
  if (request.kind !== 'show') throw new Error('a logs request without --clean or --stats shows lines');
  return {
    up: { noWait: Boolean(options['no-wait'] ?? options['skip-health-check']), force: Boolean(options.force) },
    show: { filter: request.options.filter, raw: request.options.raw },
    exitOnFailure: Boolean(options['exit-on-failure']),
    exitCodeFrom: target,
    stopAll: Boolean(options['stop-all']),
  };
}
