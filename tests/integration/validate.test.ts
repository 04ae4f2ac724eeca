// validate() on services files written by the test: the type check skipped without typescript, and --strict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validate } from '../../scripts/lib/manage/validate.ts';

const folder = mkdtempSync(join(tmpdir(), 'manage-validate-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const serviceType = resolve('scripts/lib/manage/core/service.ts');

function servicesFile(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, `import type { Service } from '${serviceType}';\n${text}\n`);
  return path;
}

describe('validate', () => {
  const clean = servicesFile('clean.ts', "export const SERVICES = [{ name: 'api', command: 'node api.js' }] satisfies Service[];");

  it('skips the type check with a note where typescript is not installed, and passes', async () => {
    const report = await validate(clean, { strict: false, tscCandidates: [join(folder, 'node_modules/.bin/tsc')] });
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => [check.name, check.status])).toEqual([['load', 'ok'], ['validate', 'ok'], ['types', 'skipped']]);
    expect(report.checks[2]!.summary).toMatch(/^type check skipped: typescript not installed/);
  });

  it('fails on that skipped check with strict', async () => {
    const report = await validate(clean, { strict: true, tscCandidates: [join(folder, 'missing/tsc')] });
    expect(report.ok).toBe(false);
  });

  it('type-checks with the first tsc it finds', async () => {
    const wrong = servicesFile('wrong.ts', "export const SERVICES = [{ name: 'api', command: 42 }] satisfies Service[];");
    const report = await validate(wrong, { strict: false, tscCandidates: [join(folder, 'missing/tsc'), resolve('node_modules/.bin/tsc')] });
    expect(report.ok).toBe(false);
    const types = report.checks.find((check) => check.name === 'types')!;
    expect(types.status).toBe('failed');
    expect(types.problems.join('\n')).toMatch(/wrong\.ts\(2,\d+\): error TS2322/);
  });
});
