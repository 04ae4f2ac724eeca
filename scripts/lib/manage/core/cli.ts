// The command-line grammar (pure): global options, argv parsing against a command registry, generated help.
import { parseArgs } from 'node:util';
import { ManageError } from './errors.ts';
import { didYouMean } from './suggest.ts';

export interface OptionSpec {
  name: string;
  short?: string;
  type: 'boolean' | 'string';
  /** For string options: how the value is shown in help, e.g. N or FILE. */
  value?: string;
  help: string;
}

/** What a handler receives: positional words and option values, already validated against the spec. */
export interface Invocation {
  command: string;
  words: string[];
  options: Record<string, string | boolean | undefined>;
}

export interface CommandSpec {
  name: string;
  aliases: string[];
  /** Positional arguments as shown in help, e.g. "[service|group ...]". */
  args: string;
  summary: string;
  options: OptionSpec[];
  /** Lines of prose shown after the options ('' between paragraphs), for what option help strings cannot say. */
  notes?: string[];
  examples: string[];
}

export const globalOptions: OptionSpec[] = [
  { name: 'verbose', short: 'v', type: 'boolean', help: 'more detail (commands run, paths, process counts)' },
  { name: 'quiet', short: 'q', type: 'boolean', help: 'only errors and the output asked for' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show help for the command' },
  { name: 'no-color', type: 'boolean', help: 'no colours or symbols (also: NO_COLOR=1, or any pipe)' },
  { name: 'services', type: 'string', value: 'FILE', help: 'services file to use (default lib/startup.ts beside manage.ts; env MANAGE_SERVICES_FILE)' },
  { name: 'state-dir', type: 'string', value: 'DIR', help: 'where logs/ and .pids/ live (default the repository root; env MANAGE_STATE_DIR)' },
];

const usageLine = 'usage: manage.ts <command> [options] [service|group ...]';

function commandUsage(command: CommandSpec): string {
  return `usage: manage.ts ${command.name} [options]${command.args ? ` ${command.args}` : ''}`;
}

/** Finds the command word: the first argument that is not an option or an option's value. */
function splitCommand(argv: string[]): { word: string | undefined; rest: string[] } {
  const takesValue = new Set(globalOptions.filter((option) => option.type === 'string').map((option) => `--${option.name}`));
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') break;
    if (takesValue.has(argument)) {
      index++;
      continue;
    }
    if (!argument.startsWith('-')) return { word: argument, rest: [...argv.slice(0, index), ...argv.slice(index + 1)] };
  }
  return { word: undefined, rest: argv };
}

/** Parses argv against the registry; throws a usage ManageError (exit 1) for unknown commands and options. */
export function parseCommandLine(argv: string[], commands: CommandSpec[]): Invocation {
  const { word, rest } = splitCommand(argv);
  const spec = word === undefined ? undefined : findCommand(commands, word);
  if (word !== undefined && !spec) {
    throw new ManageError(`unknown command "${word}"${didYouMean(word, commandWords(commands))}`, 1, `${usageLine}\ncommands: ${commands.map((command) => command.name).join(', ')}; run "manage.ts help" for details`);
  }
  const specs = [...globalOptions, ...(spec?.options ?? [])];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(specs.map((option) => [option.name, option.short ? { type: option.type, short: option.short } : { type: option.type }])),
    });
  } catch (error) {
    const where = spec ? ` for "${spec.name}"` : '';
    const { message, suggestion } = describeParseError(error as Error & { code?: string }, specs);
    const usage = spec ? commandUsage(spec) : usageLine;
    throw new ManageError(`${message}${where}${suggestion}`, 1, `${usage}\nrun "manage.ts help${spec ? ` ${spec.name}` : ''}" for the options`);
  }
  if (!spec) {
    if (parsed.positionals.length > 0) throw new ManageError(`unexpected argument "${parsed.positionals[0]}"`, 1, 'run "manage.ts help"');
    return { command: 'help', words: [], options: parsed.values as Invocation['options'] };
  }
  return { command: spec.name, words: parsed.positionals, options: parsed.values as Invocation['options'] };
}

/** node:util's parse errors, said plainly, with the closest option to an unknown long one. */
function describeParseError(error: Error & { code?: string }, specs: OptionSpec[]): { message: string; suggestion: string } {
  const option = /'(-[^' ,]+(?:, --[^' ]+)?)/.exec(error.message)?.[1] ?? 'an option';
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return { message: `option ${option.split(', ').pop()} needs a value`, suggestion: '' };
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const names = specs.map((spec) => spec.name);
    const suggestion = option.startsWith('--') ? didYouMean(option.slice(2).split('=')[0]!, names, (name) => `'--${name}'`) : '';
    return { message: `unknown option '${option}'`, suggestion };
  }
  return { message: error.message, suggestion: '' };
}

/** Every word that names a command: names and aliases. */
export function commandWords(commands: CommandSpec[]): string[] {
  return commands.flatMap((command) => [command.name, ...command.aliases]);
}

export function findCommand<T extends CommandSpec>(commands: T[], word: string): T | undefined {
  return commands.find((command) => command.name === word || command.aliases.includes(word));
}

function optionLines(options: OptionSpec[]): string[] {
  const left = options.map((option) => `${option.short ? `-${option.short}, ` : '    '}--${option.name}${option.value ? ` ${option.value}` : ''}`);
  const width = Math.max(...left.map((text) => text.length));
  return options.map((option, index) => `  ${left[index]!.padEnd(width)}  ${option.help}`);
}

/** `manage.ts help`: every command with its summary, generated from the registry. */
export function formatHelp(commands: CommandSpec[]): string {
  const names = commands.map((command) => [command.name, ...command.aliases].join(', '));
  const width = Math.max(...names.map((name) => name.length));
  return [
    usageLine,
    '',
    'Runs the services declared in lib/startup.ts beside manage.ts: start, stop, inspect, read logs.',
    '',
    'commands:',
    ...commands.map((command, index) => `  ${names[index]!.padEnd(width)}  ${command.summary}`),
    '',
    'global options:',
    ...optionLines(globalOptions),
    '',
    'exit codes: 0 ok, 1 usage or configuration error, 2 a service operation failed, 3 status --check or health: not all running and ready, 130 interrupted.',
    'Run "manage.ts help <command>" for a command\'s options and examples.',
  ].join('\n');
}

/** `manage.ts help <command>`. */
export function formatCommandHelp(command: CommandSpec): string {
  const lines = [commandUsage(command), '', command.summary];
  if (command.aliases.length > 0) lines.push(`alias: ${command.aliases.join(', ')}`);
  if (command.options.length > 0) lines.push('', 'options:', ...optionLines(command.options));
  if (command.notes) lines.push('', ...command.notes.map((note) => (note === '' ? '' : `  ${note}`)));
  lines.push('', 'global options:', ...optionLines(globalOptions));
  if (command.examples.length > 0) lines.push('', 'examples:', ...command.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}
