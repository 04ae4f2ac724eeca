// Rules of the codebase that no one should have to remember: checked by reading scripts/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const scripts = join(import.meta.dirname, '..', '..', 'scripts');
const files = [join(scripts, 'manage.ts'), ...readdirSync(join(scripts, 'lib')).map((file) => join(scripts, 'lib', file))];
const source = (file: string): string => readFileSync(file, 'utf8');
const named = (file: string): string => file.slice(scripts.length + 1);

describe('house rules', () => {
  it.each(files.map(named))('%s never kills by name', (file) => {
    expect(source(join(scripts, file))).not.toMatch(/\b(pkill|killall)\b/);
  });

  it('only shell.ts imports zx, child_process, ps-list or find-process', () => {
    const offenders = files
      .filter((file) => !file.endsWith('shell.ts'))
      .filter((file) => /from ['"](zx|node:child_process|child_process|ps-list|find-process)['"]|import\(['"](zx|ps-list|find-process)['"]\)/.test(source(file)));
    expect(offenders.map(named)).toEqual([]);
  });

  it('only the entry points call process.exit: manage.ts, and bundle.cjs, which must stop node before it reads an outdated bundle', () => {
    const entryPoints = ['manage.ts', 'bundle.cjs'];
    expect(files.filter((file) => !entryPoints.some((name) => file.endsWith(name)) && /process\.exit\(/.test(source(file))).map(named)).toEqual([]);
  });

  it('only poll.ts sleeps or sets timers', () => {
    // Global timers only: a socket's idle timeout (socket.setTimeout) is not a sleep.
    expect(files.filter((file) => !file.endsWith('poll.ts') && /(?<!\.)\bset(Timeout|Interval|Immediate)\(/.test(source(file))).map(named)).toEqual([]);
  });

  it('no module uses any', () => {
    expect(files.filter((file) => /:\s*any\b|as any\b/.test(source(file))).map(named)).toEqual([]);
  });
});
