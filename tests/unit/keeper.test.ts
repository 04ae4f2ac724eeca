// The keeper's wrapping of a command and the state line it writes (pure).
import { describe, expect, it } from 'vitest';
import { keptCommand, parseKeeperState } from '../../scripts/lib/manage/process/keeper.ts';
import { withDefaults, validateServices } from '../../scripts/lib/manage/core/service.ts';

const resolve = (base: string, path: string): string => `${base}/${path}`;

describe('keptCommand', () => {
  it('leaves a service without a restart policy as declared', () => {
    const service = withDefaults({ name: 'api', command: 'node api.js' }, '/repo', resolve);
    expect(keptCommand(service, '/state', { A: '1' })).toEqual({ command: 'node api.js', env: { A: '1' } });
  });

  it('runs a restarting service under keeper.sh with its policy in the environment', () => {
    const service = withDefaults({ name: 'api', command: 'node api.js', restart: 'on-failure', maxRestarts: 3, restartDelay: 250 }, '/repo', resolve);
    const kept = keptCommand(service, '/state', { A: '1' });
    expect(kept.command).toEqual(['/bin/sh', expect.stringMatching(/scripts\/lib\/manage\/process\/keeper\.sh$/), '/bin/sh', '-c', 'node api.js']);
    expect(kept.env).toEqual({
      A: '1',
      MANAGE_KEEPER_POLICY: 'on-failure',
      MANAGE_KEEPER_MAX_RESTARTS: '3',
      MANAGE_KEEPER_DELAY_MS: '250',
      MANAGE_KEEPER_STATE: '/state/.pids/api.keeper',
    });
  });

  it('passes an argv command through unchanged', () => {
    const service = withDefaults({ name: 'api', command: ['postgres', '-D', 'data dir'], restart: 'always' }, '/repo', resolve);
    expect(keptCommand(service, '/state', {}).command.slice(2)).toEqual(['postgres', '-D', 'data dir']);
  });
});

describe('parseKeeperState', () => {
  it.each([
    ['restarts=2 last_exit=3\n', { restarts: 2, lastExit: 3 }],
    ['restarts=0 last_exit=137', { restarts: 0, lastExit: 137 }],
    ['', undefined],
    ['restarts=x last_exit=3', undefined],
  ])('parses %j', (text, expected) => {
    expect(parseKeeperState(text)).toEqual(expected);
  });
});

describe('restart validation', () => {
  it.each([
    [{ restart: 'sometimes' }, 'service "api": restart must be "no", "on-failure" or "always", not "sometimes"'],
    [{ restart: 'always', oneShot: true }, 'service "api" is a oneShot task; a restart policy does not apply to it'],
    [{ maxRestarts: -1 }, 'service "api": maxRestarts must be a whole number, not -1'],
    [{ restartDelay: 'soon' }, 'service "api": restartDelay must be a number of milliseconds, not "soon"'],
  ])('rejects %j', (fields, problem) => {
    expect(validateServices([{ name: 'api', command: 'x', ...fields }], 'startup.ts')).toEqual([problem]);
  });
});
