// Reading service log files: the last lines, without reading a large file whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { errnoCode } from './errors.ts';

/** Byte range of a file to take lines from: `from` keeps earlier output out, `to` ends where a follower begins. */
export interface LineRange {
  from?: number;
  to?: number;
  maxBytes?: number;
}

/** The last `count` lines of a file within the range (at most 1 MiB read), or [] when it does not exist. */
export function readLastLines(path: string, count: number, range: LineRange = {}): string[] {
  const { from = 0, maxBytes = 1 << 20 } = range;
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  try {
    const size = Math.min(fstatSync(fd).size, range.to ?? Number.POSITIVE_INFINITY);
    let start = size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    // Read backwards in chunks until enough newlines are in hand; decode once, so a character split across
    // two chunks stays whole.
    while (start > from && newlines <= count && size - start < maxBytes) {
      const length = Math.min(64 * 1024, start - from);
      start -= length;
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, start);
      chunks.unshift(buffer);
      newlines += countNewlines(buffer);
    }
    return lastLines(Buffer.concat(chunks).toString('utf8'), count);
  } finally {
    closeSync(fd);
  }
}

/** The last `count` lines of a text, ignoring one trailing newline (pure). */
export function lastLines(text: string, count: number): string[] {
  if (text === '' || count <= 0) return [];
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(-count);
}

function countNewlines(buffer: Buffer): number {
  let count = 0;
  for (let index = buffer.indexOf(10); index !== -1; index = buffer.indexOf(10, index + 1)) count++;
  return count;
}
