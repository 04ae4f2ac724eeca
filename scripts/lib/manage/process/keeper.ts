// Restart policies: wrapping a service's command in keeper.sh, and reading what the keeper recorded.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedService } from '../core/service.ts';
import { engineDir } from '../launch/paths.ts';
import { commandArgv } from './shell.ts';

const keeperScript = join(engineDir, 'process', 'keeper.sh');

export function keeperStatePath(stateDir: string, service: string): string {
  return join(stateDir, '.pids', `${service}.keeper`);
}

/** The command and environment a service starts with: as declared, or under the keeper when it restarts. */
export function keptCommand(service: ResolvedService, stateDir: string, env: Record<string, string>): { command: string | string[]; env: Record<string, string> } {
  if (service.restart === 'no') return { command: service.command, env };
  const [file, args] = commandArgv(service.command);
  return {
    command: ['/bin/sh', keeperScript, file, ...args],
    env: {
      ...env,
      MANAGE_KEEPER_POLICY: service.restart,
      MANAGE_KEEPER_MAX_RESTARTS: String(service.maxRestarts),
      MANAGE_KEEPER_DELAY_MS: String(Math.round(service.restartDelay)),
      MANAGE_KEEPER_STATE: keeperStatePath(stateDir, service.name),
    },
  };
}

/** What the keeper last wrote: restarts so far and the last exit code, and when (the file's exact mtime). */
export interface KeeperState {
  restarts: number;
  lastExit: number;
  at: string;
}

/** Parses "restarts=N last_exit=CODE" (pure); undefined for anything else. */
export function parseKeeperState(text: string): Omit<KeeperState, 'at'> | undefined {
  const match = /^restarts=(\d+) last_exit=(\d+)$/m.exec(text);
  return match ? { restarts: Number(match[1]), lastExit: Number(match[2]) } : undefined;
}

export function readKeeperState(stateDir: string, service: string): KeeperState | undefined {
  const path = keeperStatePath(stateDir, service);
  try {
    const parsed = parseKeeperState(readFileSync(path, 'utf8'));
    return parsed && { ...parsed, at: new Date(statSync(path).mtimeMs).toISOString() };
  } catch {
    return undefined;
  }
}

export function removeKeeperState(stateDir: string, service: string): void {
  rmSync(keeperStatePath(stateDir, service), { force: true });
}
