// A manage.sh-style bash script to services (pure): its SERVICES array (associative, or "name:command"
// entries), SERVICE_ORDER, and the companions SERVICE_PORTS, SERVICE_DIRS, SERVICE_DEPS, SERVICE_HEALTH and
// SERVICE_ENV. Read with mvdan/sh's real parser (mvdan-sh), never run: variables the script sets to a literal
// (or to its own folder) are filled in; anything else is kept as shell text and named in a note.
import { posix } from 'node:path';
import type { ShellNode } from 'mvdan-sh';
import { isValidName, type Service } from '../core/service.ts';
import { badSource, fromBase, type Imported, type ImportedService, type ImportOptions } from './declaration.ts';

type Syntax = (typeof import('mvdan-sh'))['syntax'];

/** Loads the parser, putting back the globals its Go runtime changes (an unbounded stack-trace limit). */
async function loadParser(): Promise<Syntax> {
  const limit = Error.stackTraceLimit;
  const hadRequire = 'require' in globalThis;
  try {
    return (await import('mvdan-sh')).default.syntax;
  } finally {
    Error.stackTraceLimit = limit;
    if (!hadRequire) delete (globalThis as { require?: unknown }).require;
  }
}

/** The script's own folder, as `$(cd "$(dirname "$0")" && pwd)` computes it. */
const scriptDir = '\u0000script-dir\u0000';

interface Value {
  /** The value with known variables filled in and unknown expansions kept as shell text. */
  text: string;
  /** Expansions that could not be worked out without running the script. */
  unresolved: string[];
}

interface ShellArray {
  associative: boolean;
  entries: Array<{ key: string | undefined; value: Value }>;
}

class Reader {
  readonly variables = new Map<string, Value>();
  readonly arrays = new Map<string, ShellArray>();
  readonly associative = new Set<string>();

  constructor(private readonly syntax: Syntax, private readonly text: string) {}

  private source(node: ShellNode): string {
    return this.text.slice(node.Pos().Offset(), node.End().Offset());
  }

  /** A word's value as bash would store it in a variable: quotes removed, expansions of known variables made. */
  word(node: ShellNode | null): Value {
    const value: Value = { text: '', unresolved: [] };
    if (!node) return value;
    for (const part of node.Parts as ShellNode[]) this.part(part, value, false);
    return value;
  }

  private part(part: ShellNode, value: Value, quoted: boolean): void {
    const type = this.syntax.NodeType(part);
    if (type === 'Lit') {
      const raw = String(part.Value);
      value.text += quoted ? raw.replace(/\\([$`"\\\n])/g, '$1') : raw.replace(/\\(.)/gs, '$1');
    } else if (type === 'SglQuoted') {
      const raw = String(part.Value);
      value.text += part.Dollar ? raw.replace(/\\(.)/g, (_, character: string) => ({ n: '\n', t: '\t', r: '\r' })[character] ?? character) : raw;
    } else if (type === 'DblQuoted') {
      for (const inner of part.Parts as ShellNode[]) this.part(inner, value, true);
    } else if (type === 'ParamExp' && !part.Exp && !part.Index && !part.Length && !part.Excl && part.Param) {
      const known = this.variables.get(String((part.Param as ShellNode).Value));
      if (known) {
        value.text += known.text;
        value.unresolved.push(...known.unresolved);
      } else this.unknown(part, value);
    } else if (type === 'CmdSubst' && /\bdirname\b/.test(this.source(part)) && /\$\{?(0|BASH_SOURCE)/.test(this.source(part))) {
      value.text += scriptDir;
    } else {
      this.unknown(part, value);
    }
  }

  private unknown(part: ShellNode, value: Value): void {
    const code = this.source(part);
    value.text += code;
    value.unresolved.push(code);
  }

  /** One assignment: a plain variable, an array (`=(...)`, `+=(...)`), or one element (`NAME[key]=value`). */
  assign(node: ShellNode, declaredAssociative: boolean): void {
    const name = node.Name ? String((node.Name as ShellNode).Value) : undefined;
    if (!name) return;
    if (declaredAssociative) this.associative.add(name);
    if (node.Array) {
      const elements = ((node.Array as ShellNode).Elems as ShellNode[]).map((element) => ({
        key: element.Index ? this.word(element.Index as ShellNode).text : undefined,
        value: this.word(element.Value as ShellNode | null),
      }));
      const previous = node.Append ? this.arrays.get(name) : undefined;
      const associative = this.associative.has(name) || elements.some((element) => element.key !== undefined && !/^\d+$/.test(element.key));
      this.arrays.set(name, { associative: associative || Boolean(previous?.associative), entries: [...(previous?.entries ?? []), ...elements] });
    } else if (node.Index) {
      const array = this.arrays.get(name) ?? { associative: this.associative.has(name), entries: [] };
      const key = this.word(node.Index as ShellNode).text;
      array.entries = [...array.entries.filter((entry) => entry.key !== key), { key, value: this.word(node.Value as ShellNode | null) }];
      if (!/^\d+$/.test(key)) array.associative = true;
      this.arrays.set(name, array);
    } else if (node.Value) {
      const value = this.word(node.Value as ShellNode);
      if (node.Append) {
        const previous = this.variables.get(name);
        if (previous) value.text = previous.text + value.text;
      }
      this.variables.set(name, value);
    }
  }

  read(file: ShellNode): void {
    this.syntax.Walk(file, (node) => {
      if (!node) return true;
      const type = this.syntax.NodeType(node);
      if (type === 'DeclClause') {
        const flags = (node.Args as ShellNode[]).filter((argument) => argument.Naked && !argument.Name).map((argument) => this.word(argument.Value as ShellNode).text);
        const associative = flags.some((flag) => /^-\w*A/.test(flag));
        for (const argument of node.Args as ShellNode[]) if (argument.Name) this.assign(argument, associative);
        return false;
      }
      if (type === 'CallExpr' && (node.Args as ShellNode[]).length === 0) {
        for (const assignment of node.Assigns as ShellNode[]) this.assign(assignment, false);
        return false;
      }
      return true;
    });
  }
}

const companions = {
  commands: /^(SERVICE_COMMANDS|SERVICE_CMDS|SERVICE_CMD|COMMANDS)$/,
  order: /^(SERVICE_ORDER|SERVICES_ORDER|START_ORDER|ORDER)$/,
  ports: /^(SERVICE_PORTS|SERVICE_PORT|PORTS)$/,
  dirs: /^(SERVICE_DIRS|SERVICE_DIR|SERVICE_CWDS|SERVICE_CWD|SERVICE_PATHS|DIRS)$/,
  deps: /^(SERVICE_DEPS|SERVICE_DEPENDS|SERVICE_DEPENDENCIES|DEPENDS_ON|DEPS)$/,
  health: /^(SERVICE_HEALTH|SERVICE_HEALTHCHECKS|SERVICE_HEALTH_URLS|HEALTH_URLS|HEALTH_CHECKS)$/,
  env: /^(SERVICE_ENV|SERVICE_ENVS)$/,
} as const;

function findArray(arrays: Map<string, ShellArray>, pattern: RegExp): [string, ShellArray] | undefined {
  return [...arrays].find(([name]) => pattern.test(name));
}

/** name -> value of an associative companion array. */
function byName(arrays: Map<string, ShellArray>, pattern: RegExp): Map<string, Value> {
  const found = findArray(arrays, pattern);
  return new Map((found?.[1].entries ?? []).filter((entry) => entry.key !== undefined).map((entry) => [entry.key!, entry.value]));
}

/** `${PORT:-8080}` as 8080: what the script used where the variable was unset. */
function withDefaults(value: Value): Value {
  const text = value.text.replace(/\$\{\w+:?-([^}$]*)\}/g, '$1');
  return { text, unresolved: value.unresolved.filter((code) => !/^\$\{\w+:?-[^}$]*\}$/.test(code)) };
}

export async function importShellScript(text: string, options: ImportOptions): Promise<Imported> {
  const syntax = await loadParser();
  let file: ShellNode;
  try {
    file = syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(text, options.source);
  } catch (error) {
    const described = typeof (error as { Error?: unknown }).Error === 'function' ? (error as { Error(): string }).Error() : String(error);
    throw badSource(`${options.source} is not valid bash: ${described.replace(`${options.source}:`, 'line ')}`);
  }
  const reader = new Reader(syntax, text);
  reader.read(file);
  const services = reader.arrays.get('SERVICES');
  if (!services) throw badSource(`${options.source} has no SERVICES array`, 'a manage.sh-style script declares SERVICES=(...) or declare -A SERVICES=([name]="command" ...)');

  const notes: string[] = [];
  const commands = new Map<string, Value>();
  const listed: string[] = [];
  const commandsArray = byName(reader.arrays, companions.commands);
  for (const entry of services.entries) {
    if (services.associative && entry.key !== undefined) {
      commands.set(entry.key, entry.value);
      continue;
    }
    // "api:cargo run -p api" or "api|cargo run -p api", else a bare name whose command is in a companion.
    const pair = /^([A-Za-z0-9][\w.-]*)\s*[:|=]\s*(.+)$/s.exec(entry.value.text);
    if (pair) commands.set(pair[1]!, { text: pair[2]!.split('|')[0]!.trim(), unresolved: entry.value.unresolved });
    else if (isValidName(entry.value.text)) {
      listed.push(entry.value.text);
      const command = commandsArray.get(entry.value.text) ?? reader.variables.get(`${entry.value.text.toUpperCase().replace(/[.-]/g, '_')}_CMD`);
      if (command) commands.set(entry.value.text, command);
      else notes.push(`"${entry.value.text}" in SERVICES not carried: no command for it was found (SERVICE_COMMANDS[${entry.value.text}] or ${entry.value.text.toUpperCase()}_CMD)`);
    } else notes.push(`SERVICES entry ${JSON.stringify(entry.value.text)} not carried: not "name:command" or a name`);
  }
  for (const [name, command] of commandsArray) if (!commands.has(name)) commands.set(name, command);

  const orderArray = findArray(reader.arrays, companions.order);
  const declaredOrder = orderArray?.[1].entries.map((entry) => entry.value.text) ?? [];
  const order = [...declaredOrder.filter((name) => commands.has(name)), ...[...commands.keys()].filter((name) => !declaredOrder.includes(name))];
  for (const name of declaredOrder.filter((item) => !commands.has(item))) notes.push(`"${name}" in ${orderArray![0]} not carried: SERVICES has no command for it`);

  const ports = byName(reader.arrays, companions.ports);
  const dirs = byName(reader.arrays, companions.dirs);
  const deps = findArray(reader.arrays, companions.deps);
  const dependencies = byName(reader.arrays, companions.deps);
  const health = byName(reader.arrays, companions.health);
  const envs = byName(reader.arrays, companions.env);
  const baseDir = options.baseDir === '' ? '.' : options.baseDir;

  const imported: ImportedService[] = order.map((name, index) => {
    const entryNotes: string[] = [];
    const unresolved = (value: Value, field: string): void => {
      if (value.unresolved.length > 0) entryNotes.push(`${field} keeps ${[...new Set(value.unresolved)].join(', ')} as written: /bin/sh expands it at each start from the environment, not from the script's variables`);
    };
    const dir = dirs.get(name);
    const cwd = dir ? fromBase('', withDefaults(dir).text.replaceAll(scriptDir, baseDir)) : undefined;
    if (dir) unresolved(dir, 'cwd');
    const command = commands.get(name)!;
    const from = cwd ?? '.';
    // The script's folder, as seen from where the command runs.
    const commandText = command.text.replaceAll(scriptDir, posix.relative(from, baseDir) || '.');
    unresolved(command, 'command');
    const service: Service = { name, command: commandText };
    if (cwd && cwd !== '.') service.cwd = cwd;
    const env = envs.get(name);
    if (env) {
      const pairs = env.text.split(/\s+/).filter(Boolean).map((pair) => pair.split('='));
      service.env = Object.fromEntries(pairs.filter((pair) => pair.length >= 2).map(([key, ...rest]) => [key!, rest.join('=')]));
      unresolved(env, 'env');
    }
    const port = ports.get(name);
    if (port) {
      const number = Number(withDefaults(port).text);
      if (Number.isInteger(number) && number > 0 && number < 65536) service.port = number;
      else entryNotes.push(`port ${JSON.stringify(port.text)} not carried: not a port number`);
    }
    if (deps) {
      const list = dependencies.get(name)?.text.split(/[\s,]+/).filter(Boolean) ?? [];
      if (list.length > 0) service.dependsOn = list;
    } else if (orderArray && index > 0) {
      service.dependsOn = [order[index - 1]!];
      entryNotes.push(`dependsOn ${order[index - 1]} keeps the start order of ${orderArray[0]}; keep only what it really needs, so the rest start in parallel`);
    }
    const check = health.get(name);
    if (check) service.ready = /^https?:\/\//.test(check.text) ? { http: check.text } : { command: check.text };
    return { service, notes: entryNotes };
  });

  const used = new Set(['SERVICES', ...[orderArray, deps].filter(Boolean).map((found) => found![0])]);
  for (const pattern of Object.values(companions)) {
    const found = findArray(reader.arrays, pattern);
    if (found) used.add(found[0]);
  }
  const others = [...reader.arrays.keys()].filter((name) => /^SERVICE/.test(name) && !used.has(name));
  if (others.length > 0) notes.push(`not carried: ${others.join(', ')} (arrays this importer does not know)`);
  if (imported.length === 0) throw badSource(`${options.source} has a SERVICES array but no service with a command in it`);
  return { services: imported, notes };
}
