// Reading service log files: the last lines, without reading a large file whole.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
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

/**
 * Follows one log file by path: appended lines are emitted whole; a truncated file (size below the read
 * offset) is read again from the start, a replaced one (new inode) too, and a missing one is picked up
 * when it appears.
 */
export class LogFollower {
  private offset: number;
  private inode: number | undefined;
  private partial = '';
  /** Where following began: the initial tail ends here, so no line is lost or printed twice. */
  readonly startOffset: number;

  /** Follows from byte `from`, or from the current end of the file. */
  constructor(
    readonly name: string,
    readonly path: string,
    private readonly emit: (line: string) => void,
    from?: number,
  ) {
    const stat = this.stat();
    this.offset = from ?? stat?.size ?? 0;
    this.startOffset = this.offset;
    this.inode = stat?.ino;
  }

  pump(): void {
    const stat = this.stat();
    if (!stat) return;
    if (stat.ino !== this.inode || stat.size < this.offset) {
      this.inode = stat.ino;
      this.offset = 0;
      this.partial = '';
    }
    if (stat.size === this.offset) return;
    const fd = openSync(this.path, 'r');
    try {
      const buffer = Buffer.alloc(stat.size - this.offset);
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const lines = (this.partial + buffer.subarray(0, read).toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      lines.forEach((line) => this.emit(line));
    } finally {
      closeSync(fd);
    }
  }

  private stat(): { size: number; ino: number } | undefined {
    try {
      return statSync(this.path);
    } catch {
      return undefined;
    }
  }
}
