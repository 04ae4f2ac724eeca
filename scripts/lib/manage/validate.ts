// `validate`: the checks a team runs in its own CI on its services file: it loads, it is valid, it type-checks.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath, inspectServices } from './config.ts';
import { ManageError } from './core/errors.ts';
import { engineDir, repoRoot } from './launch/paths.ts';
import { stripAnsi } from './logfiles/logfilter.ts';
import { runCaptured } from './process/shell.ts';
import type { Ui } from './terminal/ui.ts';

/** One check: passed, failed (with its problems), or skipped (why, in `summary`). */
export interface CheckResult {
  name: 'load' | 'validate' | 'types';
  status: 'ok' | 'failed' | 'skipped';
  summary: string;
  problems: string[];
}

/** What `validate --json` prints (docs/status-json.md). */
export interface ValidateReport {
  schemaVersion: 1;
  servicesFile: string;
  /** False when a check failed, or (with --strict) was skipped. */
  ok: boolean;
  checks: CheckResult[];
}

export interface ValidateOptions {
  /** A skipped type check fails too. */
  strict: boolean;
  /** Where to look for tsc: the repository's own node_modules first, then the engine's. */
  tscCandidates?: string[];
}

/** A type check of one file is seconds at most; a minute means something hangs. */
const typeCheckTimeoutMs = 60_000;

export async function validate(servicesFile: string, options: ValidateOptions): Promise<ValidateReport> {
  const checks: CheckResult[] = [];
  let loaded: Awaited<ReturnType<typeof inspectServices>> | undefined;
  try {
    loaded = await inspectServices(servicesFile);
  } catch (error) {
    if (!(error instanceof ManageError)) throw error;
    checks.push({ name: 'load', status: 'failed', summary: `cannot load ${displayPath(servicesFile)}`, problems: [error.message, ...(error.hint ? [error.hint] : [])] });
  }
  if (loaded) {
    const count = Array.isArray(loaded.declared) ? loaded.declared.length : 0;
    checks.push({ name: 'load', status: 'ok', summary: `${loaded.source}: ${count} service${count === 1 ? '' : 's'}`, problems: [] });
    const problems = loaded.problems;
    checks.push(
      problems.length === 0
        ? { name: 'validate', status: 'ok', summary: 'no problems', problems: [] }
        : { name: 'validate', status: 'failed', summary: `${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems },
    );
  }
  checks.push(await typeCheck(servicesFile, options.tscCandidates ?? defaultTscCandidates()));
  const ok = checks.every((check) => check.status === 'ok' || (check.status === 'skipped' && !options.strict));
  return { schemaVersion: 1, servicesFile, ok, checks };
}

function defaultTscCandidates(): string[] {
  return [join(repoRoot, 'node_modules', '.bin', 'tsc'), join(engineDir, 'node_modules', '.bin', 'tsc')];
}

/**
 * tsc on the services file alone, with the options the editor setup of `init` uses, so it passes wherever the
 * editor shows no error; it follows the file's imports, the Service type among them.
 */
async function typeCheck(servicesFile: string, candidates: string[]): Promise<CheckResult> {
  if (!/\.[cm]?tsx?$/.test(servicesFile)) {
    return { name: 'types', status: 'skipped', summary: `type check skipped: ${displayPath(servicesFile)} is JavaScript`, problems: [] };
  }
  const tsc = candidates.find((candidate) => existsSync(candidate));
  if (!tsc) return { name: 'types', status: 'skipped', summary: 'type check skipped: typescript not installed (npm install --save-dev typescript)', problems: [] };
  const args = ['--noEmit', '--pretty', 'false', '--strict', '--target', 'ES2022', '--lib', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'Bundler', '--allowImportingTsExtensions', '--skipLibCheck', servicesFile];
  // From the current directory, so tsc names files as the user would type them.
  const { code, output } = await runCaptured(tsc, args, { cwd: process.cwd(), timeoutMs: typeCheckTimeoutMs });
  const shown = displayPath(tsc);
  if (code === 0) return { name: 'types', status: 'ok', summary: `no type errors (${shown})`, problems: [] };
  // tsc reports one error per line; lines that start with blanks continue the one before.
  const problems = stripAnsi(output)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .reduce<string[]>((errors, line) => (/^\s/.test(line) && errors.length > 0 ? [...errors.slice(0, -1), `${errors.at(-1)}\n${line}`] : [...errors, line]), []);
  return { name: 'types', status: 'failed', summary: `${problems.length} type error${problems.length === 1 ? '' : 's'} (${shown})`, problems };
}

/** One line per check, its problems indented under it. */
export function formatValidateReport(report: ValidateReport, ui: Pick<Ui, 'mark'>): string[] {
  const lines: string[] = [];
  const marks = report.checks.map((check) => ui.mark(check.status === 'ok' ? 'ok' : check.status === 'failed' ? 'fail' : 'note'));
  const width = Math.max(...marks.map((mark) => stripAnsi(mark).length));
  for (const [index, check] of report.checks.entries()) {
    const mark = marks[index]!;
    lines.push(`${mark}${' '.repeat(width - stripAnsi(mark).length)}  ${check.name.padEnd(8)}  ${check.summary}`);
    lines.push(...check.problems.map((problem) => `    ${problem.replace(/\n/g, '\n    ')}`));
  }
  return lines;
}
