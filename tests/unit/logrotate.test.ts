// Rotation, the size cap's copy-truncate, and --clean (scripts/lib/manage/logfiles/logrotate.ts), against a temporary directory.
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '../../scripts/lib/manage/config.ts';
import { listRotations } from '../../scripts/lib/manage/logfiles/logfile.ts';
import { cleanRotations, copyingPath, copyTruncate, enforceLogCaps, rotateLog, shiftRotations } from '../../scripts/lib/manage/logfiles/logrotate.ts';
import { ProcSource } from '../../scripts/lib/manage/process/processes.ts';
import { withDefaults, type Service } from '../../scripts/lib/manage/core/service.ts';
import { createUi } from '../../scripts/lib/manage/terminal/ui.ts';

const root = mkdtempSync(join(tmpdir(), 'manage-rotate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dir: string;
let path: string;
let case_ = 0;
beforeEach(() => {
  dir = join(root, `case-${++case_}`);
  mkdirSync(dir);
  path = join(dir, 'api.log');
});

/** The directory as { file: content }, to compare a whole rotation at once. */
function files(): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

describe('listRotations', () => {
  it('lists <log>.N newest first and nothing else', () => {
    for (const file of ['api.log', 'api.log.2', 'api.log.10', 'api.log.1', 'api.log.0', 'api.log.x', 'api.log.1.gz', 'api.log.copying', 'apix.log.1', 'db.log.1']) writeFileSync(join(dir, file), '');
    expect(listRotations(path).map((rotation) => rotation.index)).toEqual([1, 2, 10]);
  });

  it('is empty when the directory does not exist', () => {
    expect(listRotations(join(dir, 'missing', 'api.log'))).toEqual([]);
  });
});

describe('shiftRotations and rotateLog', () => {
  it('moves the log to .1 and shifts the older ones up', () => {
    writeFileSync(path, 'run 3\n');
    writeFileSync(`${path}.1`, 'run 2\n');
    writeFileSync(`${path}.2`, 'run 1\n');
    expect(rotateLog(path, 5)).toBe(true);
    expect(files()).toEqual({ 'api.log.1': 'run 3\n', 'api.log.2': 'run 2\n', 'api.log.3': 'run 1\n' });
  });

  it('keeps at most `keep` rotations, dropping the oldest', () => {
    for (let run = 1; run <= 5; run++) {
      writeFileSync(path, `run ${run}\n`);
      rotateLog(path, 2);
    }
    expect(files()).toEqual({ 'api.log.1': 'run 5\n', 'api.log.2': 'run 4\n' });
  });

  it('removes rotations past a lowered keep', () => {
    for (const index of [1, 2, 3, 4]) writeFileSync(`${path}.${index}`, `old ${index}\n`);
    writeFileSync(path, 'now\n');
    rotateLog(path, 2);
    expect(files()).toEqual({ 'api.log.1': 'now\n', 'api.log.2': 'old 1\n' });
  });

  it('shifts past a gap without overwriting anything', () => {
    writeFileSync(`${path}.1`, 'one\n');
    writeFileSync(`${path}.3`, 'three\n');
    shiftRotations(path, 5);
    expect(files()).toEqual({ 'api.log.2': 'one\n', 'api.log.4': 'three\n' });
  });

  it('does nothing with keep 0, for an empty log, or without a log', () => {
    writeFileSync(path, 'appended as before\n');
    expect(rotateLog(path, 0)).toBe(false);
    expect(files()).toEqual({ 'api.log': 'appended as before\n' });
    writeFileSync(path, '');
    expect(rotateLog(path, 5)).toBe(false);
    rmSync(path);
    expect(rotateLog(path, 5)).toBe(false);
    expect(files()).toEqual({});
  });
});

describe('copyTruncate', () => {
  it('copies the log to .1 after shifting, empties it in place, and leaves a note', () => {
    writeFileSync(path, 'line 1\nline 2\n');
    writeFileSync(`${path}.1`, 'older\n');
    const inode = statSync(path).ino;
    expect(copyTruncate(path, 3, '=== note')).toBe(14);
    expect(files()).toEqual({ 'api.log': '=== note\n', 'api.log.1': 'line 1\nline 2\n', 'api.log.2': 'older\n' });
    // The same file: a service writing to it keeps writing to the live log.
    expect(statSync(path).ino).toBe(inode);
  });

  it('lets a writer with O_APPEND continue at the new end', () => {
    writeFileSync(path, 'x'.repeat(5000) + '\n');
    const writer = openSync(path, 'a');
    try {
      copyTruncate(path, 1, '=== note');
      writeSync(writer, 'after the cap\n');
    } finally {
      closeSync(writer);
    }
    expect(readFileSync(path, 'utf8')).toBe('=== note\nafter the cap\n');
    expect(statSync(`${path}.1`).size).toBe(5001);
  });

  it('copies a log larger than one read chunk whole', () => {
    const big = Buffer.alloc(3 * (1 << 20) + 17, 'a');
    writeFileSync(path, big);
    expect(copyTruncate(path, 1, '=== note')).toBe(big.length);
    expect(readFileSync(`${path}.1`).equals(big)).toBe(true);
  });

  it('only empties the log with keep 0', () => {
    writeFileSync(path, 'dropped\n');
    expect(copyTruncate(path, 0, '=== note')).toBe(8);
    expect(files()).toEqual({ 'api.log': '=== note\n' });
  });

  it('leaves no copy in progress behind', () => {
    writeFileSync(path, 'x\n');
    copyTruncate(path, 2, '=== note');
    expect(existsSync(copyingPath(path))).toBe(false);
  });
});

function context(services: Service[]): Context {
  return {
    // Apart from the logs, so the lock files under .pids/ stay out of files().
    stateDir: `${dir}-state`,
    logDir: dir,
    servicesFile: join(dir, 'services.mjs'),
    services: services.map((service) => withDefaults(service, dir, join)),
    processes: new ProcSource(),
    ui: createUi({ isTty: false, write: () => {}, writeError: () => {} }),
  };
}

describe('enforceLogCaps', () => {
  it('copy-truncates only the logs over their cap', async () => {
    writeFileSync(path, 'a'.repeat(2000));
    writeFileSync(join(dir, 'db.log'), 'b'.repeat(2000));
    writeFileSync(join(dir, 'web.log'), 'c'.repeat(100));
    const results = await enforceLogCaps(
      context([
        { name: 'api', command: 'x', logMaxBytes: '1KB' },
        { name: 'db', command: 'x' },
        { name: 'web', command: 'x', logMaxBytes: 1000 },
        { name: 'late', command: 'x', logMaxBytes: 1 },
      ]),
    );
    expect(results).toEqual([{ name: 'api', bytes: 2000, cap: 1000 }]);
    expect(statSync(`${path}.1`).size).toBe(2000);
    expect(readFileSync(path, 'utf8')).toMatch(/^=== \S+ manage\.ts: log passed logMaxBytes \(1000 B\); earlier lines are in api\.log\.1\n$/);
    expect(statSync(join(dir, 'db.log')).size).toBe(2000);
    expect(statSync(join(dir, 'web.log')).size).toBe(100);
  });

  it('says the lines were dropped when no rotation is kept', async () => {
    writeFileSync(path, 'a'.repeat(2000));
    await enforceLogCaps(context([{ name: 'api', command: 'x', logMaxBytes: 1000, logKeep: 0 }]));
    expect(readFileSync(path, 'utf8')).toMatch(/earlier lines were dropped \(logKeep is 0\)\n$/);
    expect(listRotations(path)).toEqual([]);
  });
});

describe('cleanRotations', () => {
  it('removes the rotations of the selected services, never a live log, and says how big they were', async () => {
    writeFileSync(path, 'live\n');
    writeFileSync(`${path}.1`, '12345\n');
    writeFileSync(`${path}.2`, '1\n');
    writeFileSync(copyingPath(path), 'left by a crash\n');
    writeFileSync(join(dir, 'db.log.1'), 'kept\n');
    const removed = await cleanRotations(context([{ name: 'api', command: 'x' }, { name: 'db', command: 'x' }]), ['api']);
    expect(removed).toEqual([
      { name: 'api', path: `${path}.1`, bytes: 6 },
      { name: 'api', path: `${path}.2`, bytes: 2 },
      { name: 'api', path: copyingPath(path), bytes: 16 },
    ]);
    expect(Object.keys(files())).toEqual(['api.log', 'db.log.1']);
    expect(readdirSync(join(`${dir}-state`, '.pids')), 'locks left behind').toEqual([]);
  });

  it('removes nothing when there is nothing to remove', async () => {
    appendFileSync(path, 'live\n');
    expect(await cleanRotations(context([{ name: 'api', command: 'x' }]), [])).toEqual([]);
  });
});
