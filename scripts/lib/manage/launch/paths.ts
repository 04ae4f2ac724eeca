// Where the engine, its entry and the repository are: the one module that reads its own URL, so every other
// module finds files the same way from the sources (tsx) and from the bundle (see launch/bundle.cjs).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The engine's folder, <entry folder>/lib/manage/: `manage.ts upgrade` replaces it whole. */
export const engineDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** A URL inside the engine, for resolving packages and modules relative to it. */
export const engineUrl = import.meta.url;
/** The folder that holds manage.ts: scripts/ here, whatever name a repository gave it (tools/, bin/...). */
export const entryDir = resolve(engineDir, '..', '..');
/** The repository root: the folder that holds the entry's folder. Relative cwd values resolve against it. */
export const repoRoot = dirname(entryDir);
/** The user's declarations, <entry folder>/lib/startup.ts, which the engine never overwrites. */
export const defaultServicesFile = join(entryDir, 'lib', 'startup.ts');
