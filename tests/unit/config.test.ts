// Services files in JavaScript: loaded by require() where Node allows it, by import() where it must.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServices } from '../../scripts/lib/manage/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'manage-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function servicesFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadServices from a JavaScript file', () => {
  it.each([
    ['an ES module', 'plain.mjs', `export const SERVICES = [{ name: 'a', command: 'sleep 1' }];`],
    ['an ES module with top-level await, which require() refuses', 'awaits.mjs', `export const SERVICES = await Promise.resolve([{ name: 'a', command: 'sleep 1' }]);`],
    ['a default export', 'default.mjs', `export default [{ name: 'a', command: 'sleep 1' }];`],
    ['CommonJS', 'common.cjs', `module.exports = { SERVICES: [{ name: 'a', command: 'sleep 1' }] };`],
    ['CommonJS exporting the array itself', 'array.cjs', `module.exports = [{ name: 'a', command: 'sleep 1' }];`],
  ])('loads %s', async (_, name, text) => {
    expect((await loadServices(servicesFile(name, text))).map((service) => service.name)).toEqual(['a']);
  });

  it('runs a file that throws once, and reports its error as a config error', async () => {
    const counter = join(dir, 'runs');
    const path = servicesFile('throws.mjs', `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(counter)}, 'run\\n');\nthrow new Error('no database URL');\n`);
    const error: unknown = await loadServices(path).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ exitCode: 1, message: expect.stringContaining('no database URL') });
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
  });
});
