// What every importer returns (services plus notes on what was not carried over), and rendering it as the
// TypeScript object literals that go into startup.ts (pure).
import { ManageError } from '../core/errors.ts';
import type { Service } from '../core/service.ts';

export type SourceKind = 'compose' | 'procfile' | 'manage-sh' | 'pm2';

/** One imported service and the `//` notes shown above it: what could not be carried over, and why. */
export interface ImportedService {
  service: Service;
  notes: string[];
}

export interface Imported {
  services: ImportedService[];
  /** Notes about the file as a whole, and services left out (each as a commented-out suggestion). */
  notes: string[];
}

/** Where the source file is and what to take from it; paths relative to the repository root. */
export interface ImportOptions {
  /** The source file's name as the user gave it, for messages. */
  source: string;
  /** The folder that holds the source file, relative to the repository root ('' for the root). */
  baseDir: string;
  /** PM2: the env_<name> block to apply over env. */
  environment?: string;
  /** Procfile: the first $PORT (foreman's --port), 5000 by default. */
  basePort?: number;
}

/** A user's mistake in the source file: one sentence, exit 1, nothing written. */
export function badSource(message: string, hint = 'fix the file, or pass --from to read it as another kind'): ManageError {
  return new ManageError(message, 1, hint);
}

/** A path inside the source file's folder, as a path relative to the repository root. */
export function fromBase(baseDir: string, path: string): string {
  if (path.startsWith('/')) return path;
  const parts = [...baseDir.split('/'), ...path.split('/')].filter((part) => part !== '' && part !== '.');
  const joined: string[] = [];
  for (const part of parts) {
    if (part === '..' && joined.length > 0 && joined[joined.length - 1] !== '..') joined.pop();
    else joined.push(part);
  }
  return joined.length === 0 ? '.' : joined.join('/');
}

/** Drops dependencies on services that were not imported, with a note naming each, so validation holds. */
export function dropMissingDependencies(imported: ImportedService[], why: (name: string) => string): void {
  const names = new Set(imported.map((entry) => entry.service.name));
  for (const entry of imported) {
    const missing = (entry.service.dependsOn ?? []).filter((name) => !names.has(name));
    if (missing.length === 0) continue;
    for (const name of missing) entry.notes.push(`depended on "${name}", ${why(name)}`);
    const kept = entry.service.dependsOn!.filter((name) => names.has(name));
    if (kept.length > 0) entry.service.dependsOn = kept;
    else delete entry.service.dependsOn;
  }
}

/** A group may not share a service's name (validation refuses it): such a group is dropped with a note. */
export function dropGroupsNamedLikeServices(imported: ImportedService[]): void {
  const names = new Set(imported.map((entry) => entry.service.name));
  for (const entry of imported) {
    const groups = entry.service.group === undefined ? [] : ([] as string[]).concat(entry.service.group);
    const clashing = groups.filter((group) => names.has(group));
    if (clashing.length === 0) continue;
    for (const group of clashing) entry.notes.push(`group "${group}" not carried: a service has that name`);
    const kept = groups.filter((group) => !names.has(group));
    if (kept.length === 0) delete entry.service.group;
    else entry.service.group = kept.length === 1 ? kept[0]! : kept;
  }
}

/** Milliseconds from a duration such as "1m30s", "10s", "500ms" or "1h" (Go's form, as compose and PM2 write it). */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') return undefined;
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(us|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)) total += Number(match[1]) * units[match[2]!]!;
  return Math.round(total);
}

// Fields in the order users read them: what it is, how it runs, what it needs, how it is checked and stopped.
const fieldOrder: Array<keyof Service> = [
  'name', 'description', 'command', 'cwd', 'env', 'envFile', 'port', 'dependsOn', 'group', 'ready', 'readyTimeout', 'settleMs',
  'stopTimeout', 'stopSignal', 'oneShot', 'restart', 'maxRestarts', 'restartDelay', 'pidFile', 'stopCommand', 'logKeep', 'logMaxBytes',
];

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
}

/** A value as a TypeScript literal: single-quoted strings, `{ key: value }` objects on one line. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof RegExp) return value.toString();
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([name, item]) => `${key(name)}: ${literal(item)}`).join(', ')} }`;
  }
  throw new Error(`cannot render ${String(value)} as a literal`);
}

/** A comment as `//` lines, so nothing in it can end a block comment or run as code. */
function commentLines(text: string, indent: string): string[] {
  return text.split('\n').map((line) => `${indent}//${line === '' ? '' : ` ${line}`}`);
}

/** One entry: notes above it, then the object literal, one field a line, ending with a comma. */
export function renderService(entry: ImportedService, indent = '  '): string {
  const inner = `${indent}  `;
  const lines = entry.notes.flatMap((note) => commentLines(note, indent));
  lines.push(`${indent}{`);
  for (const field of fieldOrder) {
    const value = entry.service[field];
    if (value === undefined) continue;
    // A long env reads better one variable a line.
    if (field === 'env' && literal(value).length > 80) {
      lines.push(`${inner}env: {`, ...Object.entries(value as Record<string, string>).map(([name, item]) => `${inner}  ${key(name)}: ${quote(item)},`), `${inner}},`);
    } else {
      lines.push(`${inner}${field}: ${literal(value)},`);
    }
  }
  lines.push(`${indent}},`);
  return lines.join('\n');
}

/** The text that goes into the SERVICES array: a header naming the source, file notes, then the entries. */
export function renderImported(imported: Imported, source: string, indent = '  '): string {
  const header = [`imported from ${source} by manage.ts import`, ...imported.notes].flatMap((note) => commentLines(note, indent));
  return [...header, ...imported.services.map((entry) => renderService(entry, indent))].join('\n') + '\n';
}
