// docker-compose.yml / compose.yaml to services (pure): commands, ports, environment, depends_on with its
// conditions, healthchecks as ready checks, profiles as groups, restart and stop settings.
import { parseDocument } from 'yaml';
import { commandText, type ReadinessCheck, type Service } from '../core/service.ts';
import {
  badSource, dropGroupsNamedLikeServices, dropMissingDependencies, fromBase, literal, parseDuration,
  type Imported, type ImportedService, type ImportOptions,
} from './declaration.ts';

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);
const stopSignals = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL']);

// Keys this importer reads; the rest of a service are container settings, named in one note.
const handled = new Set([
  'command', 'entrypoint', 'ports', 'environment', 'env_file', 'working_dir', 'depends_on', 'healthcheck', 'profiles',
  'restart', 'stop_signal', 'stop_grace_period', 'build', 'image', 'volumes', 'deploy', 'expose',
]);

/** ${VAR:-default} and ${VAR-default} become the default (compose reads .env and the shell at run time). */
function interpolate(text: string): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const result = text.replace(/\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)/g, (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    if (fallback !== undefined) return fallback;
    unresolved.push(braced ?? bare!);
    return whole;
  });
  return { text: result.replace(/\$\$/g, '$'), unresolved };
}

interface PortMapping {
  host: number;
  container: number;
}

/** "8080:80", "127.0.0.1:8080:80", "3000", "9090:9090/udp", ranges, and the long form. */
function readPorts(value: unknown, notes: string[]): PortMapping[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    notes.push('ports is not a list; not carried');
    return [];
  }
  const mappings: PortMapping[] = [];
  for (const item of value) {
    if (isMapping(item)) {
      const container = Number(item.target);
      const host = item.published === undefined ? container : Number(interpolate(String(item.published)).text);
      if (item.protocol === 'udp') notes.push(`port ${String(item.target)}/udp not carried: manage.ts checks TCP ports`);
      else if (Number.isInteger(host) && Number.isInteger(container)) mappings.push({ host, container });
      continue;
    }
    const text = interpolate(String(item)).text;
    const [spec, protocol] = text.split('/');
    if (protocol === 'udp') {
      notes.push(`port ${text} not carried: manage.ts checks TCP ports`);
      continue;
    }
    const parts = spec!.split(':');
    const container = parts[parts.length - 1]!;
    const host = parts.length >= 2 ? parts[parts.length - 2]! : container;
    if (host.includes('-') || container.includes('-')) {
      notes.push(`port range ${text} not carried: declare the ports one by one`);
      continue;
    }
    const mapping = { host: Number(host), container: Number(container) };
    if (Number.isInteger(mapping.host) && Number.isInteger(mapping.container)) mappings.push(mapping);
    else notes.push(`port ${text} not carried: not a port number`);
  }
  return mappings;
}

/** Bind mounts (./vote:/usr/local/app) as container path -> host path relative to the compose file. */
function readBindMounts(value: unknown): Array<{ container: string; host: string }> {
  if (!Array.isArray(value)) return [];
  const mounts: Array<{ container: string; host: string }> = [];
  for (const item of value) {
    if (isMapping(item) && item.type === 'bind' && typeof item.source === 'string' && typeof item.target === 'string') {
      mounts.push({ host: item.source, container: item.target });
    } else if (typeof item === 'string') {
      const [host, container] = item.split(':');
      if (host && container && /^[.~/]/.test(host)) mounts.push({ host, container });
    }
  }
  return mounts;
}

function hostPathOf(containerPath: string, mounts: Array<{ container: string; host: string }>): string | undefined {
  for (const mount of mounts) {
    const target = mount.container.replace(/\/$/, '');
    if (containerPath === target) return mount.host;
    if (containerPath.startsWith(`${target}/`)) return `${mount.host.replace(/\/$/, '')}/${containerPath.slice(target.length + 1)}`;
  }
  return undefined;
}

/** command/entrypoint as the argv or shell line to run; a list stays a list only if both parts are lists. */
function readCommand(entrypoint: unknown, command: unknown): string | string[] | undefined {
  const parts = [entrypoint, command].filter((part) => part !== undefined && part !== null && !(Array.isArray(part) && part.length === 0));
  if (parts.length === 0) return undefined;
  if (parts.every(Array.isArray)) return (parts as unknown[][]).flat().map(String);
  return parts.map((part) => (Array.isArray(part) ? commandText(part.map(String)) : String(part))).join(' ');
}

function buildContext(build: unknown): string | undefined {
  if (typeof build === 'string') return build;
  if (isMapping(build) && typeof build.context === 'string') return build.context;
  return undefined;
}

function readEnvironment(value: unknown, notes: string[]): Record<string, string> | undefined {
  const entries: Array<[string, string | undefined]> = [];
  if (Array.isArray(value)) {
    for (const item of value.map(String)) {
      const equals = item.indexOf('=');
      entries.push(equals < 0 ? [item, undefined] : [item.slice(0, equals), item.slice(equals + 1)]);
    }
  } else if (isMapping(value)) {
    for (const [name, item] of Object.entries(value)) entries.push([name, item === null || item === undefined ? undefined : String(item)]);
  } else {
    return undefined;
  }
  const env: Record<string, string> = {};
  const passed: string[] = [];
  for (const [name, item] of entries) {
    if (item === undefined) {
      passed.push(name);
      continue;
    }
    const { text, unresolved } = interpolate(item);
    if (unresolved.length > 0) notes.push(`env ${name}: \${${unresolved.join('}, ${')}} is taken as written; compose filled it in from .env or the shell`);
    env[name] = text;
  }
  if (passed.length > 0) notes.push(`environment ${passed.join(', ')} (no value): passed through from the environment manage.ts runs in`);
  return Object.keys(env).length > 0 ? env : undefined;
}

/** A curl/wget test against this machine becomes an HTTP check on the host port; anything else a command. */
function readinessOf(test: string | string[], ports: PortMapping[], mounts: Array<{ container: string; host: string }>, baseDir: string): ReadinessCheck {
  const words = Array.isArray(test) ? test : test.replace(/\s*\|\|\s*exit\s+1\s*$/, '').split(/\s+/);
  const simpleShell = Array.isArray(test) || !/[|&;<>`$()]/.test(test.replace(/\s*\|\|\s*exit\s+1\s*$/, ''));
  if (simpleShell && /^(curl|wget)$/.test(words[0]!.split('/').pop()!)) {
    const target = words.slice(1).find((word) => /^(https?:\/\/)?(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(:\d+)?(\/|$)/.test(word));
    if (target) {
      const url = new URL(/^https?:\/\//.test(target) ? target : `http://${target}`);
      const containerPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      const host = ports.find((mapping) => mapping.container === containerPort)?.host ?? containerPort;
      return { http: `${url.protocol}//127.0.0.1:${host}${url.pathname}${url.search}` };
    }
  }
  // Scripts mounted into the container (/healthchecks/redis.sh) run from where they are on this machine.
  const mapped = words.map((word) => {
    const host = word.startsWith('/') ? hostPathOf(word, mounts) : undefined;
    return host === undefined ? word : fromBase(baseDir, host);
  });
  if (Array.isArray(test)) return { command: mapped };
  return { command: mapped.join(' ') === words.join(' ') ? test : mapped.join(' ') };
}

interface Healthcheck {
  ready?: ReadinessCheck;
  readyTimeout?: number;
}

function readHealthcheck(value: unknown, ports: PortMapping[], mounts: Array<{ container: string; host: string }>, baseDir: string, notes: string[]): Healthcheck {
  if (!isMapping(value) || value.disable === true) return {};
  let test: string | string[] | undefined;
  if (typeof value.test === 'string') test = value.test;
  else if (Array.isArray(value.test) && value.test.length > 0) {
    const [form, ...rest] = value.test.map(String);
    if (form === 'NONE') return {};
    if (form === 'CMD') test = rest;
    else if (form === 'CMD-SHELL') test = rest.join(' ');
  }
  if (test === undefined || test.length === 0) {
    notes.push('healthcheck.test not carried: not CMD, CMD-SHELL or a string');
    return {};
  }
  const check: Healthcheck = { ready: readinessOf(test, ports, mounts, baseDir) };
  // Docker calls a service unhealthy after `retries` failed checks past the start period: that bounds readiness.
  const timings = ['interval', 'timeout', 'retries', 'start_period'].filter((name) => value[name] !== undefined);
  if (timings.length > 0) {
    const interval = parseDuration(value.interval ?? '30s') ?? 30_000;
    const retries = Number.isInteger(value.retries) ? (value.retries as number) : 3;
    const startPeriod = parseDuration(value.start_period ?? '0s') ?? 0;
    check.readyTimeout = startPeriod + interval * Math.max(retries, 1);
    notes.push(`readyTimeout ${check.readyTimeout} ms is start_period + retries x interval; manage.ts polls readiness on its own schedule`);
  }
  return check;
}

function readRestart(service: Mapping, notes: string[]): Pick<Service, 'restart' | 'maxRestarts' | 'restartDelay'> {
  const policy = isMapping(service.deploy) && isMapping(service.deploy.restart_policy) ? service.deploy.restart_policy : undefined;
  if (policy) {
    const condition = String(policy.condition ?? 'any');
    const result: Pick<Service, 'restart' | 'maxRestarts' | 'restartDelay'> = condition === 'none' ? {} : { restart: condition === 'on-failure' ? 'on-failure' : 'always' };
    if (condition !== 'none' && Number.isInteger(policy.max_attempts)) result.maxRestarts = policy.max_attempts as number;
    const delay = parseDuration(policy.delay);
    if (condition !== 'none' && delay !== undefined) result.restartDelay = delay;
    return result;
  }
  if (service.restart === undefined) return {};
  const text = String(service.restart);
  if (text === 'no' || text === 'false') return {};
  if (text === 'always') return { restart: 'always' };
  if (text === 'unless-stopped') {
    notes.push('restart unless-stopped: carried as "always" (manage.ts down stops the restarts)');
    return { restart: 'always' };
  }
  const onFailure = /^on-failure(?::(\d+))?$/.exec(text);
  if (onFailure) return onFailure[1] === undefined ? { restart: 'on-failure' } : { restart: 'on-failure', maxRestarts: Number(onFailure[1]) };
  notes.push(`restart ${JSON.stringify(text)} not carried: not a compose restart policy`);
  return {};
}

interface Dependency {
  name: string;
  condition: string;
}

function readDependsOn(value: unknown, notes: string[]): Dependency[] {
  if (Array.isArray(value)) return value.map((name) => ({ name: String(name), condition: 'service_started' }));
  if (!isMapping(value)) return [];
  return Object.entries(value).map(([name, spec]) => {
    const options = isMapping(spec) ? spec : {};
    if (options.required === false) notes.push(`depends_on ${name} is optional in compose (required: false); here it is required`);
    if (options.restart === true) notes.push(`depends_on ${name} restart: true not carried: restart this service yourself after restarting ${name}`);
    return { name, condition: String(options.condition ?? 'service_started') };
  });
}

/** What to say, and what to suggest, for a service that has no command to run on this machine. */
function leftOut(name: string, service: Mapping, ports: PortMapping[]): string {
  const image = typeof service.image === 'string' ? service.image : undefined;
  const context = buildContext(service.build);
  const what = image ? `runs the container image ${image}` : `is built from ${context ?? 'a Dockerfile'} and runs the image's own command`;
  const suggestion: Service = { name, command: '<the command that runs it on this machine>' };
  if (ports.length > 0) suggestion.port = ports.length === 1 ? ports[0]!.host : ports.map((mapping) => mapping.host);
  return [
    `"${name}" not imported: it ${what}, and manage.ts runs local processes (it has no Docker mode yet).`,
    `Run it on this machine, or keep it in compose (docker compose up ${name}), and declare it here, e.g.:`,
    `  ${literal(suggestion)},`,
  ].join('\n');
}

/** Parses compose YAML text; throws one sentence for text that is not a compose file. */
export function parseCompose(text: string, source: string): Mapping {
  const document = parseDocument(text, { merge: true, prettyErrors: false });
  const error = document.errors[0];
  if (error) {
    const place = error.linePos?.[0] ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})` : '';
    throw badSource(`${source} is not valid YAML${place}: ${error.message.split('\n')[0]}`);
  }
  const root: unknown = document.toJS({ maxAliasCount: 1000 });
  if (!isMapping(root) || !isMapping(root.services)) throw badSource(`${source} has no "services:" mapping, so it is not a compose file`);
  return root;
}

export function importCompose(text: string, options: ImportOptions): Imported {
  const root = parseCompose(text, options.source);
  const services = root.services as Mapping;
  const notes: string[] = [];
  const imported: ImportedService[] = [];
  const left = new Set<string>();
  const healthchecks = new Map<string, Healthcheck>();
  const oneShots = new Set<string>();

  for (const value of Object.values(services)) {
    for (const dependency of readDependsOn(isMapping(value) ? value.depends_on : undefined, [])) {
      if (dependency.condition === 'service_completed_successfully') oneShots.add(dependency.name);
    }
  }

  for (const [name, value] of Object.entries(services)) {
    const service = isMapping(value) ? value : {};
    const entryNotes: string[] = [];
    const ports = readPorts(service.ports, entryNotes);
    const command = readCommand(service.entrypoint, service.command);
    if (command === undefined) {
      left.add(name);
      notes.push(leftOut(name, service, ports));
      continue;
    }
    const declared: Service = { name, command: typeof command === 'string' ? interpolate(command).text : command };
    const mounts = readBindMounts(service.volumes);
    const context = buildContext(service.build);
    if (typeof service.image === 'string' && context === undefined) entryNotes.push(`ran in the image ${service.image}: its programs must be installed on this machine`);
    if (context !== undefined) entryNotes.push(`built from ${context} in compose: install what its Dockerfile installs before up`);

    // working_dir is a path inside the container: it means something here only through a bind mount or the build context.
    const workingDir = typeof service.working_dir === 'string' ? service.working_dir : undefined;
    const hostDir = workingDir ? hostPathOf(workingDir, mounts) : undefined;
    if (hostDir !== undefined) declared.cwd = fromBase(options.baseDir, hostDir);
    else if (context !== undefined) {
      declared.cwd = fromBase(options.baseDir, context);
      if (workingDir) entryNotes.push(`working_dir ${workingDir} is a container path; cwd is the build context instead`);
    } else if (workingDir) entryNotes.push(`working_dir ${workingDir} not carried: a container path with no bind mount`);
    if (declared.cwd === '.') delete declared.cwd;

    const env = readEnvironment(service.environment, entryNotes);
    if (env) declared.env = env;
    const envFiles = ([] as unknown[]).concat(service.env_file ?? []).map((item) => (isMapping(item) ? String(item.path) : String(item)));
    if (envFiles.length > 0) declared.envFile = fromBase(options.baseDir, envFiles[0]!);
    if (envFiles.length > 1) entryNotes.push(`env_file ${envFiles.slice(1).join(', ')} not carried: a service reads one envFile`);

    const hostPorts = [...new Set(ports.map((mapping) => mapping.host))];
    if (hostPorts.length > 0) declared.port = hostPorts.length === 1 ? hostPorts[0]! : hostPorts;
    const remapped = ports.filter((mapping) => mapping.host !== mapping.container);
    if (remapped.length > 0) {
      entryNotes.push(`ports ${remapped.map((mapping) => `${mapping.host}:${mapping.container}`).join(', ')}: the container listened on ${remapped.map((mapping) => mapping.container).join(', ')}; here the process itself must listen on ${remapped.map((mapping) => mapping.host).join(', ')}`);
    }

    const dependencies = readDependsOn(service.depends_on, entryNotes);
    if (dependencies.length > 0) declared.dependsOn = dependencies.map((dependency) => dependency.name);

    const health = readHealthcheck(service.healthcheck, ports, mounts, options.baseDir, entryNotes);
    healthchecks.set(name, health);
    if (health.ready) declared.ready = health.ready;
    if (health.readyTimeout !== undefined) declared.readyTimeout = health.readyTimeout;

    const profiles = Array.isArray(service.profiles) ? service.profiles.map(String) : [];
    if (profiles.length > 0) {
      declared.group = profiles.length === 1 ? profiles[0]! : profiles;
      entryNotes.push(`profiles ${profiles.join(', ')}: compose starts it only with --profile ${profiles[0]}; here "up" starts it with the rest`);
    }

    Object.assign(declared, readRestart(service, entryNotes));
    if (service.stop_signal !== undefined) {
      const signal = String(service.stop_signal).replace(/^(?!SIG)/, 'SIG');
      if (stopSignals.has(signal)) declared.stopSignal = signal as Service['stopSignal'];
      else entryNotes.push(`stop_signal ${String(service.stop_signal)} not carried: use one of ${[...stopSignals].join(', ')}`);
    }
    const grace = parseDuration(service.stop_grace_period);
    if (grace !== undefined) declared.stopTimeout = grace;

    if (oneShots.has(name)) {
      declared.oneShot = true;
      const dropped = (['port', 'ready', 'readyTimeout', 'restart', 'maxRestarts', 'restartDelay'] as const).filter((field) => declared[field] !== undefined);
      for (const field of dropped) delete declared[field];
      entryNotes.push(`a oneShot task: others wait for it to exit 0 (depends_on condition service_completed_successfully)${dropped.length > 0 ? `; ${dropped.join(', ')} do not apply to it` : ''}`);
    }
    if (isMapping(service.deploy) && service.deploy.replicas !== undefined) entryNotes.push(`deploy.replicas ${String(service.deploy.replicas)} not carried: one process per service`);
    const containerOnly = Object.keys(service).filter((field) => !handled.has(field) && !field.startsWith('x-'));
    if (Array.isArray(service.volumes) && mounts.length < service.volumes.length) containerOnly.unshift('volumes');
    if (service.expose !== undefined) containerOnly.push('expose');
    if (containerOnly.length > 0) entryNotes.push(`not carried (container settings): ${containerOnly.join(', ')}`);
    imported.push({ service: declared, notes: entryNotes });
  }

  // A service_healthy dependency waits for the dependency's ready check; say so where that check is missing.
  for (const entry of imported) {
    const dependencies = readDependsOn((services[entry.service.name] as Mapping).depends_on, []);
    for (const dependency of dependencies) {
      if (dependency.condition === 'service_healthy' && !left.has(dependency.name) && healthchecks.get(dependency.name)?.ready === undefined) {
        entry.notes.push(`depends_on ${dependency.name} is service_healthy, but ${dependency.name} has no healthcheck: it waits for ${dependency.name}'s default check`);
      }
    }
  }
  dropMissingDependencies(imported, (name) => (left.has(name) ? 'which is not imported (see the note above); start it before up' : `which ${options.source} does not define`));
  dropGroupsNamedLikeServices(imported);
  const topLevel = ['volumes', 'networks', 'secrets', 'configs'].filter((field) => root[field] !== undefined);
  if (topLevel.length > 0) notes.unshift(`top-level ${topLevel.join(', ')} not carried: container settings`);
  if (imported.length === 0) throw badSource(`${options.source} has no service with a command to run on this machine (every one runs an image)`, 'declare them by hand in startup.ts: see README.md "Adding a service"');
  return { services: imported, notes };
}
