// Reading service log files: the last lines without reading a large file whole, every line in order, the
// rotations kept beside a log, and following a log by path across truncation, rotation and late creation.
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { errnoCode } from '../core/errors.ts';

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
  const fd = openIfExists(path);
  if (fd === undefined) return [];
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

function openIfExists(path: string): number | undefined {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

const chunkBytes = 1 << 20;

/** Calls `onChunk` with the bytes of [from, to) of an open file, a MiB at a time; returns where it stopped. */
function readRange(fd: number, from: number, to: number, onChunk: (chunk: Buffer) => void): number {
  let offset = from;
  for (const chunk of chunksOf(fd, from, to)) {
    onChunk(chunk);
    offset += chunk.length;
  }
  return offset;
}

/** The bytes of [from, to) of an open file, a MiB at a time, each in the same buffer: use one before the next. */
function* chunksOf(fd: number, from: number, to: number): Generator<Buffer> {
  let offset = from;
  const buffer = Buffer.alloc(Math.min(chunkBytes, Math.max(0, to - from)));
  while (offset < to) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, to - offset), offset);
    if (read === 0) break;
    yield buffer.subarray(0, read);
    offset += read;
  }
}

/**
 * Turns chunks of bytes into whole lines: a multi-byte character or a line split between two chunks is
 * held back until the rest arrives.
 */
class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    const lines = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = lines.pop() ?? '';
    lines.forEach((line) => this.emit(line));
  }

  /** The file ended (or was replaced): a last line without its newline is still a line. */
  flush(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
    if (rest !== '') this.emit(rest);
  }
}

/** The bytes of a file within the range, a MiB at a time (see chunksOf); nothing when it does not exist. */
function* chunksOfFile(path: string, range: { from?: number; to?: number }): Generator<Buffer> {
  const fd = openIfExists(path);
  if (fd === undefined) return;
  try {
    yield* chunksOf(fd, range.from ?? 0, Math.min(fstatSync(fd).size, range.to ?? Number.POSITIVE_INFINITY));
  } finally {
    closeSync(fd);
  }
}

/**
 * forEachLine for output that may fall behind: after each MiB it waits for `caughtUp`, and stops, returning
 * false, when that says the output is gone. A line split by that stop is not emitted.
 */
export async function forEachLinePaced(
  path: string,
  onLine: (line: string) => void,
  range: { from?: number; to?: number },
  caughtUp: () => Promise<boolean>,
): Promise<boolean> {
  const splitter = new LineSplitter(onLine);
  for (const chunk of chunksOfFile(path, range)) {
    splitter.push(chunk);
    if (!(await caughtUp())) return false;
  }
  splitter.flush();
  return true;
}

/** Every line of a file within the range, in order, read a MiB at a time; nothing when it does not exist. */
export function forEachLine(path: string, onLine: (line: string) => void, range: { from?: number; to?: number } = {}): void {
  const splitter = new LineSplitter(onLine);
  for (const chunk of chunksOfFile(path, range)) splitter.push(chunk);
  splitter.flush();
}

/** The rotations kept beside a log (`<log>.1`, `<log>.2`, ...), newest first. */
export function listRotations(path: string): Array<{ path: string; index: number }> {
  const prefix = `${basename(path)}.`;
  let files: string[];
  try {
    files = readdirSync(dirname(path));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  return files
    .filter((file) => file.startsWith(prefix) && /^[1-9]\d*$/.test(file.slice(prefix.length)))
    .map((file) => ({ path: join(dirname(path), file), index: Number(file.slice(prefix.length)) }))
    .sort((a, b) => a.index - b.index);
}

/** How many bytes before its read offset a follower keeps, to recognise its file after a copy-truncate. */
const fingerprintBytes = 256;

/**
 * Follows one log file by path, and loses no line when the file is rotated under it:
 * - a new inode at the path (rotated by rename, as `up` does): the rest of the old file is read first, from
 *   the rotation that now holds it, then the new file from its start;
 * - the same inode with other bytes before the read offset (truncated, or copied aside and truncated, as a
 *   size cap does): the rest is read from the rotation whose bytes match what was read last, then the file
 *   from its start;
 * - a missing file is picked up when it appears.
 */
export class LogFollower {
  private offset: number;
  private inode: number | undefined;
  /** The last bytes read before `offset`: in a copy of this file they sit at the same place. */
  private fingerprint: Buffer;
  private readonly splitter: LineSplitter;
  /** Where following began: the initial tail ends here, so no line is lost or printed twice. */
  readonly startOffset: number;

  /**
   * Follows from byte `from`, or from the start of the line being written at the end of the file: a line
   * whose newline has not come yet (a program may write the text and the newline separately) is printed
   * once, whole, when it is finished, not as the tail's last line plus its rest.
   */
  constructor(
    readonly name: string,
    readonly path: string,
    emit: (line: string) => void,
    from?: number,
  ) {
    this.splitter = new LineSplitter(emit);
    const fd = openIfExists(path);
    try {
      const stat = fd === undefined ? undefined : fstatSync(fd);
      this.offset = from ?? (stat ? startOfLastLine(fd!, stat.size) : 0);
      this.inode = stat?.ino;
      // An offset past the end (the file was truncated since it was recorded) has nothing to recognise.
      this.fingerprint = stat && this.offset <= stat.size ? readFingerprint(fd!, this.offset) : Buffer.alloc(0);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    this.startOffset = this.offset;
  }

  pump(): void {
    const fd = openIfExists(this.path);
    if (fd === undefined) return;
    try {
      const { ino, size } = fstatSync(fd);
      if (this.inode !== undefined && ino !== this.inode) {
        const inode = this.inode;
        this.drainRotation((stat) => stat.ino === inode);
        this.restartAt(ino);
      } else if (this.inode === undefined) {
        this.restartAt(ino);
      } else if (size !== this.offset && !this.sameBytesBefore(fd, size)) {
        const known = this.fingerprint.length > 0;
        this.drainRotation((stat, rotation) => known && this.sameBytesBefore(rotation, stat.size));
        this.restartAt(ino);
      }
      if (size > this.offset) this.readTo(fd, size);
    } finally {
      closeSync(fd);
    }
  }

  /** True while the bytes before the offset are the ones read last: the file was only appended to. */
  private sameBytesBefore(fd: number, size: number): boolean {
    if (size < this.offset) return false;
    return this.fingerprint.length === 0 || readFingerprint(fd, this.offset, this.fingerprint.length).equals(this.fingerprint);
  }

  /** Reads the rest of the old file from the rotation that holds it, if one does. */
  private drainRotation(isOurs: (stat: { ino: number; size: number }, fd: number) => boolean): void {
    for (const rotation of listRotations(this.path)) {
      const fd = openIfExists(rotation.path);
      if (fd === undefined) continue;
      try {
        const stat = fstatSync(fd);
        if (!isOurs(stat, fd)) continue;
        this.readTo(fd, stat.size);
        return;
      } finally {
        closeSync(fd);
      }
    }
  }

  private restartAt(inode: number): void {
    this.splitter.flush();
    this.inode = inode;
    this.offset = 0;
    this.fingerprint = Buffer.alloc(0);
  }

  private readTo(fd: number, size: number): void {
    this.offset = readRange(fd, this.offset, size, (chunk) => this.splitter.push(chunk));
    this.fingerprint = readFingerprint(fd, this.offset);
  }
}

function readFingerprint(fd: number, offset: number, length = fingerprintBytes): Buffer {
  const start = Math.max(0, offset - length);
  const buffer = Buffer.alloc(offset - start);
  const read = readSync(fd, buffer, 0, buffer.length, start);
  return buffer.subarray(0, read);
}

/** The offset just after the last newline before `size` (within the last 64 KiB; `size` when there is none). */
function startOfLastLine(fd: number, size: number): number {
  const length = Math.min(size, 64 * 1024);
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, size - length);
  const newline = buffer.subarray(0, read).lastIndexOf(10);
  return newline === -1 ? (length === size ? 0 : size) : size - length + newline + 1;
}
