// The command-line grammar against the real command registry (scripts/lib/manage/core/cli.ts, scripts/lib/manage/commands.ts).
import { describe, expect, it } from 'vitest';
import { formatCommandHelp, formatHelp, globalOptions, parseCommandLine, type Invocation } from '../../scripts/lib/manage/core/cli.ts';
import { commands } from '../../scripts/lib/manage/commands.ts';
import { ManageError } from '../../scripts/lib/manage/core/errors.ts';
import { thrown } from '../helpers/thrown.ts';


/** How an option appears in help: "--lines" and "-n" for { name: 'lines', short: 'n' }. */
function optionFlags(option: { name: string; short?: string }): string[] {
  return option.short ? [`--${option.name}`, `-${option.short}`] : [`--${option.name}`];
}

describe('parseCommandLine', () => {
  it.each<[string[], Invocation]>([
    [['up'], { command: 'up', words: [], options: {} }],
    [['start', 'api'], { command: 'up', words: ['api'], options: {} }],
    [['up', 'relays', '--no-wait'], { command: 'up', words: ['relays'], options: { 'no-wait': true } }],
    [['up', '--force', 'a', 'b'], { command: 'up', words: ['a', 'b'], options: { force: true } }],
    [['stop'], { command: 'down', words: [], options: {} }],
    [['down', '--force'], { command: 'down', words: [], options: { force: true } }],
    [['restart', 'execution'], { command: 'restart', words: ['execution'], options: {} }],
    [['-v', 'status', '--json'], { command: 'status', words: [], options: { verbose: true, json: true } }],
    [['ps', '-q'], { command: 'status', words: [], options: { quiet: true } }],
    [['status', '--no-color', 'api'], { command: 'status', words: ['api'], options: { 'no-color': true } }],
    [['--state-dir', '/tmp/x', 'down', 'a', 'b'], { command: 'down', words: ['a', 'b'], options: { 'state-dir': '/tmp/x' } }],
    [['--services', 'my.ts', '--state-dir', 'up', 'status'], { command: 'status', words: [], options: { services: 'my.ts', 'state-dir': 'up' } }],
    [['--state-dir=/tmp/x', 'down'], { command: 'down', words: [], options: { 'state-dir': '/tmp/x' } }],
    [['logs', '-n', '5', '-f', 'api'], { command: 'logs', words: ['api'], options: { lines: '5', follow: true } }],
    [['log', '--lines', '200', 'signal', '--follow'], { command: 'logs', words: ['signal'], options: { lines: '200', follow: true } }],
    [['help'], { command: 'help', words: [], options: {} }],
    [['help', 'up'], { command: 'help', words: ['up'], options: {} }],
    [['up', '--help'], { command: 'up', words: [], options: { help: true } }],
    [['-h'], { command: 'help', words: [], options: { help: true } }],
    [[], { command: 'help', words: [], options: {} }],
  ])('parses %j', (argv, expected) => {
    expect(parseCommandLine(argv, commands)).toEqual(expected);
  });

  it('throws a usage error for an unknown command, with the usage line and the commands', () => {
    const error = thrown(() => parseCommandLine(['frobnicate', 'api'], commands));
    expect(error).toBeInstanceOf(ManageError);
    expect(error).toMatchObject({ message: 'unknown command "frobnicate"', exitCode: 1 });
    expect((error as ManageError).hint).toBe(
      'usage: manage.ts <command> [options] [service|group ...]\ncommands: up, down, restart, status, health, logs, init, upgrade, validate, import, help; run "manage.ts help" for details',
    );
  });

  it.each([
    [['strat'], 'unknown command "strat"; did you mean "start"?'],
    [['stauts', 'api'], 'unknown command "stauts"; did you mean "status"?'],
    [['lgos'], 'unknown command "lgos"; did you mean "logs"?'],
    [['status', '--jsn'], 'unknown option \'--jsn\' for "status"; did you mean \'--json\'?'],
    [['up', '--no-wiat'], 'unknown option \'--no-wiat\' for "up"; did you mean \'--no-wait\'?'],
    [['--verbos', 'up'], 'unknown option \'--verbos\' for "up"; did you mean \'--verbose\'?'],
  ])('suggests the closest command or option for %j', (argv, message) => {
    expect(thrown(() => parseCommandLine(argv, commands))).toMatchObject({ message, exitCode: 1 });
  });

  it.each([
    [['up', '--bogus'], "unknown option '--bogus' for \"up\"", 'usage: manage.ts up [options] [service|group ...]\nrun "manage.ts help up" for the options'],
    [['status', '-f'], "unknown option '-f' for \"status\"", 'usage: manage.ts status [options] [service|group ...]\nrun "manage.ts help status" for the options'],
    [['--json', 'down'], "unknown option '--json' for \"down\"", 'usage: manage.ts down [options] [service|group ...]\nrun "manage.ts help down" for the options'],
    [['--bogus'], "unknown option '--bogus'", 'usage: manage.ts <command> [options] [service|group ...]\nrun "manage.ts help" for the options'],
    [['logs', '-n'], 'option --lines needs a value for "logs"', 'usage: manage.ts logs [options] [service|group ...]\nrun "manage.ts help logs" for the options'],
    [['status', '--services'], 'option --services needs a value for "status"', 'usage: manage.ts status [options] [service|group ...]\nrun "manage.ts help status" for the options'],
  ])('throws a usage error for the unknown option in %j', (argv, message, hint) => {
    const error = thrown(() => parseCommandLine(argv, commands));
    expect(error).toBeInstanceOf(ManageError);
    expect(error).toMatchObject({ message, exitCode: 1, hint });
    expect((error as ManageError).hint).toContain('usage:');
  });

  it('throws a usage error for a string option without its value', () => {
    const error = thrown(() => parseCommandLine(['logs', '-n'], commands));
    expect(error).toBeInstanceOf(ManageError);
    expect(error).toMatchObject({ exitCode: 1 });
    expect((error as ManageError).hint).toContain('usage: manage.ts logs [options] [service|group ...]');
  });
});

describe('formatHelp', () => {
  const help = formatHelp(commands);

  it('starts with the usage line', () => {
    expect(help.split('\n')[0]).toBe('usage: manage.ts <command> [options] [service|group ...]');
  });

  it.each(commands.map((command) => [command.name, command]))('lists %s with its aliases and summary on one line', (_, command) => {
    const line = help.split('\n').find((text) => text.trimStart().startsWith(`${[command.name, ...command.aliases].join(', ')} `));
    expect(line, `a line for ${command.name}`).toBeDefined();
    expect(line).toContain(command.summary);
  });

  it('names every alias', () => {
    const aliases = commands.flatMap((command) => command.aliases);
    expect(aliases).toEqual(['start', 'stop', 'ps', 'log']);
    for (const alias of aliases) expect(help).toMatch(new RegExp(`[ ,]${alias}[ ,]`));
  });

  it.each(globalOptions.map((option) => [option.name, option]))('lists the global option --%s with its help', (_, option) => {
    for (const flag of optionFlags(option)) expect(help).toContain(flag);
    expect(help).toContain(option.help);
  });

  it('states the exit codes', () => {
    expect(help).toContain('exit codes: 0 ok, 1 usage or configuration error, 2 a service operation failed, 3 status --check or health: not all running and ready, 130 interrupted.');
  });
});

describe('formatCommandHelp', () => {
  it.each(commands.map((command) => [command.name, command]))('shows the usage, options and examples of %s', (_, command) => {
    const help = formatCommandHelp(command);
    expect(help.split('\n')[0]).toBe(`usage: manage.ts ${command.name} [options]${command.args ? ` ${command.args}` : ''}`);
    expect(help).toContain(command.summary);
    for (const option of [...command.options, ...globalOptions]) {
      for (const flag of optionFlags(option)) expect(help).toContain(flag);
      expect(help).toContain(option.help);
    }
    for (const example of command.examples) expect(help).toContain(`  ${example}`);
    if (command.aliases.length > 0) expect(help).toContain(`alias: ${command.aliases.join(', ')}`);
    else expect(help).not.toContain('alias:');
  });

  it('aligns the options of logs', () => {
    const help = formatCommandHelp(commands.find((command) => command.name === 'logs')!);
    expect(help).toContain(
      [
        'options:',
        '  -n, --lines N       lines per service that pass the filters (default 50; no limit with --since)',
        '  -f, --follow        keep printing new lines until Ctrl-C, across restarts and rotations',
        '      --grep PATTERN  only lines matching this JavaScript regular expression',
      ].join('\n'),
    );
  });

  it('shows the notes of a command after its options, paragraphs apart', () => {
    const help = formatCommandHelp(commands.find((command) => command.name === 'logs')!);
    expect(help).toMatch(/\n {6}--json {10}with --stats[^\n]*\n\n {2}Rotations [^\n]*\n {2}service wrote[^\n]*\n\n {2}Levels: /);
    expect(help).toContain('"=== <time> manage.ts up" header of its run');
  });
});
