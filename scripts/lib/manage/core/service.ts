// The Service type users write, its defaults, and validation of a whole services array (pure).
import { parseSize } from './bytes.ts';
import { didYouMean } from './suggest.ts';

/**
 * The signals a service may be stopped with. Spelled out rather than Node's NodeJS.Signals, so the editor checks
 * startup.ts in a repository that has no @types/node, and a misspelt signal is flagged as it is typed.
 */
const stopSignalNames = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;
export type StopSignal = (typeof stopSignalNames)[number];

/** How to tell that a service is ready to be depended on. */
export type ReadinessCheck =
  /** A TCP connection to 127.0.0.1:port is accepted. */
  | { tcp: number; host?: string }
  /** An HTTP(S) GET answers with a status in [min, max] (default 200-399). */
  | { http: string; status?: [number, number] }
  /** A line written to the service's log since this start matches the pattern. */
  | { log: string | RegExp }
  /** A command (run in the service's cwd and env) exits 0. */
  | { command: string | string[] };

/** One service as declared in the SERVICES array. Only name and command are required. */
export interface Service {
  /** Unique name: letters, digits, '.', '_' and '-'. Names the log and PID files. */
  name: string;
  /** A shell command line (run with /bin/sh -c), or an argv array run without a shell. */
  command: string | string[];
  /** One line shown by `status --verbose` and `help`. */
  description?: string;
  /** Working directory, relative to the repository root unless absolute. Default: the repository root. */
  cwd?: string;
  /** Extra environment variables. PYTHONUNBUFFERED=1 is set unless you set it here. */
  env?: Record<string, string>;
  /** A dotenv file (relative to the repository root) read at each start; `env` wins over it. */
  envFile?: string;
  /** Port or ports the service listens on (127.0.0.1). A declared port implies a TCP readiness check. */
  port?: number | number[];
  /** Services that must be ready before this one starts (and that are stopped after it). */
  dependsOn?: string[];
  /** Group name(s), so `up <group>` selects every member. */
  group?: string | string[];
  /** Readiness check; default: TCP on the first port, or "still alive after settleMs" without a port. */
  ready?: ReadinessCheck;
  /** How long readiness may take before the start counts as failed, in ms. Default 30000. */
  readyTimeout?: number;
  /** Without a port or check: how long the process must stay alive to count as started, in ms. Default 300. */
  settleMs?: number;
  /** How long `down` waits after the stop signal before SIGKILL, in ms. Default 10000. */
  stopTimeout?: number;
  /** The signal `down` sends first. Default SIGTERM. */
  stopSignal?: StopSignal;
  /**
   * A task that runs to completion (a migration, `cargo build --release`) on every `up` that selects it:
   * dependents start only after it exits 0, and a non-zero exit fails it like a crash. readyTimeout bounds it.
   */
  oneShot?: boolean;
  /**
   * Restart after an exit: 'no' (default), 'on-failure' (non-zero exit or a signal) or 'always'. A small shell
   * keeper in the service's process group does it, so no daemon stays behind and `down` stops both.
   */
  restart?: 'no' | 'on-failure' | 'always';
  /** Restarts before giving up. Default 5. */
  maxRestarts?: number;
  /** First wait before a restart, in ms, doubled each time up to 30 s. Default 500. */
  restartDelay?: number;
  /**
   * For a command that forks into the background and exits (`pg_ctl start`, `redis-server --daemonize yes`):
   * the PID file the program writes (relative to cwd). After the command exits 0, that process is tracked.
   */
  pidFile?: string;
  /** Run by `down` instead of sending the stop signal (e.g. `pg_ctl stop -D data`); SIGKILL still follows the timeout. */
  stopCommand?: string | string[];
  /**
   * Old logs kept at each start: the log of the previous run becomes `<name>.log.1`, older ones shift up to
   * `<name>.log.<logKeep>`. 0 appends every run to one log instead. Default 5.
   */
  logKeep?: number;
  /**
   * A size cap for the log: bytes, or a size such as "50MB" or "1GiB". Past it, the log is copied to
   * `<name>.log.1` and emptied in place (up, status and logs check it; logs -f keeps checking). Default none.
   */
  logMaxBytes?: number | string;
}

/** A Service with every default applied: what the engine works from. */
export interface ResolvedService {
  name: string;
  command: string | string[];
  /** The command as one line a user can paste into a shell. */
  commandText: string;
  description: string;
  cwd: string;
  env: Record<string, string>;
  /** Absolute path of the dotenv file, if any. */
  envFile: string | undefined;
  ports: number[];
  dependsOn: string[];
  groups: string[];
  ready: ReadinessCheck | undefined;
  readyTimeout: number;
  settleMs: number;
  stopTimeout: number;
  stopSignal: StopSignal;
  oneShot: boolean;
  restart: 'no' | 'on-failure' | 'always';
  maxRestarts: number;
  restartDelay: number;
  /** Absolute path of the PID file a daemonizing program writes, if any. */
  pidFile: string | undefined;
  stopCommand: string | string[] | undefined;
  logKeep: number;
  /** The size cap in bytes, if any. */
  logMaxBytes: number | undefined;
}

export const defaults = {
  readyTimeout: 30_000,
  settleMs: 300,
  stopTimeout: 10_000,
  stopSignal: 'SIGTERM' as StopSignal,
  maxRestarts: 5,
  restartDelay: 500,
  logKeep: 5,
};

/**
 * Every key a SERVICES entry may have. A Record over keyof Service: the compiler rejects this object when a
 * field is added to Service and not here (or named here and not there), so the list cannot drift.
 */
const serviceKeys: Record<keyof Service, true> = {
  name: true,
  command: true,
  description: true,
  cwd: true,
  env: true,
  envFile: true,
  port: true,
  dependsOn: true,
  group: true,
  ready: true,
  readyTimeout: true,
  settleMs: true,
  stopTimeout: true,
  stopSignal: true,
  oneShot: true,
  restart: true,
  maxRestarts: true,
  restartDelay: true,
  pidFile: true,
  stopCommand: true,
  logKeep: true,
  logMaxBytes: true,
};

/** Every key of any kind of readiness check, kept complete by the compiler the same way. */
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
const readinessKeys: Record<KeysOfUnion<ReadinessCheck>, true> = { tcp: true, host: true, http: true, status: true, log: true, command: true };

/**
 * Keys of `value` that are not in `known`, each as a sentence with the closest known key when there is one:
 * a misspelt key is otherwise silently ignored (`dependOn` loses the start order without a word).
 */
function unknownKeys(value: object, known: Record<string, true>, subject: string): string[] {
  return Object.keys(value)
    .filter((key) => !Object.hasOwn(known, key))
    .map((key) => `${subject} has an unknown key ${JSON.stringify(key)}${didYouMean(key, Object.keys(known)) || `; remove it (known keys: ${Object.keys(known).join(', ')})`}`);
}

const stopSignals = new Set<string>(stopSignalNames);
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether a text may name a service or group (and so a file under logs/ and .pids/). */
export function isValidName(text: string): boolean {
  return namePattern.test(text);
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A command as one shell line: argv elements that need it are single-quoted, so the line can be pasted. */
export function commandText(command: string | string[]): string {
  if (typeof command === 'string') return command;
  return command.map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Applies defaults; `root` is the absolute directory relative cwd values resolve against. */
export function withDefaults(service: Service, root: string, joinPath: (a: string, b: string) => string): ResolvedService {
  const ports = asList(service.port);
  const ready = service.ready ?? (ports.length > 0 && !service.oneShot ? { tcp: ports[0]! } : undefined);
  return {
    name: service.name,
    command: service.command,
    commandText: commandText(service.command),
    description: service.description ?? '',
    cwd: service.cwd === undefined ? root : joinPath(root, service.cwd),
    env: { PYTHONUNBUFFERED: '1', ...service.env },
    envFile: service.envFile === undefined ? undefined : joinPath(root, service.envFile),
    ports,
    dependsOn: service.dependsOn ?? [],
    groups: asList(service.group),
    ready,
    readyTimeout: service.readyTimeout ?? defaults.readyTimeout,
    settleMs: service.settleMs ?? defaults.settleMs,
    stopTimeout: service.stopTimeout ?? defaults.stopTimeout,
    stopSignal: service.stopSignal ?? defaults.stopSignal,
    oneShot: service.oneShot ?? false,
    restart: service.restart ?? 'no',
    maxRestarts: service.maxRestarts ?? defaults.maxRestarts,
    restartDelay: service.restartDelay ?? defaults.restartDelay,
    pidFile: service.pidFile === undefined ? undefined : joinPath(service.cwd === undefined ? root : joinPath(root, service.cwd), service.pidFile),
    stopCommand: service.stopCommand,
    logKeep: service.logKeep ?? defaults.logKeep,
    logMaxBytes: service.logMaxBytes === undefined ? undefined : parseSize(service.logMaxBytes),
  };
}

/**
 * Every problem in a services array, one sentence each naming the subject and the fix.
 * tsx does not type-check, so shapes are checked here too: a wrong type must not reach a spawn.
 */
export function validateServices(services: unknown, source: string): string[] {
  if (!Array.isArray(services)) return [`${source} must export SERVICES as an array of services`];
  if (services.length === 0) return [`${source} declares no services; add at least one to the SERVICES array`];
  const problems: string[] = [];
  const names = new Set<string>();
  const groups = new Set<string>();
  const portOwners = new Map<number, string>();

  services.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`entry ${index + 1} of SERVICES in ${source} is not an object`);
      return;
    }
    const service = entry as Record<string, unknown>;
    const name = service.name;
    if (typeof name !== 'string' || !namePattern.test(name)) {
      problems.push(`entry ${index + 1} of SERVICES in ${source} needs a name of letters, digits, '.', '_' or '-' (got ${JSON.stringify(name)})`);
      problems.push(...unknownKeys(service, serviceKeys, `entry ${index + 1} of SERVICES`));
      return;
    }
    const label = `service "${name}"`;
    if (name === 'all') problems.push(`${label}: "all" is reserved for selecting every service; rename it`);
    if (names.has(name)) problems.push(`${label} is declared twice in ${source}; give each service a unique name`);
    names.add(name);
    problems.push(...unknownKeys(service, serviceKeys, label));

    if (!isRunnableCommand(service.command)) problems.push(`${label} has an empty command; set command to a shell string or a non-empty argv array`);

    for (const port of asList(service.port as number | number[] | undefined)) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push(`${label} declares port ${JSON.stringify(port)}; a port is a whole number from 1 to 65535`);
        continue;
      }
      const owner = portOwners.get(port);
      if (owner !== undefined) problems.push(`${label} and service "${owner}" both declare port ${port}; give each its own port`);
      else portOwners.set(port, name);
    }

    if (service.restart !== undefined && !['no', 'on-failure', 'always'].includes(String(service.restart))) {
      problems.push(`${label}: restart must be "no", "on-failure" or "always", not ${JSON.stringify(service.restart)}`);
    }
    if (service.restart !== undefined && service.restart !== 'no' && service.oneShot === true) {
      problems.push(`${label} is a oneShot task; a restart policy does not apply to it`);
    }
    if (service.pidFile !== undefined && (typeof service.pidFile !== 'string' || service.pidFile.trim() === '')) {
      problems.push(`${label}: pidFile must be the path of the PID file the program writes`);
    }
    if (service.pidFile !== undefined && (service.oneShot === true || (service.restart !== undefined && service.restart !== 'no'))) {
      problems.push(`${label}: a daemonizing service (pidFile) cannot be a oneShot task or have a restart policy`);
    }
    if (service.stopCommand !== undefined && !isRunnableCommand(service.stopCommand)) {
      problems.push(`${label}: stopCommand must be a shell string or a non-empty argv array of strings`);
    }
    if (service.maxRestarts !== undefined && !(Number.isInteger(service.maxRestarts) && (service.maxRestarts as number) >= 0)) {
      problems.push(`${label}: maxRestarts must be a whole number, not ${JSON.stringify(service.maxRestarts)}`);
    }
    if (service.logKeep !== undefined && !(Number.isInteger(service.logKeep) && (service.logKeep as number) >= 0)) {
      problems.push(`${label}: logKeep must be a whole number of old logs to keep (0 appends to one log), not ${JSON.stringify(service.logKeep)}`);
    }
    if (service.logMaxBytes !== undefined && parseSize(service.logMaxBytes) === undefined) {
      problems.push(`${label}: logMaxBytes must be a number of bytes or a size such as "50MB" or "1GiB", not ${JSON.stringify(service.logMaxBytes)}`);
    }
    for (const field of ['readyTimeout', 'settleMs', 'stopTimeout', 'restartDelay'] as const) {
      const value = service[field];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        problems.push(`${label}: ${field} must be a number of milliseconds, not ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
      }
    }
    if (service.stopSignal !== undefined && !stopSignals.has(String(service.stopSignal))) {
      problems.push(`${label}: stopSignal ${JSON.stringify(service.stopSignal)} is not one of ${[...stopSignals].join(', ')}`);
    }
    for (const field of ['cwd', 'description'] as const) {
      if (service[field] !== undefined && typeof service[field] !== 'string') problems.push(`${label}: ${field} must be a string`);
    }
    if (service.env !== undefined) {
      const env = service.env;
      const envOk = typeof env === 'object' && env !== null && !Array.isArray(env) && Object.values(env).every((value) => typeof value === 'string');
      if (!envOk) problems.push(`${label}: env must map names to strings (quote numbers, e.g. PORT: "8080")`);
    }
    if (service.envFile !== undefined && (typeof service.envFile !== 'string' || service.envFile.trim() === '')) {
      problems.push(`${label}: envFile must be a path such as ".env" or "config/api.env"`);
    }
    if (service.dependsOn !== undefined && !(Array.isArray(service.dependsOn) && service.dependsOn.every((dependency) => typeof dependency === 'string'))) {
      problems.push(`${label}: dependsOn must be an array of service names`);
    }
    for (const group of asList(service.group as string | string[] | undefined)) {
      if (typeof group !== 'string' || !namePattern.test(group)) problems.push(`${label}: group ${JSON.stringify(group)} is not a valid name`);
      else groups.add(group);
    }
    if (service.ready !== undefined) problems.push(...validateReadiness(service.ready, label));
    if (service.oneShot !== undefined && typeof service.oneShot !== 'boolean') problems.push(`${label}: oneShot must be true or false`);
    if (service.oneShot === true && (service.port !== undefined || service.ready !== undefined)) {
      problems.push(`${label} is a oneShot task, which is done when it exits 0; remove its port and ready check`);
    }
  });

  for (const group of groups) {
    if (names.has(group)) problems.push(`group "${group}" has the same name as a service; rename one so "up ${group}" is not ambiguous`);
    if (group === 'all') problems.push(`group "all" is reserved for selecting every service; rename it`);
  }
  for (const entry of services as Array<Record<string, unknown>>) {
    if (typeof entry?.name !== 'string' || !Array.isArray(entry.dependsOn)) continue;
    for (const dependency of entry.dependsOn) {
      if (typeof dependency !== 'string') continue;
      if (dependency === entry.name) problems.push(`service "${entry.name}" depends on itself; remove "${dependency}" from its dependsOn`);
      else if (!names.has(dependency)) {
        problems.push(`service "${entry.name}" depends on "${dependency}", which is not defined in ${source}; add it or fix the name`);
      }
    }
  }
  return problems;
}

/** A log pattern must compile, and must not carry state between tests (the g and y flags do). */
function validateLogPattern(pattern: unknown, label: string): string[] {
  if (pattern instanceof RegExp) return pattern.global || pattern.sticky ? [`${label}: ready.log must not use the g or y flag (it makes test() skip matches)`] : [];
  if (typeof pattern !== 'string' || pattern === '') return [`${label}: ready.log must be a non-empty string or a RegExp`];
  try {
    new RegExp(pattern);
    return [];
  } catch (error) {
    return [`${label}: ready.log is not a valid regular expression (${(error as Error).message})`];
  }
}

/** A non-blank shell string, or a non-empty argv array of strings whose program is named. */
function isRunnableCommand(command: unknown): boolean {
  if (typeof command === 'string') return command.trim() !== '';
  return Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === 'string') && command[0] !== '';
}

function validateReadiness(ready: unknown, label: string): string[] {
  if (typeof ready !== 'object' || ready === null) return [`${label}: ready must be an object such as { tcp: 8080 } or { http: "http://127.0.0.1:8080/health" }`];
  const check = ready as Record<string, unknown>;
  const unknown = unknownKeys(check, readinessKeys, `the ready check of ${label}`);
  if (unknown.length > 0) return unknown;
  const kinds = ['tcp', 'http', 'log', 'command'].filter((kind) => kind in check);
  if (kinds.length !== 1) return [`${label}: ready needs exactly one of tcp, http, log or command`];
  if ('tcp' in check && !(Number.isInteger(check.tcp) && (check.tcp as number) > 0 && (check.tcp as number) < 65536)) {
    return [`${label}: ready.tcp must be a port number`];
  }
  if ('tcp' in check && check.host !== undefined && (typeof check.host !== 'string' || check.host === '')) return [`${label}: ready.host must be a host name or address`];
  if ('http' in check && check.status !== undefined) {
    const range = check.status;
    const ok = Array.isArray(range) && range.length === 2 && range.every((code) => Number.isInteger(code) && code >= 100 && code <= 599) && range[0] <= range[1];
    if (!ok) return [`${label}: ready.status must be [min, max] HTTP status codes, e.g. [200, 299]`];
  }
  if ('http' in check && (typeof check.http !== 'string' || !/^https?:\/\//.test(check.http))) {
    return [`${label}: ready.http must be a URL starting with http:// or https://`];
  }
  if ('log' in check) return validateLogPattern(check.log, label);
  if ('command' in check && !isRunnableCommand(check.command)) {
    return [`${label}: ready.command must be a shell string or a non-empty argv array of strings`];
  }
  return [];
}
