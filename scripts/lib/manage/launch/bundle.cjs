// The bundle: the engine's main.ts and every module it imports, built by esbuild (which tsx brings along) into
// one CommonJS file that plain node loads in a fraction of the time tsx needs to compile the sources module
// by module (about 200 ms per command on a 2-core machine). Plain JavaScript: it runs before anything can
// compile TypeScript. Two ways in, both from launch.sh:
//   node bundle.cjs MODULES  builds into MODULES/.cache/manage-ts/ (MODULES: the node_modules that holds
//                            tsx); exit 0 built, 1 the sources do not compile (each error printed with its
//                            place), 3 it could not build (no esbuild, a read-only node_modules)
//   node --require bundle.cjs MODULES/.cache/manage-ts/manage.cjs ...
//                            before node reads manage.cjs: if any source differs in size or modification
//                            time from what the bundle was built from, builds it again in place. Equality,
//                            not "newer": a copy that keeps old times (cp -a, tar, rsync -t) counts too.
'use strict';
const { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join, relative } = require('node:path');
const { isMainThread } = require('node:worker_threads');

const engine = join(__dirname, '..');
// Paths in esbuild's metafile are relative to this folder: the engine's and the user's startup.ts beside it.
const workingDir = join(engine, '..');
const building = require.main === module;
// Node also runs --require in the worker thread of module hooks (tsx's, for a TypeScript services file),
// which has no main script: the bundle was checked already, by the main thread.
const checking = !building && isMainThread;
// Building, launch.sh names the node_modules; checking, the bundle about to run is in the cache itself.
const cache = building ? join(process.argv[2], '.cache', 'manage-ts') : checking ? dirname(process.argv[1]) : '';
const inputsFile = join(cache, 'inputs');

/** "size mtimeMs path": what a source was when the bundle was built from it (path last: it may hold spaces). */
function fingerprint(path) {
  try {
    const stat = statSync(path);
    return `${stat.size} ${stat.mtimeMs} ${path}`;
  } catch {
    return `missing ${path}`;
  }
}

function isFresh() {
  let lines;
  try {
    lines = readFileSync(inputsFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    return false;
  }
  // The first line is the engine the bundle was built for: a node_modules shared by two checkouts must not
  // hand one the other's services.
  if (lines[0] !== engine) return false;
  return lines.slice(1).every((line) => fingerprint(line.slice(line.indexOf(' ', line.indexOf(' ') + 1) + 1)) === line);
}

/** Writes by rename, so a concurrent command reads the old file or the new one, never half of either. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** esbuild as tsx has it: with pnpm, or another package pinning its own, it is not at the top of node_modules. */
function loadEsbuild() {
  return createRequire(require.resolve('tsx/package.json', { paths: [cache] }))('esbuild');
}

/** Returns the exit code described at the top. */
function build() {
  let esbuild;
  try {
    esbuild = loadEsbuild();
  } catch {
    return 3;
  }
  let result;
  try {
    result = esbuild.buildSync({
      absWorkingDir: workingDir,
      entryPoints: ['manage/main.ts'],
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
      // paths.ts finds the engine, keeper.sh and the repository root from its own URL: in the bundle that must
      // still be the engine's folder, not the cache (launch.sh keeps the bundle's path unresolved, so a copied
      // or moved repository works).
      define: { 'import.meta.url': 'engineModuleUrl' },
      banner: { js: `const engineModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(relative(cache, join(engine, 'launch', 'paths.ts')))})).href;` },
      // Packages that are ES modules only (ps-list, zx, tsx's API) load through import(), which must stay one.
      supported: { 'dynamic-import': true },
      outfile: join(cache, 'manage.cjs'),
    });
  } catch (failure) {
    if (!Array.isArray(failure.errors) || failure.errors.length === 0) return 3;
    const [first] = failure.errors;
    // The place relative to the repository root (scripts/lib/startup.ts:3:7), wherever the command ran.
    const place = first.location ? `${relative(join(workingDir, '..', '..'), join(workingDir, first.location.file))}:${first.location.line}:${first.location.column + 1}: ` : '';
    process.stderr.write(`error: ${place}${first.text}\n`);
    process.stderr.write(esbuild.formatMessagesSync(failure.errors, { kind: 'error', color: false }).join(''));
    process.stderr.write('fix the file named above; nothing was started or stopped\n');
    return 1;
  }
  try {
    mkdirSync(cache, { recursive: true });
    // Fingerprints from after the build: a source saved while it ran differs from its fingerprint only if it
    // changed after esbuild read it, and then the next command builds again.
    const inputs = Object.keys(result.metafile.inputs).map((input) => fingerprint(join(workingDir, input)));
    writeAtomically(join(cache, 'manage.cjs'), result.outputFiles[0].contents);
    writeAtomically(inputsFile, `${[engine, ...inputs].join('\n')}\n`);
    return 0;
  } catch {
    return 3;
  }
}

if (building) {
  process.exitCode = build();
} else if (checking && !isFresh()) {
  const code = build();
  if (code === 3) process.stderr.write(`manage.ts: cannot rebuild ${join(cache, 'manage.cjs')}; run with MANAGE_BUNDLE=0, or make node_modules writable\n`);
  // A source that does not compile, or no bundle to run: stop before node reads the outdated bundle.
  if (code !== 0) process.exit(1);
}
