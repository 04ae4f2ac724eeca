// Builds scripts/manage.ts and every module it imports into one ES module that plain node loads in about a
// tenth of the time tsx needs (tsx compiles each module as it loads, ~200 ms per command on a 2-core machine).
// launch.sh runs this when a source is newer than the bundle, so an edit to startup.ts counts at once.
// Plain JavaScript: it has to run before anything can compile TypeScript.
// Exit 0: built. Exit 1: the sources do not compile (each error printed with its place; a configuration
// error like any other). Exit 3: it could not build (say node_modules is read-only); launch.sh then runs the
// sources under tsx instead, slower but working.
import { buildSync, formatMessagesSync } from 'esbuild';
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cache = join(root, 'node_modules', '.cache', 'manage-ts');
// The bundle's mtime: a second before the build began, so a source saved while the build ran is newer even
// where test -nt compares whole seconds (macOS). Saving within that second costs a rebuild or two, no more.
const stamp = new Date(Date.now() - 1000);

/** Writes by rename, so a concurrent launcher reads the old file or the new one, never half of either. */
function writeAtomically(path, contents, mtime) {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, contents);
    if (mtime) utimesSync(temporary, mtime, mtime);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Returns the exit code described at the top. */
function build() {
  let result;
  try {
    result = buildSync({
      absWorkingDir: root,
      entryPoints: ['scripts/manage.ts'],
      bundle: true,
      platform: 'node',
      // CommonJS: Node reaches the first line of a CommonJS main module about 20 ms sooner than an ES module's.
      format: 'cjs',
      target: 'node20',
      // Packages load from node_modules as they are; only the repository's own TypeScript is bundled.
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Modules find keeper.sh and the repository root from their own URL: in the bundle that must still be
      // scripts/lib/, not node_modules/.cache/manage-ts/ (launch.sh keeps the bundle's path unresolved).
      define: { 'import.meta.url': 'sourceDirectoryUrl' },
      banner: { js: "const sourceDirectoryUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, '../../../scripts/lib/bundle.js')).href;" },
      // Packages that are ES modules only (ps-list, zx, tsx's API) load through import(), which must stay one.
      supported: { 'dynamic-import': true },
      outfile: join(cache, 'manage.cjs'),
    });
  } catch (failure) {
    if (!Array.isArray(failure.errors) || failure.errors.length === 0) return 3;
    for (const error of failure.errors) {
      const place = error.location ? `${error.location.file}:${error.location.line}:${error.location.column + 1}: ` : '';
      process.stderr.write(`error: ${place}${error.text}\n`);
    }
    process.stderr.write(formatMessagesSync(failure.errors, { kind: 'error', color: false }).join(''));
    process.stderr.write('fix the file named above; nothing was started or stopped\n');
    return 1;
  }
  try {
    mkdirSync(cache, { recursive: true });
    // For launch.sh's freshness check: the root it was built for (a node_modules shared by two checkouts must
    // not hand one the other's services), then one absolute input path per line.
    const inputs = Object.keys(result.metafile.inputs).map((input) => join(root, input));
    writeAtomically(join(cache, 'inputs'), `${[root.replace(/\/$/, ''), ...inputs].join('\n')}\n`);
    writeAtomically(join(cache, 'manage.cjs'), result.outputFiles[0].contents, stamp);
    return 0;
  } catch {
    return 3;
  }
}

process.exitCode = build();
