// up, status and down on real processes: dependency order, readiness, group shutdown, escalation, no orphans.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidFilePath, readPidFile } from '../../scripts/lib/manage/state/pidfile.ts';
import type { Service } from '../../scripts/lib/manage/core/service.ts';
import { down } from '../../scripts/lib/manage/shutdown.ts';
import { up } from '../../scripts/lib/manage/up.ts';
import { collectStatus } from '../../scripts/lib/manage/status.ts';
import { freePorts } from '../helpers/ports.ts';
import { createStack, fixtures, isRunning, node, serverFixture, withStackCleanup, type TestStack } from '../helpers/stack.ts';

withStackCleanup();

function logOf(stack: TestStack, name: string): string {
  return readFileSync(`${stack.context.logDir}/${name}.log`, 'utf8');
}

describe('up and down', () => {
  it('starts a chain in dependency order, only after each dependency listens, and stops it completely', async () => {
    const [a, b, c] = await freePorts(3);
    const stack = createStack([
      { name: 'web', command: node(serverFixture), env: { PORT: String(c) }, port: c, dependsOn: ['api'] },
      { name: 'api', command: node(serverFixture), env: { PORT: String(b), LISTEN_DELAY_MS: '300' }, port: b, dependsOn: ['db'] },
      { name: 'db', command: node(serverFixture), env: { PORT: String(a), LISTEN_DELAY_MS: '300' }, port: a },
    ]);
    const results = await up(stack.context, []);
    expect(results.map((result) => [result.name, result.outcome])).toEqual([
      ['db', 'started'],
      ['api', 'started'],
      ['web', 'started'],
    ]);
    // Each header line records when the service was spawned; each "listening" line when it was ready.
    const spawnedAt = (name: string): number => Date.parse(/^=== (\S+)/m.exec(logOf(stack, name))![1]!);
    const listeningAt = (name: string): number => Date.parse(/^(\S+) INFO {2}listening/m.exec(logOf(stack, name))![1]!);
    expect(spawnedAt('api')).toBeGreaterThanOrEqual(listeningAt('db'));
    expect(spawnedAt('web')).toBeGreaterThanOrEqual(listeningAt('api'));

    const status = await collectStatus(stack.context, []);
    expect(status.summary).toEqual({ total: 3, running: 3, ready: 3, starting: 0, unhealthy: 0, stopped: 0, dead: 0, completed: 0, failed: 0 });
    for (const service of status.services) {
      expect(service.ports).toEqual([{ port: expect.any(Number), listening: true, heldBy: 'service' }]);
      expect(service.ready).toEqual({ check: `tcp 127.0.0.1:${service.ports[0]!.port}`, passedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), ok: true, detail: null });
    }
    const pids = stack.processes();
    expect(pids.length).toBe(3);

    const stopped = await down(stack.context, []);
    expect(stopped.map((result) => [result.name, result.outcome])).toEqual([
      ['web', 'stopped'],
      ['api', 'stopped'],
      ['db', 'stopped'],
    ]);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(existsSync(pidFilePath(stack.context.stateDir, 'db'))).toBe(false);
    expect((await collectStatus(stack.context, [])).summary.stopped).toBe(3);
  });

  it('starts a diamond with both middle services in parallel and the bottom after both', async () => {
    const [top, left, right, bottom] = await freePorts(4);
    const delayed = (port: number) => ({ PORT: String(port), LISTEN_DELAY_MS: '300' });
    const stack = createStack([
      { name: 'top', command: node(serverFixture), env: delayed(top!), port: top },
      { name: 'left', command: node(serverFixture), env: delayed(left!), port: left, dependsOn: ['top'] },
      { name: 'right', command: node(serverFixture), env: delayed(right!), port: right, dependsOn: ['top'] },
      { name: 'bottom', command: node(serverFixture), env: delayed(bottom!), port: bottom, dependsOn: ['left', 'right'] },
    ]);
    expect((await up(stack.context, [])).map((result) => result.outcome)).toEqual(['started', 'started', 'started', 'started']);
    const spawnedAt = (name: string): number => Date.parse(/^=== (\S+)/m.exec(logOf(stack, name))![1]!);
    const listeningAt = (name: string): number => Date.parse(/^(\S+) INFO {2}listening/m.exec(logOf(stack, name))![1]!);
    // Both middle services are spawned before either listens: they do not wait for each other.
    expect(spawnedAt('right')).toBeLessThan(listeningAt('left'));
    expect(spawnedAt('left')).toBeLessThan(listeningAt('right'));
    expect(spawnedAt('left')).toBeGreaterThanOrEqual(listeningAt('top'));
    expect(spawnedAt('bottom')).toBeGreaterThanOrEqual(Math.max(listeningAt('left'), listeningAt('right')));
    await down(stack.context, []);
  });

  it('leaves no child of a shell wrapper alive, even one in its own process group', async () => {
    const [port] = await freePorts(1);
    // bash's `set -m` puts each background job in a process group of its own, inside the service's session.
    const stack = createStack([
      { name: 'wrapper', command: ['bash', '-c', `set -m; "${process.execPath}" "${serverFixture}" & sleep 1000 & wait`], env: { PORT: String(port) }, port },
    ]);
    expect((await up(stack.context, []))[0]!.outcome).toBe('started');
    const before = stack.processes();
    expect(before.length).toBe(3);
    const groups = new Set(before.map((pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]));
    expect(groups.size).toBeGreaterThan(1);

    const [result] = await down(stack.context, []);
    expect(result!.outcome).toBe('stopped');
    expect(before.filter(isRunning)).toEqual([]);
  });

  it('keeps waiting for children that outlive their leader', async () => {
    const stack = createStack([
      // sh dies on SIGTERM at once; its child needs 400 ms more.
      { name: 'lingering', command: `"${process.execPath}" "${serverFixture}" & wait`, env: { EXIT_DELAY_MS: '400' } },
    ]);
    await up(stack.context, []);
    const before = stack.processes();
    const [result] = await down(stack.context, []);
    expect(result!.outcome).toBe('stopped');
    expect(result!.outcome === 'stopped' && result!.ms).toBeGreaterThanOrEqual(350);
    expect(before.filter(isRunning)).toEqual([]);
  });

  it('escalates to SIGKILL after the stop timeout for a service that ignores SIGTERM', async () => {
    const stack = createStack([{ name: 'stubborn', command: node(serverFixture), env: { IGNORE_SIGTERM: '1' }, stopTimeout: 500 }]);
    await up(stack.context, []);
    const [result] = await down(stack.context, []);
    expect(result!.outcome).toBe('killed');
    expect(result!.outcome === 'killed' && result!.ms).toBeGreaterThanOrEqual(500);
    expect(logOf(stack, 'stubborn')).toContain('ignoring SIGTERM');
  });

  it('kills at once with force', async () => {
    const stack = createStack([{ name: 'stubborn', command: node(serverFixture), env: { IGNORE_SIGTERM: '1' }, stopTimeout: 30_000 }]);
    await up(stack.context, []);
    const [result] = await down(stack.context, [], { force: true });
    expect(result!.outcome).toBe('killed');
    expect(logOf(stack, 'stubborn')).not.toContain('ignoring SIGTERM');
  });

  it('stops independent services in parallel, so two stubborn ones take one timeout', async () => {
    const stack = createStack([
      { name: 'one', command: node(serverFixture), env: { IGNORE_SIGTERM: '1' }, stopTimeout: 1000 },
      { name: 'two', command: node(serverFixture), env: { IGNORE_SIGTERM: '1' }, stopTimeout: 1000 },
    ]);
    await up(stack.context, []);
    const results = await down(stack.context, []);
    expect(results.map((result) => result.outcome)).toEqual(['killed', 'killed']);
    // Stopped one after the other, the second SIGTERM would come a whole stop timeout after the first.
    const sigtermAt = (name: string): number => Date.parse(/^(\S+) INFO {2}ignoring SIGTERM/m.exec(logOf(stack, name))![1]!);
    expect(Math.abs(sigtermAt('one') - sigtermAt('two'))).toBeLessThan(500);
  });

  it('leaves a running service alone on a second up', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([{ name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port }]);
    const [first] = await up(stack.context, []);
    const [second] = await up(stack.context, []);
    expect(second).toEqual({ name: 'api', outcome: 'running', pid: first!.outcome === 'started' ? first!.pid : -1 });
    expect(stack.processes().length).toBe(1);
    await down(stack.context, []);
  });
});

describe('failures during up', () => {
  it('reports a service that exits at once with its exit code and log, and skips its dependents', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([
      { name: 'broken', command: 'echo "config file missing" >&2; exit 3' },
      { name: 'needs-broken', command: node(serverFixture), dependsOn: ['broken'] },
      { name: 'unrelated', command: node(serverFixture), env: { PORT: String(port) }, port },
    ]);
    const results = await up(stack.context, []);
    expect(results).toContainEqual(expect.objectContaining({ name: 'broken', outcome: 'failed', reason: expect.stringMatching(/^exited with code 3/) }));
    expect(results.find((result) => result.name === 'broken')).toMatchObject({ logTail: ['config file missing'] });
    expect(results).toContainEqual({ name: 'needs-broken', outcome: 'skipped', dependency: 'broken' });
    expect(results).toContainEqual(expect.objectContaining({ name: 'unrelated', outcome: 'started' }));
    expect(readPidFile(stack.context.stateDir, 'broken')).toBeUndefined();
    expect(stack.errors.join('\n')).toContain('| config file missing');
    await down(stack.context, []);
  });

  it('says "command not found" for a missing binary, and "cannot execute" for a missing argv[0]', async () => {
    const stack = createStack([
      { name: 'typo', command: 'no-such-binary-xyz --serve' },
      { name: 'argv', command: ['/no/such/binary'] },
    ]);
    const results = await up(stack.context, []);
    expect(results[0]).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('command not found') });
    expect(results[1]).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('cannot execute "/no/such/binary"') });
  });

  it('stops a service that never becomes ready by its deadline', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([{ name: 'silent', command: node(serverFixture), port, readyTimeout: 400 }]);
    const [result] = await up(stack.context, []);
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining(`not ready after`) });
    expect(result).toMatchObject({ reason: expect.stringContaining(`tcp 127.0.0.1:${port}`) });
    expect(stack.processes()).toEqual([]);
    expect(readPidFile(stack.context.stateDir, 'silent')).toBeUndefined();
  });

  it('refuses to start on a port held by a stranger, names it, and changes nothing; --force stops it', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([{ name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port }]);
    const stranger = spawn(process.execPath, [serverFixture], { env: { ...process.env, ...stack.markerEnv, PORT: String(port) }, stdio: 'ignore' });
    await expect.poll(() => stack.context.processes.portHolders(port)).toMatchObject({ held: true });
    const failure = up(stack.context, []);
    await expect(failure).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(`port ${port} for "api" is held by pid ${stranger.pid} (`) });
    expect(readPidFile(stack.context.stateDir, 'api')).toBeUndefined();
    expect(existsSync(`${stack.context.logDir}/api.log`)).toBe(false);

    const forced = await up(stack.context, [], { force: true });
    expect(forced[0]!.outcome).toBe('started');
    expect(isRunning(stranger.pid!)).toBe(false);
    expect(stack.output.join('\n')).toContain(`--force: stopped pid ${stranger.pid}`);
    await down(stack.context, []);
  });

  it('never takes --force as leave to stop another declared service on the port', async () => {
    const [port, other] = await freePorts(2);
    const stack = createStack([
      { name: 'squatter', command: node(serverFixture), env: { PORT: String(port) }, port: other },
      { name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port },
    ]);
    await up(stack.context, ['squatter'], { noWait: true });
    const squatter = readPidFile(stack.context.stateDir, 'squatter')!;
    await expect.poll(() => stack.context.processes.portHolders(port)).toMatchObject({ held: true });
    await expect(up(stack.context, ['api'], { force: true })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(`port ${port} for "api" is held by service "squatter" (pid ${squatter.pid})`),
    });
    expect(isRunning(squatter.pid)).toBe(true);
    await down(stack.context, []);
  });
});

describe('readiness checks', () => {
  it('does not count a stranger answering on the port as the service being ready', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([
      { name: 'stranger', command: node(serverFixture), env: { PORT: String(port) } },
      { name: 'api', command: node(serverFixture), ready: { tcp: port }, readyTimeout: 400 },
    ]);
    await up(stack.context, ['stranger'], { noWait: true });
    await expect.poll(() => stack.context.processes.portHolders(port)).toMatchObject({ held: true });
    const [result] = await up(stack.context, ['api']);
    const stranger = readPidFile(stack.context.stateDir, 'stranger')!.pid;
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining(`port ${port} is held by pid ${stranger} (`) });
    expect(result).toMatchObject({ reason: expect.stringContaining('outside the process group of api') });
    await down(stack.context, []);
  });

  it('says so when a service daemonizes out of its session and holds its port from there', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([
      { name: 'daemon', command: `setsid "${process.execPath}" "${serverFixture}" & exec sleep 30`, env: { PORT: String(port) }, port, readyTimeout: 1500 },
    ]);
    const [result] = await up(stack.context, []);
    const holders = await stack.context.processes.portHolders(port);
    const escaped = holders.held ? holders.pids : [];
    for (const pid of escaped) process.kill(pid, 'SIGKILL');
    expect(escaped.length).toBe(1);
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining(`is held by pid ${escaped[0]}`) });
    expect(result).toMatchObject({ reason: expect.stringContaining('if its command daemonizes, run it in the foreground') });
  });

  it('waits for an HTTP status in range, a log line, and a command', async () => {
    const [httpPort, logPort] = await freePorts(2);
    const stack = createStack([
      { name: 'http', command: node(serverFixture), env: { PORT: String(httpPort), LISTEN_DELAY_MS: '200' }, ready: { http: `http://127.0.0.1:${httpPort}/health` } },
      { name: 'logline', command: node(serverFixture), env: { PORT: String(logPort), LISTEN_DELAY_MS: '200' }, ready: { log: /listening on \d+/ } },
      { name: 'cmd', command: node(serverFixture), ready: { command: `test -n "$MANAGE_TEST_MARKER"` }, dependsOn: ['http', 'logline'] },
    ]);
    const results = await up(stack.context, []);
    expect(results.map((result) => result.outcome)).toEqual(['started', 'started', 'started']);
    for (const result of results.slice(0, 2)) expect(result.outcome === 'started' && result.ms).toBeGreaterThanOrEqual(150);
    await down(stack.context, []);
  });

  it('fails an HTTP check whose status stays out of range', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([
      { name: 'unhealthy', command: node(serverFixture), env: { PORT: String(port), HTTP_STATUS: '503' }, ready: { http: `http://127.0.0.1:${port}/` }, readyTimeout: 500 },
    ]);
    const [result] = await up(stack.context, []);
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('HTTP 503') });
  });

  it('trusts the certificate of an HTTPS check from NODE_EXTRA_CA_CERTS, as Node would, and only then', async () => {
    const [untrusted, trusted] = await freePorts(2);
    const certificate = join(fixtures, 'tls', 'cert.pem');
    const https = (name: string, port: number, readyTimeout: number): Service => ({
      name,
      command: node(serverFixture),
      env: { PORT: String(port), TLS_CERT: certificate, TLS_KEY: join(fixtures, 'tls', 'key.pem') },
      ready: { http: `https://127.0.0.1:${port}/` },
      readyTimeout,
    });
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    try {
      delete process.env.NODE_EXTRA_CA_CERTS;
      const [refused] = await up(createStack([https('untrusted', untrusted, 1000)]).context, []);
      expect(refused).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('self-signed certificate') });

      process.env.NODE_EXTRA_CA_CERTS = certificate;
      const stack = createStack([https('trusted', trusted, 10_000)]);
      const [started] = await up(stack.context, []);
      expect(started!.outcome).toBe('started');
      await down(stack.context, []);
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
    }
  });

  it('checks an already running service against the log of its own start only', async () => {
    const stack = createStack([{ name: 'slow', command: node(serverFixture), env: { LISTEN_DELAY_MS: '100000' }, ready: { log: 'running without a port' }, readyTimeout: 300 }]);
    mkdirSync(stack.context.logDir, { recursive: true });
    writeFileSync(`${stack.context.logDir}/slow.log`, 'running without a port (an earlier run)\n');
    const [started] = await up(stack.context, [], { noWait: true });
    expect(started!.outcome).toBe('started');
    const [again] = await up(stack.context, []);
    expect(again).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('already running (pid') });
    expect(again).toMatchObject({ reason: expect.stringContaining('left as it is') });
    // Not ready is not a reason to stop what the user already had running.
    expect(stack.processes().length).toBe(1);
    await down(stack.context, []);
  });

  it('ends a check command at the deadline, however it treats SIGTERM', async () => {
    const stack = createStack([{ name: 'api', command: node(serverFixture), ready: { command: 'trap "" TERM; sleep 30' }, readyTimeout: 600 }]);
    const [result] = await up(stack.context, []);
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('command timed out') });
    expect(result!.outcome === 'failed' && result!.reason).toMatch(/not ready after (\d+ ms|1\.\d s)/);
    expect(stack.processes()).toEqual([]);
  });

  it('with --no-wait still reports a service that exits at once', async () => {
    const stack = createStack([{ name: 'broken', command: 'exit 5' }]);
    const [result] = await up(stack.context, [], { noWait: true });
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^exited with code 5/) });
    expect(readPidFile(stack.context.stateDir, 'broken')).toBeUndefined();
  });

  it('does not count log lines from an earlier run', async () => {
    const stack = createStack([{ name: 'once', command: node(serverFixture), ready: { log: 'running without a port' }, readyTimeout: 3000 }]);
    await up(stack.context, []);
    await down(stack.context, []);
    stack.context.services[0]!.ready = { log: 'running without a port', } ;
    stack.context.services[0]!.command = 'sleep 100';
    stack.context.services[0]!.readyTimeout = 400;
    const [result] = await up(stack.context, []);
    expect(result!.outcome).toBe('failed');
  });
});

describe('environment', () => {
  it('reads envFile at start, lets env win over it, and refuses a missing one before starting anything', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([
      { name: 'api', command: node(serverFixture), envFile: 'api.env', env: { LISTEN_DELAY_MS: '0' }, port, ready: { command: 'test "$GREETING" = "hello world"' } },
    ]);
    writeFileSync(`${stack.context.stateDir}/api.env`, `# comment\nPORT=${port}\nGREETING="hello world"\nLISTEN_DELAY_MS=9999\n`);
    const [result] = await up(stack.context, []);
    expect(result!.outcome).toBe('started');
    const pid = readPidFile(stack.context.stateDir, 'api')!.pid;
    const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environment).toEqual(expect.arrayContaining([`PORT=${port}`, 'GREETING=hello world', 'LISTEN_DELAY_MS=0', 'PYTHONUNBUFFERED=1']));
    await down(stack.context, []);

    rmSync(`${stack.context.stateDir}/api.env`);
    await expect(up(stack.context, [])).rejects.toMatchObject({ exitCode: 1, message: expect.stringContaining('cannot read the env file of service "api"') });
    expect(stack.processes()).toEqual([]);
  });
});

describe('one-shot tasks', () => {
  it('runs a task to completion before its dependents start, and status says COMPLETED', async () => {
    const [port] = await freePorts(1);
    const stack = createStack([
      { name: 'migrate', command: 'sleep 0.3; echo "migrated 3 tables"', oneShot: true },
      { name: 'api', command: node(serverFixture), env: { PORT: String(port) }, port, dependsOn: ['migrate'] },
    ]);
    const results = await up(stack.context, []);
    expect(results.map((result) => [result.name, result.outcome])).toEqual([['migrate', 'completed'], ['api', 'started']]);
    expect(stack.output.join('\n')).toMatch(/ok migrate {2}completed in \d+ ms \(exit 0\)/);
    const migrated = Date.parse(/^=== (\S+)/m.exec(logOf(stack, 'api'))![1]!);
    const migrateStarted = Date.parse(/^=== (\S+)/m.exec(logOf(stack, 'migrate'))![1]!);
    expect(migrated - migrateStarted).toBeGreaterThanOrEqual(300);
    expect(readPidFile(stack.context.stateDir, 'migrate')).toBeUndefined();

    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'completed', pid: null, lastRun: { exitCode: 0, signal: null } });
    expect(status.summary).toMatchObject({ running: 1, completed: 1 });
    await down(stack.context, []);
    expect((await collectStatus(stack.context, ['migrate'])).services[0]!.state).toBe('stopped');
  });

  it('says a task that runs past readyTimeout did not finish, and status says so too', async () => {
    const stack = createStack([{ name: 'slow-task', command: 'sleep 30', oneShot: true, readyTimeout: 300 }]);
    const [result] = await up(stack.context, []);
    expect(result).toMatchObject({ outcome: 'failed', reason: 'did not finish within 300 ms (readyTimeout); stopped it' });
    const status = await collectStatus(stack.context, []);
    expect(status.services[0]).toMatchObject({ state: 'dead', reason: expect.stringContaining("the task's last run did not finish within readyTimeout") });
  });

  it('fails like a crash on a non-zero exit, skips dependents, and stops what the task left behind', async () => {
    const stack = createStack([
      { name: 'build', command: `"${process.execPath}" "${serverFixture}" & echo "error[E0425]: cannot find value"; exit 101`, oneShot: true },
      { name: 'relay', command: node(serverFixture), dependsOn: ['build'] },
    ]);
    const results = await up(stack.context, []);
    expect(results[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^exited with code 101/), logTail: ['error[E0425]: cannot find value'] });
    expect(results[1]).toEqual({ name: 'relay', outcome: 'skipped', dependency: 'build' });
    expect(stack.processes()).toEqual([]);
    const status = await collectStatus(stack.context, ['build']);
    expect(status.services[0]).toMatchObject({ state: 'dead', reason: expect.stringContaining("the task's last run exited with code 101") });
  });
});
