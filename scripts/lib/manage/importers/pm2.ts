// A PM2 ecosystem file (ecosystem.config.js, .cjs, .mjs, .json, .yml) to services (pure). JavaScript is read,
// never run: acorn parses it, and only literals, top-level consts, __dirname, path.join/resolve and
// `process.env.X || default` are evaluated; anything else is named in a note.
import { parse as parseJavaScript, type Expression, type Node, type Program } from 'acorn';
import { parse as parseYaml } from 'yaml';
import { commandText, type Service } from '../core/service.ts';
import { badSource, fromBase, parseDuration, type Imported, type ImportedService, type ImportOptions } from './declaration.ts';

type Mapping = Record<string, unknown>;
const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value the reader could not work out without running the file. */
class Computed {
  constructor(readonly code: string) {}
}

interface Scope {
  text: string;
  consts: Map<string, Expression>;
}

function evaluate(node: Node, scope: Scope, depth = 0): unknown {
  const code = (): Computed => new Computed(scope.text.slice(node.start, node.end).replace(/\s+/g, ' '));
  if (depth > 50) return code();
  const expression = node as Expression;
  switch (expression.type) {
    case 'Literal':
      return expression.value instanceof RegExp || typeof expression.value === 'bigint' ? code() : expression.value;
    case 'TemplateLiteral':
      if (expression.expressions.length > 0) {
        const parts = expression.quasis.map((quasi) => quasi.value.cooked ?? '');
        const values = expression.expressions.map((item) => evaluate(item, scope, depth + 1));
        if (values.some((value) => value instanceof Computed || isMapping(value))) return code();
        return parts.reduce((text, part, index) => text + part + (index < values.length ? String(values[index]) : ''), '');
      }
      return expression.quasis[0]?.value.cooked ?? '';
    case 'ArrayExpression':
      return expression.elements.map((element) => (element === null || element.type === 'SpreadElement' ? code() : evaluate(element, scope, depth + 1)));
    case 'ObjectExpression': {
      const object: Mapping = {};
      for (const property of expression.properties) {
        if (property.type !== 'Property' || property.computed) return code();
        const name = property.key.type === 'Identifier' ? property.key.name : String((property.key as { value?: unknown }).value);
        object[name] = evaluate(property.value, scope, depth + 1);
      }
      return object;
    }
    case 'UnaryExpression':
      if (expression.operator === '-' || expression.operator === '!') {
        const value = evaluate(expression.argument, scope, depth + 1);
        if (typeof value === 'number' && expression.operator === '-') return -value;
        if (typeof value === 'boolean' && expression.operator === '!') return !value;
      }
      return code();
    case 'Identifier': {
      if (expression.name === '__dirname') return '.';
      if (expression.name === 'undefined') return undefined;
      const bound = scope.consts.get(expression.name);
      return bound ? evaluate(bound, scope, depth + 1) : code();
    }
    case 'LogicalExpression': {
      // process.env.PORT || 3000: the file's own default, which is what PM2 gets where the variable is unset.
      const left = evaluate(expression.left, scope, depth + 1);
      if (left instanceof Computed && /^process\.env\./.test(left.code) && (expression.operator === '||' || expression.operator === '??')) {
        return evaluate(expression.right, scope, depth + 1);
      }
      return code();
    }
    case 'CallExpression': {
      const callee = scope.text.slice(expression.callee.start, expression.callee.end);
      if (/^(path\.)?(join|resolve)$/.test(callee)) {
        const parts = expression.arguments.map((argument) => evaluate(argument, scope, depth + 1));
        if (parts.every((part) => typeof part === 'string')) return fromBase('', (parts as string[]).join('/'));
      }
      return code();
    }
    default:
      return code();
  }
}

/** The apps array from the JavaScript text, following `module.exports =`, `export default` and top-level consts. */
function readJavaScript(text: string, source: string): unknown {
  let program: Program;
  try {
    program = parseJavaScript(text, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, allowReturnOutsideFunction: true });
  } catch (error) {
    throw badSource(`${source} is not valid JavaScript: ${(error as Error).message}`);
  }
  const scope: Scope = { text, consts: new Map() };
  let exported: Node | undefined;
  let exportedApps: Node | undefined;
  for (const statement of program.body) {
    if (statement.type === 'VariableDeclaration') {
      for (const declarator of statement.declarations) {
        if (declarator.id.type === 'Identifier' && declarator.init) scope.consts.set(declarator.id.name, declarator.init);
      }
    } else if (statement.type === 'ExportDefaultDeclaration') {
      exported = statement.declaration;
    } else if (statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression') {
      const target = text.slice(statement.expression.left.start, statement.expression.left.end);
      if (target === 'module.exports' || target === 'exports.default') exported = statement.expression.right;
      if (target === 'module.exports.apps' || target === 'exports.apps') exportedApps = statement.expression.right;
    }
  }
  if (exportedApps) return { apps: evaluate(exportedApps, scope) };
  if (!exported) throw badSource(`${source} exports nothing that manage.ts can read: it needs module.exports = { apps: [...] }`);
  return evaluate(exported, scope);
}

function readFile(text: string, source: string): unknown {
  if (/\.json$/i.test(source)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw badSource(`${source} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (/\.ya?ml$/i.test(source)) {
    try {
      return parseYaml(text) as unknown;
    } catch (error) {
      throw badSource(`${source} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return readJavaScript(text, source);
}

function computedNote(field: string, value: Computed): string {
  return `${field} not carried: \`${value.code}\` is computed when PM2 runs the file; write its value here`;
}

const notCarried: Record<string, string> = {
  instances: 'one process per service (PM2 cluster instances are not carried)',
  exec_mode: 'one process per service (PM2 cluster mode is not carried)',
  watch: 'manage.ts does not restart on file changes',
  ignore_watch: 'manage.ts does not restart on file changes',
  max_memory_restart: 'manage.ts does not restart on memory use',
  cron_restart: 'manage.ts has no scheduled restarts',
  log_date_format: 'logs go to logs/<name>.log',
  error_file: 'logs go to logs/<name>.log',
  out_file: 'logs go to logs/<name>.log',
  log_file: 'logs go to logs/<name>.log',
  merge_logs: 'logs go to logs/<name>.log',
};

function stringEnv(value: unknown, field: string, notes: string[]): Record<string, string> | undefined {
  if (value instanceof Computed) {
    notes.push(computedNote(field, value));
    return undefined;
  }
  if (!isMapping(value)) return undefined;
  const env: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item instanceof Computed) notes.push(computedNote(`${field}.${name}`, item));
    else if (item !== undefined && item !== null) env[name] = String(item);
  }
  return env;
}

function importApp(app: Mapping, index: number, options: ImportOptions): ImportedService {
  const notes: string[] = [];
  const name = typeof app.name === 'string' ? app.name : `app-${index + 1}`;
  if (typeof app.name !== 'string') notes.push(`PM2 app ${index + 1} has no name; named "${name}"`);
  if (typeof app.script !== 'string') throw badSource(`PM2 app "${name}" in ${options.source} has no script that can be read without running the file`, 'write its script as a string');
  const args = app.args instanceof Computed ? (notes.push(computedNote('args', app.args)), []) : Array.isArray(app.args) ? app.args.map(String) : typeof app.args === 'string' ? [app.args] : [];
  const interpreter = typeof app.interpreter === 'string' && app.interpreter !== 'none' ? app.interpreter : undefined;
  const interpreterArgs = typeof app.interpreter_args === 'string' ? [app.interpreter_args] : Array.isArray(app.interpreter_args) ? app.interpreter_args.map(String) : [];
  // PM2 runs a .js script with node; anything else (npm, a binary) as it is.
  const program = interpreter ?? (/\.(c|m)?js$/.test(app.script) ? 'node' : undefined);
  const parts = [...(program ? [program, ...interpreterArgs, app.script] : [app.script])];
  // A string args is a shell line for PM2; an array is argv.
  const command = typeof app.args === 'string' ? `${commandText(parts)} ${app.args}` : commandText([...parts, ...args]);
  const service: Service = { name, command };
  if (typeof app.cwd === 'string') service.cwd = fromBase(options.baseDir, app.cwd);
  else if (options.baseDir !== '') service.cwd = options.baseDir;
  if (service.cwd === '.') delete service.cwd;

  const env = { ...stringEnv(app.env, 'env', notes) };
  if (options.environment !== undefined) {
    const field = `env_${options.environment}`;
    if (app[field] === undefined) notes.push(`no ${field} in this app: env only`);
    Object.assign(env, stringEnv(app[field], field, notes));
  }
  const others = Object.keys(app).filter((field) => /^env_/.test(field) && field !== `env_${options.environment}`);
  if (others.length > 0) notes.push(`${others.join(', ')} not carried: import --env ${others[0]!.slice(4)} applies one`);
  if (Object.keys(env).length > 0) service.env = env;
  if (env.PORT !== undefined && /^\d+$/.test(env.PORT)) service.port = Number(env.PORT);

  // PM2 restarts by default; only autorestart: false turns it off.
  if (app.autorestart !== false) {
    service.restart = 'always';
    if (Number.isInteger(app.max_restarts)) service.maxRestarts = app.max_restarts as number;
    if (typeof app.restart_delay === 'number') service.restartDelay = app.restart_delay;
    if (app.autorestart === undefined) notes.push('restart "always": PM2 restarts by default (autorestart: false turns it off)');
  }
  const kill = parseDuration(app.kill_timeout);
  if (kill !== undefined) service.stopTimeout = kill;
  const listen = parseDuration(app.listen_timeout);
  if (listen !== undefined && app.wait_ready === true) service.readyTimeout = listen;
  for (const [field, why] of Object.entries(notCarried)) {
    if (app[field] !== undefined && !(field === 'instances' && (app.instances === 1 || app.instances === '1'))) notes.push(`${field} not carried: ${why}`);
  }
  return { service, notes };
}

export function importPm2(text: string, options: ImportOptions): Imported {
  const root = readFile(text, options.source);
  const apps = isMapping(root) ? root.apps : Array.isArray(root) ? root : undefined;
  if (!Array.isArray(apps)) throw badSource(`${options.source} has no "apps" array that can be read without running it`, 'write apps as a literal array: module.exports = { apps: [{ name, script }] }');
  const notes: string[] = [];
  const imported: ImportedService[] = [];
  apps.forEach((app, index) => {
    if (app instanceof Computed) notes.push(`PM2 app ${index + 1} not carried: \`${app.code}\` is computed when PM2 runs the file`);
    else if (isMapping(app)) imported.push(importApp(app, index, options));
  });
  if (isMapping(root) && root.deploy !== undefined) notes.push('deploy not carried: manage.ts runs services on this machine');
  if (imported.length === 0) throw badSource(`${options.source} declares no PM2 apps`);
  return { services: imported, notes };
}
