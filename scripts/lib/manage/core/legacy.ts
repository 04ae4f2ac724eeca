// PID files of an old manage.sh (a bare PID) and whether a running process is a service's command (pure).
import { commandText } from './service.ts';

/** The PID of a file that holds nothing else (`12345\n`, as `echo $! > .pids/api.pid` writes), or undefined. */
export function parseBarePid(text: string): number | undefined {
  const match = /^\s*(\d+)\s*$/.exec(text);
  if (!match) return undefined;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

/** Characters that make a shell line more than words: pipes, lists, redirections, expansions, globs. */
const shellSyntax = /[|&;<>()$`*?[\]{}~#\n]/;

/**
 * The words of a simple shell line, as the shell would pass them as argv: blanks split, quotes and
 * backslashes removed; leading NAME=value assignments and `exec` dropped (they never reach argv).
 * Undefined for anything more than that (a pipe, `&&`, `$VAR`, a glob), whose argv cannot be known here.
 */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (char === ' ' || char === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "'") {
      const end = line.indexOf("'", index + 1);
      if (end < 0) return undefined;
      word = (word ?? '') + line.slice(index + 1, end);
      index = end;
    } else if (char === '"') {
      let text = '';
      for (index++; index < line.length && line[index] !== '"'; index++) {
        if (line[index] === '$' || line[index] === '`') return undefined;
        if (line[index] === '\\' && /["\\$`]/.test(line[index + 1] ?? '')) index++;
        text += line[index];
      }
      if (index >= line.length) return undefined;
      word = (word ?? '') + text;
    } else if (char === '\\') {
      if (index + 1 >= line.length) return undefined;
      word = (word ?? '') + line[++index];
    } else if (shellSyntax.test(char)) {
      return undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words.shift();
  if (words[0] === 'exec') words.shift();
  return words.length > 0 ? words : undefined;
}

const shells = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh']);
/** Programs a #! line names, which then run the script as their first argument. */
const interpreters = /^(python[\d.]*|node(js)?|ruby|perl|php|bun|deno|sh|bash|dash|zsh)$/;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The same program: the same file name. The path it was started by depends on PATH and the directory the
 * old script ran from (`node` or `/usr/bin/node`, `./bin/api` or `bin/api`), so only the name is compared;
 * every argument must still be equal.
 */
function sameProgram(running: string, declared: string): boolean {
  return running === declared || baseName(running) === baseName(declared);
}

function sameWords(running: string[], declared: string[]): boolean {
  return running.length === declared.length && sameProgram(running[0]!, declared[0]!) && running.slice(1).every((word, index) => word === declared[index + 1]);
}

/**
 * Whether a process's argv (from /proc/<pid>/cmdline) is the service's command, as an old script may have
 * started it: through a shell (`sh -c '<the line>'`), as the words of the line (a shell that execs its last
 * command, or an argv array), or a script through the interpreter its #! line names (`python3 ./serve.py`).
 */
export function argvMatchesCommand(argv: string[], command: string | string[]): boolean {
  if (argv.length === 0 || argv[0] === '') return false;
  const line = commandText(command);
  if (shells.has(baseName(argv[0]!)) && argv[1] === '-c' && argv[2] === line) return true;
  const declared = typeof command === 'string' ? shellWords(command) : command;
  if (!declared || declared.length === 0) return false;
  if (sameWords(argv, declared)) return true;
  return interpreters.test(baseName(argv[0]!)) && sameWords(argv.slice(1), declared);
}
