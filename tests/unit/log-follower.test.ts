// LogFollower on real files: appended lines whole, partial lines held back, truncation, replacement, late files.
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogFollower } from '../../scripts/lib/logfile.ts';

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
});
