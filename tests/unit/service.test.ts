// validateServices and withDefaults (scripts/lib/manage/core/service.ts), from literal services arrays.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandText, validateServices, withDefaults, type Service } from '../../scripts/lib/manage/core/service.ts';

const source = 'scripts/lib/startup.ts';

/** A list of services whose only problems are the ones a test adds. */
function check(...services: unknown[]): string[] {
  return validateServices(services, source);
}

describe('validateServices', () => {
  it('accepts a valid array with every field in use', () => {
    const services: Service[] = [
      { name: 'db', command: ['postgres', '-D', 'data'], port: 5432, group: 'storage', stopSignal: 'SIGINT' },
      { name: 'cache.v2', command: 'redis-server', port: [6379, 6380], group: ['storage', 'fast'], ready: { tcp: 6379 } },
      {
        name: 'api_server-1',
        command: 'node api.js',
        cwd: 'services/api',
        env: { PORT: '8080' },
        port: 8080,
        dependsOn: ['db', 'cache.v2'],
        ready: { http: 'http://127.0.0.1:8080/health', status: [200, 204] },
        readyTimeout: 0,
        settleMs: 500,
        stopTimeout: 2000,
      },
      { name: 'worker', command: 'python worker.py', ready: { log: /ready/ } },
      { name: 'migrate', command: 'true', ready: { command: ['pg_isready'] } },
    ];
    expect(validateServices(services, source)).toEqual([]);
  });

  it.each([
    ['an object', { SERVICES: [] }],
    ['undefined', undefined],
    ['a string', 'api'],
  ])('rejects SERVICES that is %s, not an array', (_, services) => {
    expect(validateServices(services, source)).toEqual([`${source} must export SERVICES as an array of services`]);
  });

  it('rejects an empty array and says to add a service', () => {
    expect(validateServices([], source)).toEqual([`${source} declares no services; add at least one to the SERVICES array`]);
  });

  it.each([null, 'api', 42])('rejects entry %j that is not an object, by its position', (entry) => {
    expect(check({ name: 'ok', command: 'x' }, entry)).toEqual([`entry 2 of SERVICES in ${source} is not an object`]);
  });

  it.each([
    [undefined, 'undefined'],
    ['', '""'],
    ['has space', '"has space"'],
    ['-leading-dash', '"-leading-dash"'],
    ['a/b', '"a/b"'],
    [7, '7'],
  ])('rejects the name %j and shows what it got', (name, shown) => {
    expect(check({ name, command: 'x' })).toEqual([
      `entry 1 of SERVICES in ${source} needs a name of letters, digits, '.', '_' or '-' (got ${shown})`,
    ]);
  });

  it('reserves the name "all"', () => {
    expect(check({ name: 'all', command: 'x' })).toEqual(['service "all": "all" is reserved for selecting every service; rename it']);
  });

  it('reports a duplicate name once, naming the file', () => {
    expect(check({ name: 'api', command: 'x' }, { name: 'api', command: 'y' })).toEqual([
      `service "api" is declared twice in ${source}; give each service a unique name`,
    ]);
  });

  it.each([
    ['an empty string', ''],
    ['a blank string', '   '],
    ['an empty array', []],
    ['an array whose program is empty', ['']],
    ['an array with a non-string part', ['node', 3]],
    ['a missing command', undefined],
    ['a number', 42],
  ])('rejects %s as command', (_, command) => {
    expect(check({ name: 'api', command })).toEqual([
      'service "api" has an empty command; set command to a shell string or a non-empty argv array',
    ]);
  });

  it('names both services that declare the same port', () => {
    expect(check({ name: 'a', command: 'x', port: 8080 }, { name: 'b', command: 'y', port: [9090, 8080] })).toEqual([
      'service "b" and service "a" both declare port 8080; give each its own port',
    ]);
  });

  it.each([
    [0, '0'],
    [65536, '65536'],
    [-1, '-1'],
    [80.5, '80.5'],
    ['8080', '"8080"'],
  ])('rejects port %j as out of range', (port, shown) => {
    expect(check({ name: 'api', command: 'x', port })).toEqual([
      `service "api" declares port ${shown}; a port is a whole number from 1 to 65535`,
    ]);
  });

  it('accepts ports 1 and 65535', () => {
    expect(check({ name: 'api', command: 'x', port: [1, 65535] })).toEqual([]);
  });

  it('names a dependency that is not defined, and the file', () => {
    expect(check({ name: 'api', command: 'x', dependsOn: ['db'] })).toEqual([
      `service "api" depends on "db", which is not defined in ${source}; add it or fix the name`,
    ]);
  });

  it('rejects a service that depends on itself', () => {
    expect(check({ name: 'api', command: 'x', dependsOn: ['api'] })).toEqual([
      'service "api" depends on itself; remove "api" from its dependsOn',
    ]);
  });

  it('accepts a dependency declared later in the array', () => {
    expect(check({ name: 'api', command: 'x', dependsOn: ['db'] }, { name: 'db', command: 'y' })).toEqual([]);
  });

  it.each([['db'], [['db', 3]]])('rejects dependsOn %j that is not an array of names', (dependsOn) => {
    expect(check({ name: 'db', command: 'x' }, { name: 'api', command: 'x', dependsOn })).toEqual([
      'service "api": dependsOn must be an array of service names',
    ]);
  });

  it.each(['SIGFOO', 'TERM', 'sigterm'])('rejects stopSignal %j and lists the accepted signals', (stopSignal) => {
    expect(check({ name: 'api', command: 'x', stopSignal })).toEqual([
      `service "api": stopSignal "${stopSignal}" is not one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGKILL`,
    ]);
  });

  it.each([
    ['readyTimeout', -1, '-1'],
    ['settleMs', -0.5, '-0.5'],
    ['stopTimeout', '5000', '"5000"'],
  ])('rejects %s = %j', (field, value, shown) => {
    expect(check({ name: 'api', command: 'x', [field]: value })).toEqual([
      `service "api": ${field} must be a number of milliseconds, not ${shown}`,
    ]);
  });

  it.each([
    ['readyTimeout', Number.NaN],
    ['settleMs', Number.POSITIVE_INFINITY],
    ['stopTimeout', Number.NaN],
  ])('rejects %s = %s', (field, value) => {
    const problems = check({ name: 'api', command: 'x', [field]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^service "api": ${field} must be a number of milliseconds, not `));
  });

  it.each([
    ['a number value', { PORT: 8080 }],
    ['a boolean value', { DEBUG: true }],
    ['a string instead of a map', 'PORT=8080'],
    ['null', null],
  ])('rejects env with %s and shows how to quote', (_, env) => {
    expect(check({ name: 'api', command: 'x', env })).toEqual([
      'service "api": env must map names to strings (quote numbers, e.g. PORT: "8080")',
    ]);
  });

  it('rejects a group with the same name as a service', () => {
    expect(check({ name: 'api', command: 'x' }, { name: 'web', command: 'y', group: ['front', 'api'] })).toEqual([
      'group "api" has the same name as a service; rename one so "up api" is not ambiguous',
    ]);
  });

  it('rejects a group named "all" and an invalid group name', () => {
    expect(check({ name: 'api', command: 'x', group: ['all', 'bad group'] })).toEqual([
      'service "api": group "bad group" is not a valid name',
      'group "all" is reserved for selecting every service; rename it',
    ]);
  });

  it.each([
    ['two kinds', { tcp: 8080, http: 'http://127.0.0.1:8080/' }, 'ready needs exactly one of tcp, http, log or command'],
    ['no kind', { status: [200, 299] }, 'ready needs exactly one of tcp, http, log or command'],
    ['a tcp port of 0', { tcp: 0 }, 'ready.tcp must be a port number'],
    ['a tcp port over 65535', { tcp: 70000 }, 'ready.tcp must be a port number'],
    ['a tcp port as a string', { tcp: '8080' }, 'ready.tcp must be a port number'],
    ['an http URL without a scheme', { http: '127.0.0.1:8080/health' }, 'ready.http must be a URL starting with http:// or https://'],
    ['an http URL with another scheme', { http: 'ftp://127.0.0.1/' }, 'ready.http must be a URL starting with http:// or https://'],
    ['a log pattern that is a number', { log: 5 }, 'ready.log must be a non-empty string or a RegExp'],
    ['a log pattern that does not compile', { log: '(' }, 'ready.log is not a valid regular expression (Invalid regular expression: /(/: Unterminated group)'],
    ['a global log RegExp', { log: /ready/g }, 'ready.log must not use the g or y flag (it makes test() skip matches)'],
    ['an empty tcp host', { tcp: 8080, host: '' }, 'ready.host must be a host name or address'],
    ['an HTTP status range upside down', { http: 'http://127.0.0.1/', status: [299, 200] }, 'ready.status must be [min, max] HTTP status codes, e.g. [200, 299]'],
    ['an HTTP status that is no status', { http: 'http://127.0.0.1/', status: [200, 700] }, 'ready.status must be [min, max] HTTP status codes, e.g. [200, 299]'],
    [
      'a string instead of an object',
      'tcp:8080',
      'ready must be an object such as { tcp: 8080 } or { http: "http://127.0.0.1:8080/health" }',
    ],
  ])('rejects ready with %s', (_, ready, problem) => {
    expect(check({ name: 'api', command: 'x', ready })).toEqual([`service "api": ${problem}`]);
  });

  // The module's contract: "a wrong type must not reach a spawn", and a command check is spawned.
  it.each([
    ['an empty string', ''],
    ['an empty array', []],
    ['a number', 42],
    ['an array with a non-string part', ['pg_isready', 5]],
  ])('rejects ready.command that is %s', (_, command) => {
    const problems = check({ name: 'api', command: 'x', ready: { command } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^service "api": ready\.command /);
  });

  it('accepts an https readiness URL', () => {
    expect(check({ name: 'api', command: 'x', ready: { http: 'https://localhost:8443/health' } })).toEqual([]);
  });

  it('reports every problem at once, in order', () => {
    const problems = check(
      { name: 'api', command: '', port: 8080, dependsOn: ['db', 'api'], stopSignal: 'SIGFOO' },
      { name: 'api', command: 'node api.js', port: 8080, env: { PORT: 8080 } },
      { name: 'web', command: ['node', 'web.js'], readyTimeout: -5, ready: { http: 'localhost:3000' } },
    );
    expect(problems).toEqual([
      'service "api" has an empty command; set command to a shell string or a non-empty argv array',
      'service "api": stopSignal "SIGFOO" is not one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGKILL',
      `service "api" is declared twice in ${source}; give each service a unique name`,
      'service "api" and service "api" both declare port 8080; give each its own port',
      'service "api": env must map names to strings (quote numbers, e.g. PORT: "8080")',
      'service "web": readyTimeout must be a number of milliseconds, not -5',
      'service "web": ready.http must be a URL starting with http:// or https://',
      `service "api" depends on "db", which is not defined in ${source}; add it or fix the name`,
      'service "api" depends on itself; remove "api" from its dependsOn',
    ]);
  });
});

describe('unknown keys', () => {
  it.each([
    [{ name: 'api', command: 'x', dependOn: ['db'] }, 'service "api" has an unknown key "dependOn"; did you mean "dependsOn"?'],
    [{ name: 'api', command: 'x', prot: 9000 }, 'service "api" has an unknown key "prot"; did you mean "port"?'],
    [{ name: 'api', command: 'x', Group: 'web' }, 'service "api" has an unknown key "Group"; did you mean "group"?'],
    [{ name: 'api', command: 'x', ready: { tcp: 80, hots: 'a' } }, 'the ready check of service "api" has an unknown key "hots"; did you mean "host"?'],
    [{ name: 'api', command: 'x', ready: { http: 'http://a/', stauts: [200, 299] } }, 'the ready check of service "api" has an unknown key "stauts"; did you mean "status"?'],
  ])('rejects %j with a "did you mean"', (service, problem) => {
    expect(check(service)).toEqual([problem]);
  });

  it('lists the known keys when no key is close', () => {
    const [problem] = check({ name: 'api', command: 'x', replicas: 3 });
    expect(problem).toMatch(/^service "api" has an unknown key "replicas"; remove it \(known keys: name, command, description, .*logMaxBytes\)$/);
  });

  it('names the entry by position when its name is misspelt too', () => {
    expect(check({ nmae: 'api', command: 'x' })).toEqual([
      `entry 1 of SERVICES in ${source} needs a name of letters, digits, '.', '_' or '-' (got undefined)`,
      'entry 1 of SERVICES has an unknown key "nmae"; did you mean "name"?',
    ]);
  });

  it('lists every unknown key of every service with the other problems', () => {
    expect(check({ name: 'redis', command: 'redis-server', prot: 9000 }, { name: 'api', command: '', dependOn: ['redis'] })).toEqual([
      'service "redis" has an unknown key "prot"; did you mean "port"?',
      'service "api" has an unknown key "dependOn"; did you mean "dependsOn"?',
      'service "api" has an empty command; set command to a shell string or a non-empty argv array',
    ]);
  });
});

describe('withDefaults', () => {
  const root = '/repo';

  it('fills every default for a service with only name and command', () => {
    expect(withDefaults({ name: 'api', command: 'node api.js' }, root, join)).toEqual({
      name: 'api',
      command: 'node api.js',
      commandText: 'node api.js',
      description: '',
      cwd: '/repo',
      env: { PYTHONUNBUFFERED: '1' },
      ports: [],
      dependsOn: [],
      groups: [],
      ready: undefined,
      readyTimeout: 30_000,
      settleMs: 300,
      stopTimeout: 10_000,
      stopSignal: 'SIGTERM',
      oneShot: false,
      restart: 'no',
      maxRestarts: 5,
      restartDelay: 500,
      logKeep: 5,
      logMaxBytes: undefined,
    });
  });

  it('keeps logKeep and parses logMaxBytes into bytes', () => {
    expect(withDefaults({ name: 'api', command: 'x', logKeep: 0, logMaxBytes: '50MB' }, root, join)).toMatchObject({ logKeep: 0, logMaxBytes: 50_000_000 });
    expect(withDefaults({ name: 'api', command: 'x', logMaxBytes: 4096 }, root, join).logMaxBytes).toBe(4096);
    expect(withDefaults({ name: 'api', command: 'x', logMaxBytes: '1GiB' }, root, join).logMaxBytes).toBe(2 ** 30);
  });

  it('keeps values the service sets', () => {
    const resolved = withDefaults(
      {
        name: 'api',
        command: ['node', 'api.js'],
        description: 'the API',
        dependsOn: ['db'],
        group: 'back',
        readyTimeout: 5000,
        settleMs: 0,
        stopTimeout: 1000,
        stopSignal: 'SIGINT',
      },
      root,
      join,
    );
    expect(resolved).toMatchObject({
      command: ['node', 'api.js'],
      description: 'the API',
      dependsOn: ['db'],
      groups: ['back'],
      readyTimeout: 5000,
      settleMs: 0,
      stopTimeout: 1000,
      stopSignal: 'SIGINT',
    });
  });

  it('adds PYTHONUNBUFFERED=1 to the service env', () => {
    expect(withDefaults({ name: 'api', command: 'x', env: { PORT: '8080' } }, root, join).env).toEqual({ PYTHONUNBUFFERED: '1', PORT: '8080' });
  });

  it('lets the service env override PYTHONUNBUFFERED', () => {
    expect(withDefaults({ name: 'api', command: 'x', env: { PYTHONUNBUFFERED: '0' } }, root, join).env).toEqual({ PYTHONUNBUFFERED: '0' });
  });

  it('turns a single port into a list and checks TCP readiness on it', () => {
    const resolved = withDefaults({ name: 'api', command: 'x', port: 8080 }, root, join);
    expect(resolved.ports).toEqual([8080]);
    expect(resolved.ready).toEqual({ tcp: 8080 });
  });

  it('checks TCP readiness on the first of several ports', () => {
    const resolved = withDefaults({ name: 'api', command: 'x', port: [8080, 9090] }, root, join);
    expect(resolved.ports).toEqual([8080, 9090]);
    expect(resolved.ready).toEqual({ tcp: 8080 });
  });

  it('keeps an explicit readiness check over the port default', () => {
    const ready = { http: 'http://127.0.0.1:8080/health' };
    expect(withDefaults({ name: 'api', command: 'x', port: 8080, ready }, root, join).ready).toEqual(ready);
  });

  it('turns groups into a list', () => {
    expect(withDefaults({ name: 'api', command: 'x', group: ['a', 'b'] }, root, join).groups).toEqual(['a', 'b']);
  });

  it('joins a relative cwd to the root', () => {
    expect(withDefaults({ name: 'api', command: 'x', cwd: 'services/api' }, root, join).cwd).toBe('/repo/services/api');
  });

  it('keeps an absolute cwd when the join resolves paths', () => {
    expect(withDefaults({ name: 'api', command: 'x', cwd: '/opt/api' }, root, resolve).cwd).toBe('/opt/api');
  });

  it('passes the root and the cwd to the injected join', () => {
    const calls: Array<[string, string]> = [];
    const joinPath = (base: string, path: string): string => (calls.push([base, path]), `${base}|${path}`);
    expect(withDefaults({ name: 'api', command: 'x', cwd: 'web' }, root, joinPath).cwd).toBe('/repo|web');
    expect(calls).toEqual([['/repo', 'web']]);
  });
});

describe('validateServices field types', () => {
  it.each([
    ['cwd', { cwd: 5 }, 'cwd must be a string'],
    ['description', { description: ['x'] }, 'description must be a string'],
    ['env given as an array', { env: ['A=1'] }, 'env must map names to strings (quote numbers, e.g. PORT: "8080")'],
    ['oneShot', { oneShot: 'yes' }, 'oneShot must be true or false'],
  ])('rejects a wrong %s', (_, fields, problem) => {
    expect(validateServices([{ name: 'api', command: 'x', ...fields }], 'startup.ts')).toEqual([`service "api": ${problem}`]);
  });
});

describe('log rotation fields', () => {
  it('accepts logKeep 0 and up, and logMaxBytes as a number or a size', () => {
    expect(check({ name: 'a', command: 'x', logKeep: 0 }, { name: 'b', command: 'x', logKeep: 10, logMaxBytes: '50MB' }, { name: 'c', command: 'x', logMaxBytes: 1_000_000 })).toEqual([]);
  });

  it.each([
    [-1, '-1'],
    [1.5, '1.5'],
    ['5', '"5"'],
  ])('rejects logKeep %j', (logKeep, shown) => {
    expect(check({ name: 'api', command: 'x', logKeep })).toEqual([
      `service "api": logKeep must be a whole number of old logs to keep (0 appends to one log), not ${shown}`,
    ]);
  });

  it.each([
    ['lots', '"lots"'],
    ['50 parsecs', '"50 parsecs"'],
    [0, '0'],
    [-5, '-5'],
    [true, 'true'],
  ])('rejects logMaxBytes %j', (logMaxBytes, shown) => {
    expect(check({ name: 'api', command: 'x', logMaxBytes })).toEqual([
      `service "api": logMaxBytes must be a number of bytes or a size such as "50MB" or "1GiB", not ${shown}`,
    ]);
  });
});

describe('commandText', () => {
  it.each([
    ['a shell string as it is', 'cargo run --release --bin relay', 'cargo run --release --bin relay'],
    ['plain argv joined', ['node', 'examples/demo/x.mjs', '--port=7101'], 'node examples/demo/x.mjs --port=7101'],
    ['argv with spaces and quotes quoted', ['python3', '-c', `print("it's")`], `python3 -c 'print("it'\\''s")'`],
    ['an empty argument kept visible', ['printf', ''], `printf ''`],
  ])('shows %s', (_, command, text) => {
    expect(commandText(command)).toBe(text);
  });
});

describe('one-shot tasks', () => {
  it('rejects a port or a ready check on a task, which is done when it exits 0', () => {
    expect(validateServices([{ name: 'migrate', command: 'x', oneShot: true, port: 5000 }], 'startup.ts')).toEqual([
      'service "migrate" is a oneShot task, which is done when it exits 0; remove its port and ready check',
    ]);
  });
});
