// LogFollower on real files: appended lines whole, partial lines held back, truncation, replacement, late files,
// and no line lost or doubled across a rotation by rename or by copy-truncate.
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachLine, forEachLinePaced, LogFollower } from '../../scripts/lib/manage/logfiles/logfile.ts';
import { copyTruncate, rotateLog } from '../../scripts/lib/manage/logfiles/logrotate.ts';

function follow(path: string, from?: number): { lines: string[]; follower: LogFollower } {
  const lines: string[] = [];
  return { lines, follower: new LogFollower('api', path, (line) => lines.push(line), from) };
}

describe('LogFollower', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manage-follow-'));

  it('starts at the end and emits only whole appended lines', () => {
    const path = join(dir, 'append.log');
    writeFileSync(path, 'old line\n');
    const { lines, follower } = follow(path);
    appendFileSync(path, 'first\nsecond\nhalf');
    follower.pump();
    expect(lines).toEqual(['first', 'second']);
    appendFileSync(path, ' done\n');
    follower.pump();
    expect(lines).toEqual(['first', 'second', 'half done']);
  });

  it('starts at the beginning of a line still being written, so it comes out once and whole', () => {
    const path = join(dir, 'partial.log');
    writeFileSync(path, 'first line\nhalf of a li');
    const { lines, follower } = follow(path);
    expect(follower.startOffset).toBe('first line\n'.length);
    appendFileSync(path, 'ne, the rest\n');
    follower.pump();
    expect(lines).toEqual(['half of a line, the rest']);
  });

  it('starts at a given offset', () => {
    const path = join(dir, 'offset.log');
    writeFileSync(path, 'before\nafter\n');
    const { lines, follower } = follow(path, 'before\n'.length);
    follower.pump();
    expect(lines).toEqual(['after']);
  });

  it('reads a truncated file again from the start', () => {
    const path = join(dir, 'truncate.log');
    writeFileSync(path, 'a long first generation of the log\n');
    const { lines, follower } = follow(path);
    truncateSync(path, 0);
    appendFileSync(path, 'new\n');
    follower.pump();
    expect(lines).toEqual(['new']);
  });

  it('reopens a replaced file (new inode), even one longer than the offset', () => {
    const path = join(dir, 'rotate.log');
    writeFileSync(path, 'x\n');
    const { lines, follower } = follow(path);
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'rotated one\nrotated two\n');
    follower.pump();
    expect(lines).toEqual(['rotated one', 'rotated two']);
  });

  it('picks up a file that appears after following began', () => {
    const path = join(dir, 'late.log');
    rmSync(path, { force: true });
    const { lines, follower } = follow(path);
    follower.pump();
    writeFileSync(path, 'hello\n');
    follower.pump();
    expect(lines).toEqual(['hello']);
  });

  it('reads the rest of a file rotated by rename before the new one', () => {
    const path = join(dir, 'renamed.log');
    writeFileSync(path, 'first\n');
    const { lines, follower } = follow(path);
    appendFileSync(path, 'written before the rotation\nlast words without a newline');
    rotateLog(path, 3);
    writeFileSync(path, '=== new run\nhello\n');
    follower.pump();
    expect(lines).toEqual(['written before the rotation', 'last words without a newline', '=== new run', 'hello']);
  });

  it('finds the old file even after a second rotation shifted it to .2', () => {
    const path = join(dir, 'twice.log');
    writeFileSync(path, 'run 1 start\n');
    const { lines, follower } = follow(path);
    appendFileSync(path, 'run 1 end\n');
    rotateLog(path, 3);
    writeFileSync(path, 'run 2\n');
    rotateLog(path, 3);
    writeFileSync(path, 'run 3\n');
    follower.pump();
    // Run 2 came and went between two looks: its file was never the one followed.
    expect(lines).toEqual(['run 1 end', 'run 3']);
  });

  it('keeps waiting while a rotated log has no successor yet, then reads both', () => {
    const path = join(dir, 'gap.log');
    writeFileSync(path, '');
    const { lines, follower } = follow(path);
    appendFileSync(path, 'old\n');
    renameSync(path, `${path}.1`);
    follower.pump();
    writeFileSync(path, 'new\n');
    follower.pump();
    expect(lines).toEqual(['old', 'new']);
  });

  it('loses nothing when the log is copied aside and truncated (the size cap)', () => {
    const path = join(dir, 'capped.log');
    writeFileSync(path, 'already there\n');
    const { lines, follower } = follow(path);
    appendFileSync(path, 'seen\n');
    follower.pump();
    appendFileSync(path, 'not seen before the cap\n');
    copyTruncate(path, 2, '=== capped');
    appendFileSync(path, 'after\n');
    follower.pump();
    expect(lines).toEqual(['seen', 'not seen before the cap', '=== capped', 'after']);
  });

  it('notices a truncate even when the file has grown past the old offset since', () => {
    const path = join(dir, 'regrown.log');
    writeFileSync(path, 'short\n');
    const { lines, follower } = follow(path);
    copyTruncate(path, 1, '=== capped, and then a line longer than the old file');
    follower.pump();
    expect(lines).toEqual(['=== capped, and then a line longer than the old file']);
  });

  it('does not read an unrelated .1 after a plain truncation', () => {
    const path = join(dir, 'unrelated.log');
    writeFileSync(`${path}.1`, 'an old rotation that must not be printed again\n'.repeat(3));
    writeFileSync(path, 'current\n');
    const { lines, follower } = follow(path);
    truncateSync(path, 0);
    appendFileSync(path, 'fresh\n');
    follower.pump();
    expect(lines).toEqual(['fresh']);
  });

  it('keeps a multi-byte character whole when it arrives in two writes', () => {
    const path = join(dir, 'utf8.log');
    writeFileSync(path, '');
    const { lines, follower } = follow(path);
    const euro = Buffer.from('price 5 €\n');
    appendFileSync(path, euro.subarray(0, euro.length - 2));
    follower.pump();
    appendFileSync(path, euro.subarray(euro.length - 2));
    follower.pump();
    expect(lines).toEqual(['price 5 €']);
  });

  it('treats a copy of the log as its continuation only when the bytes before the offset match', () => {
    const path = join(dir, 'copied.log');
    writeFileSync(path, 'a\nb\n');
    const { lines, follower } = follow(path);
    appendFileSync(path, 'c\n');
    copyFileSync(path, `${path}.1`);
    writeFileSync(path, 'other content entirely\n');
    follower.pump();
    expect(lines).toEqual(['c', 'other content entirely']);
  });
});

describe('forEachLine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manage-lines-'));

  it('gives every line in order, a last line without a newline too', () => {
    const path = join(dir, 'all.log');
    writeFileSync(path, 'one\ntwo\n\nthree');
    const lines: string[] = [];
    forEachLine(path, (line) => lines.push(line));
    expect(lines).toEqual(['one', 'two', '', 'three']);
  });

  it('reads within a byte range and across chunks', () => {
    const path = join(dir, 'big.log');
    const all = Array.from({ length: 200_000 }, (_, index) => `line ${index} é`);
    writeFileSync(path, all.join('\n') + '\n');
    const lines: string[] = [];
    forEachLine(path, (line) => lines.push(line));
    expect(lines.length).toBe(all.length);
    expect(lines).toEqual(all);
    const some: string[] = [];
    forEachLine(path, (line) => some.push(line), { to: Buffer.byteLength(all.slice(0, 3).join('\n') + '\n') });
    expect(some).toEqual(all.slice(0, 3));
  });

  it('gives nothing for a missing file', () => {
    const lines: string[] = [];
    forEachLine(join(dir, 'missing.log'), (line) => lines.push(line));
    expect(lines).toEqual([]);
  });
});

describe('forEachLinePaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manage-paced-'));
  const path = join(dir, 'big.log');
  // 3 MiB and more: read a MiB at a time, so the output is asked three times or more whether it keeps up.
  const lines = Array.from({ length: 100_000 }, (_, index) => `line ${index} ${'x'.repeat(24)}`);
  writeFileSync(path, lines.join('\n') + '\n');

  it('reads no further while the output has not caught up, and all of the file when it has', async () => {
    const seen: string[] = [];
    const seenAtEachWait: number[] = [];
    let release: (caughtUp: boolean) => void = () => {};
    const reading = forEachLinePaced(path, (line) => seen.push(line), {}, () => {
      seenAtEachWait.push(seen.length);
      return new Promise((resolve) => (release = resolve));
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.length).toBe(seenAtEachWait[0]);
    expect(seen.length).toBeLessThan(lines.length);
    while (seenAtEachWait.length < 10 && seen.length < lines.length) {
      release(true);
      await new Promise((resolve) => setImmediate(resolve));
    }
    release(true);
    expect(await reading).toBe(true);
    expect(seen).toEqual(lines);
    expect(seenAtEachWait.length).toBeGreaterThanOrEqual(3);
  });

  it('stops when the output is gone', async () => {
    const seen: string[] = [];
    let waits = 0;
    expect(await forEachLinePaced(path, (line) => seen.push(line), {}, async () => ++waits < 2)).toBe(false);
    expect(waits).toBe(2);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(lines.length);
    expect(seen).toEqual(lines.slice(0, seen.length));
  });
});

