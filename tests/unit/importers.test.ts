// The importers against golden outputs of fixtures shaped like what popular projects ship, and table-driven
// cases for each translator.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateServices } from '../../scripts/lib/manage/core/service.ts';
import { renderImported, type Imported, type ImportOptions } from '../../scripts/lib/manage/importers/declaration.ts';
import { importCompose } from '../../scripts/lib/manage/importers/compose.ts';
import { importProcfile } from '../../scripts/lib/manage/importers/procfile.ts';
import { importPm2 } from '../../scripts/lib/manage/importers/pm2.ts';
import { importShellScript } from '../../scripts/lib/manage/importers/shellscript.ts';
import { detectKind } from '../../scripts/lib/manage/importers/detect.ts';
import { editServices, findServicesArray } from '../../scripts/lib/manage/importers/startupfile.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'import');
const options = (source: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({ source, baseDir: '', ...extra });

const goldens: Array<[string, string, (text: string) => Promise<Imported> | Imported]> = [
  ['docker-compose.yml', 'docker-compose.golden', (text) => importCompose(text, options('docker-compose.yml'))],
  ['Procfile', 'Procfile.golden', (text) => importProcfile(text, options('Procfile'))],
  ['ecosystem.config.js', 'ecosystem.golden', (text) => importPm2(text, options('ecosystem.config.js', { environment: 'production' }))],
  ['manage.sh', 'manage-sh.golden', (text) => importShellScript(text, options('manage.sh'))],
];

describe('golden imports', () => {
  it.each(goldens)('%s renders exactly as golden/%s, passes validation, and loads back as the same services', async (source, golden, translate) => {
    const imported = await translate(readFileSync(join(fixtures, source), 'utf8'));
    const rendered = renderImported(imported, source);
    expect(rendered).toBe(readFileSync(join(fixtures, 'golden', golden), 'utf8'));
    const services = imported.services.map((entry) => entry.service);
    expect(validateServices(services, source)).toEqual([]);
    const folder = mkdtempSync(join(tmpdir(), 'import-golden-'));
    try {
      const file = join(folder, 'services.mjs');
      writeFileSync(file, `export const SERVICES = [\n${rendered}];\n`);
      const loaded = (await import(pathToFileURL(file).href)) as { SERVICES: unknown };
      expect(loaded.SERVICES).toEqual(services);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('compose', () => {
  const one = (yaml: string) => importCompose(`services:\n${yaml}`, options('compose.yaml')).services[0]!;
  it.each([
    ['a string command', '  api:\n    command: node api.js\n', { name: 'api', command: 'node api.js' }],
    ['entrypoint and command lists', '  api:\n    entrypoint: [node]\n    command: [api.js, --x]\n', { name: 'api', command: ['node', 'api.js', '--x'] }],
    ['host side of ports', '  api:\n    command: x\n    ports: ["127.0.0.1:9000:80", "7000"]\n', { name: 'api', command: 'x', port: [9000, 7000] }],
    ['a ${VAR:-default} port', '  api:\n    command: x\n    ports: ["${P:-9100}:9100"]\n', { name: 'api', command: 'x', port: 9100 }],
    ['environment list', '  api:\n    command: x\n    environment: [A=1, B=two=2]\n', { name: 'api', command: 'x', env: { A: '1', B: 'two=2' } }],
    ['on-failure:3', '  api:\n    command: x\n    restart: on-failure:3\n', { name: 'api', command: 'x', restart: 'on-failure', maxRestarts: 3 }],
    ['stop settings', '  api:\n    command: x\n    stop_signal: QUIT\n    stop_grace_period: 1m30s\n', { name: 'api', command: 'x', stopSignal: 'SIGQUIT', stopTimeout: 90000 }],
    ['wget healthcheck', '  api:\n    command: x\n    ports: ["9000:80"]\n    healthcheck:\n      test: wget -qO- localhost/ready || exit 1\n', { name: 'api', command: 'x', port: 9000, ready: { http: 'http://127.0.0.1:9000/ready' } }],
    ['a shell healthcheck', '  api:\n    command: x\n    healthcheck:\n      test: ["CMD-SHELL", "test -f /tmp/ok && echo"]\n', { name: 'api', command: 'x', ready: { command: 'test -f /tmp/ok && echo' } }],
  ])('%s', (_, yaml, expected) => {
    expect(one(yaml).service).toEqual(expected);
  });

  it.each([
    ['not YAML', 'services: [\n', /not valid YAML/],
    ['no services', 'version: "3"\n', /no "services:" mapping/],
    ['only images', 'services:\n  db:\n    image: postgres\n', /no service with a command/],
  ])('refuses %s with one sentence', (_, text, message) => {
    expect(() => importCompose(text, options('compose.yaml'))).toThrow(message);
  });
});

describe('Procfile', () => {
  it('gives $PORT users foreman\'s ports from --port, and skips lines that are not processes', () => {
    const imported = importProcfile('web: serve -p ${PORT}\nnot a process\nworker: work\n', options('Procfile', { basePort: 6000 }));
    expect(imported.services.map((entry) => entry.service)).toEqual([
      { name: 'web', command: 'serve -p ${PORT}', env: { PORT: '6000' }, port: 6000 },
      { name: 'worker', command: 'work' },
    ]);
    expect(imported.notes).toEqual(['line 2 not carried: it is not "name: command"']);
  });
  it('refuses a file without processes', () => {
    expect(() => importProcfile('# nothing\n', options('Procfile'))).toThrow(/declares no processes/);
  });
});

describe('PM2', () => {
  it.each([
    ['module.exports.apps', 'module.exports.apps = [{ name: "a", script: "a.js", autorestart: false }]', { name: 'a', command: 'node a.js' }],
    ['export default and a template', 'const dir = "x"; export default { apps: [{ name: "a", script: `${dir}/a.js`, autorestart: false }] }', { name: 'a', command: 'node x/a.js' }],
    ['JSON', '{"apps": [{"name": "a", "script": "bin/a", "autorestart": false, "cwd": "srv"}]}', { name: 'a', command: 'bin/a', cwd: 'srv' }],
  ])('reads %s without running it', (_, text, expected) => {
    const source = text.startsWith('{') ? 'ecosystem.json' : 'ecosystem.config.js';
    expect(importPm2(text, options(source)).services[0]!.service).toEqual(expected);
  });
  it('names a computed script instead of running the file', () => {
    expect(() => importPm2('module.exports = { apps: [{ name: "a", script: require("x") }] }', options('ecosystem.config.js'))).toThrow(/no script that can be read/);
  });
});

describe('manage.sh', () => {
  it.each([
    ['"name:command" entries', 'SERVICES=("api:cargo run -p api" "web:npm start")\n', [{ name: 'api', command: 'cargo run -p api' }, { name: 'web', command: 'npm start' }]],
    ['single-element assignments', 'declare -A SERVICES\nSERVICES[api]=\'node a.js\'\nSERVICES+=([b]="x $HOME")\n', [{ name: 'api', command: 'node a.js' }, { name: 'b', command: 'x $HOME' }]],
    ['bare names with a companion', 'SERVICES=(api)\ndeclare -A SERVICE_COMMANDS=([api]="run api")\n', [{ name: 'api', command: 'run api' }]],
  ])('reads %s', async (_, text, expected) => {
    expect((await importShellScript(text, options('manage.sh'))).services.map((entry) => entry.service)).toEqual(expected);
  });
  it('refuses bad bash with the place of the error', async () => {
    await expect(importShellScript('SERVICES=(a\n', options('manage.sh'))).rejects.toThrow(/not valid bash: line 1:/);
  });
});

describe('detectKind', () => {
  it.each([
    ['docker-compose.yml', '', 'compose'],
    ['compose.override.yaml', '', 'compose'],
    ['Procfile.dev', '', 'procfile'],
    ['ecosystem.config.cjs', '', 'pm2'],
    ['manage.sh', '', 'manage-sh'],
    ['stack', 'services:\n  a:\n', 'compose'],
    ['run', '#!/bin/bash\n', 'manage-sh'],
    ['processes', 'web: npm start\n', 'procfile'],
    ['notes.txt', 'hello world', undefined],
  ])('%s', (name, text, kind) => {
    expect(detectKind(name, text)).toBe(kind);
  });
});

describe('editing startup.ts', () => {
  const entry = "  { name: 'new', command: 'x' },\n";
  it.each([
    ['an empty array', 'export const SERVICES = [] satisfies Service[];\n', `export const SERVICES = [\n${entry}] satisfies Service[];\n`],
    ['a last entry without a comma', "export const SERVICES = [\n  { name: 'a', command: 'a' }\n];\n", `export const SERVICES = [\n  { name: 'a', command: 'a' },\n${entry}];\n`],
    ['brackets in strings, comments and regexes', "export const SERVICES = [\n  { name: 'a', command: ']', ready: { log: /[\\]/]/ } }, // ]\n];\n", `export const SERVICES = [\n  { name: 'a', command: ']', ready: { log: /[\\]/]/ } }, // ]\n${entry}];\n`],
  ])('appends to %s', (_, text, expected) => {
    expect(editServices(text, findServicesArray(text, 'startup.ts'), new Set(), entry)).toBe(expected);
  });
  it('removes a replaced entry with the comments above it', () => {
    const text = "export const SERVICES = [\n  // old a\n  { name: 'a', command: 'a' },\n  { name: 'b', command: 'b' },\n];\n";
    expect(editServices(text, findServicesArray(text, 'startup.ts'), new Set([0]), entry)).toBe(`export const SERVICES = [\n  { name: 'b', command: 'b' },\n${entry}];\n`);
  });
  it('refuses a file without the array', () => {
    expect(() => findServicesArray('export const X = 1;\n', 'startup.ts')).toThrow(/no "export const SERVICES = \["/);
  });
});
