// A throwaway stack for integration tests: its own state directory, services, and cleanup of every process.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, expect } from 'vitest';
import type { Context } from '../../scripts/lib/manage/config.ts';
import { ProcSource, PsSource, type ProcessSource } from '../../scripts/lib/manage/process/processes.ts';
import { withDefaults, type Service } from '../../scripts/lib/manage/core/service.ts';
import { createUi } from '../../scripts/lib/manage/terminal/ui.ts';
import { pollUntil } from '../../scripts/lib/manage/process/poll.ts';

export const fixtures = join(import.meta.dirname, '..', 'fixtures');
export const serverFixture = join(fixtures, 'server.mjs');

export interface TestStack {
  context: Context;
  /** Environment for processes a test starts itself, so cleanup finds them too. */
  markerEnv: Record<string, string>;
  output: string[];
  errors: string[];
  /** Every process on the machine started by this stack (found by the marker in its environment). */
  processes(): number[];
  cleanup(): Promise<void>;
}

/** Every service gets MANAGE_TEST_MARKER in its env, so the test finds all it started, grandchildren too. */
export function createStack(services: Service[], options: { source?: 'proc' | 'ps' } = {}): TestStack {
  const stateDir = mkdtempSync(join(tmpdir(), 'manage-test-'));
  const marker = randomUUID();
  const output: string[] = [];
  const errors: string[] = [];
  const marked = services.map((service) => ({ ...service, env: { ...service.env, MANAGE_TEST_MARKER: marker } }));
  const processes: ProcessSource = options.source === 'ps' ? new PsSource() : new ProcSource();
  const context: Context = {
    stateDir,
    logDir: join(stateDir, 'logs'),
    servicesFile: join(stateDir, 'services.ts'),
    services: marked.map((service) => withDefaults(service, stateDir, (base, path) => resolve(base, path))),
    processes,
    ui: createUi({ isTty: false, write: (line) => output.push(line), writeError: (line) => errors.push(line) }),
  };
  const started = (): number[] => markedProcesses(marker);
  const stack: TestStack = {
    context,
    markerEnv: { MANAGE_TEST_MARKER: marker },
    output,
    errors,
    processes: started,
    async cleanup() {
      for (const pid of started()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await pollUntil(() => (started().length === 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  created.push(stack);
  return stack;
}

/** Live (non-zombie) processes whose environment carries the marker. */
export function markedProcesses(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state === 'Z' || state === 'X') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`MANAGE_TEST_MARKER=${marker}`)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** Whether a PID is a live (non-zombie) process, read from /proc. */
export function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function node(...args: string[]): string[] {
  return [process.execPath, ...args];
}

/** Stacks created since the last cleanup: withStackCleanup() ends them all after each test. */
const created: TestStack[] = [];

/**
 * Registers the cleanup every integration suite needs: after each test, every stack it created has its
 * processes killed by PID, and the test fails if it left any running.
 */
export function withStackCleanup(): void {
  afterEach(async () => {
    const stacks = created.splice(0);
    const leftovers = stacks.flatMap((stack) => stack.processes());
    for (const stack of stacks) await stack.cleanup();
    expect(leftovers, 'processes the test left running').toEqual([]);
  });
}
