// What adopting a repository writes (scripts/lib/manage/adopt/plan.ts), from literal listings and texts.
import { describe, expect, it } from 'vitest';
import { adoptedPaths, compareDependencies, compareEngines, extendGitignore, layoutProblem, startupTemplate } from '../../scripts/lib/manage/adopt/plan.ts';
import { validateServices } from '../../scripts/lib/manage/core/service.ts';

const header = '# manage.ts: service logs and PID files, and its packages';

describe('extendGitignore', () => {
  it('creates the three lines where there is no .gitignore', () => {
    expect(extendGitignore(undefined)).toStrictEqual({ text: `${header}\n/logs/\n/.pids/\nnode_modules/\n`, added: ['/logs/', '/.pids/', 'node_modules/'] });
  });

  it('appends after a blank line, adding a missing final newline first', () => {
    expect(extendGitignore('target/\n').text).toBe(`target/\n\n${header}\n/logs/\n/.pids/\nnode_modules/\n`);
    expect(extendGitignore('target/').text).toBe(`target/\n\n${header}\n/logs/\n/.pids/\nnode_modules/\n`);
  });

  it.each([
    ['logs', ['/.pids/', 'node_modules/']],
    ['/logs/', ['/.pids/', 'node_modules/']],
    ['  .pids/  ', ['/logs/', 'node_modules/']],
    ['**/node_modules', ['/logs/', '/.pids/']],
    ['/node_modules', ['/logs/', '/.pids/']],
  ])('counts "%s" as already ignoring its folder', (line, added) => {
    expect(extendGitignore(`${line}\n`).added).toStrictEqual(added);
  });

  it('does not take a longer pattern for the folder itself', () => {
    expect(extendGitignore('src/logs/\n*.log\nnode_modules/cache\n').added).toStrictEqual(['/logs/', '/.pids/', 'node_modules/']);
  });

  it('changes nothing when every line is there', () => {
    const text = 'logs/\n.pids/\nnode_modules/\n';
    expect(extendGitignore(text)).toStrictEqual({ text, added: [] });
  });
});

describe('compareEngines', () => {
  it('sorts files into added, removed, changed and counts the rest', () => {
    const installed = new Map([['a.ts', '1'], ['b.ts', '2'], ['gone.ts', '3'], ['same.ts', '4']]);
    const next = new Map([['same.ts', '4'], ['b.ts', '9'], ['a.ts', '1'], ['new/z.ts', '5'], ['new/y.ts', '6']]);
    expect(compareEngines(installed, next)).toStrictEqual({ added: ['new/y.ts', 'new/z.ts'], removed: ['gone.ts'], changed: ['b.ts'], unchanged: 2 });
  });

  it('finds nothing between equal engines', () => {
    const engine = new Map([['a.ts', '1']]);
    expect(compareEngines(engine, new Map(engine))).toStrictEqual({ added: [], removed: [], changed: [], unchanged: 1 });
  });
});

describe('compareDependencies', () => {
  it('names each package whose pinned version differs, added and removed ones too, sorted', () => {
    expect(compareDependencies({ zx: '8.8.5', tsx: '4.0.0', gone: '1.0.0' }, { zx: '8.8.5', tsx: '4.1.0', yaml: '2.8.0' })).toStrictEqual([
      'gone 1.0.0 -> (none)',
      'tsx 4.0.0 -> 4.1.0',
      'yaml (none) -> 2.8.0',
    ]);
    expect(compareDependencies({ zx: '8.8.5' }, { zx: '8.8.5' })).toStrictEqual([]);
  });
});

describe('layout', () => {
  it.each(['scripts', 'tools', 'dev-tools', '.manage'])('accepts the folder name %s', (dir) => {
    expect(layoutProblem(dir)).toBeUndefined();
  });

  it.each(['a/b', '..', '.', '', '/abs', 'with space'])('refuses "%s", which is not one folder under the root', (dir) => {
    expect(layoutProblem(dir)).toBe(`--dir must name one folder directly under the repository root (like scripts or tools), not "${dir}"`);
  });

  it('puts everything under the chosen folder', () => {
    expect(adoptedPaths({ dir: 'tools' })).toStrictEqual({
      entry: 'tools/manage.ts',
      engine: 'tools/lib/manage',
      startup: 'tools/lib/startup.ts',
      tsconfig: 'tools/lib/tsconfig.json',
    });
  });

  it('writes a startup.ts that names the folder and declares an empty, typed SERVICES', () => {
    const text = startupTemplate({ dir: 'tools' });
    expect(text).toContain("import type { Service } from './manage/core/service.ts';");
    expect(text).toContain('`tools/manage.ts import docker-compose.yml`');
    expect(text.trimEnd().split('\n').at(-1)).toBe('export const SERVICES = [] satisfies Service[];');
    expect(text).not.toMatch(/^import (?!type )/m);
  });

  it('its commented example is a valid services array', () => {
    const example = [
      { name: 'db', command: 'postgres -D data/pg -k /tmp', port: 5432 },
      { name: 'api', command: 'cargo run -p api', cwd: 'services/api', port: 8080, dependsOn: ['db'], ready: { http: 'http://127.0.0.1:8080/health' } },
    ];
    const text = startupTemplate({ dir: 'scripts' });
    expect(text).toContain(" *   { name: 'db', command: 'postgres -D data/pg -k /tmp', port: 5432 },");
    expect(validateServices(example, 'startup.ts')).toStrictEqual([]);
  });
});
