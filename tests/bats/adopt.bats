#!/usr/bin/env bats
# init and upgrade, end to end, on repositories these tests create: with no package.json, CommonJS with its
# own lockfile, ESM with its own tsconfig, and one whose old manage.sh left its state. Each is a git repository,
# so `git status` shows exactly what adopting it changed. npm installs the engine's packages for real.

bats_require_minimum_version 1.5.0
load helpers

setup() {
  unset MANAGE_SERVICES_FILE MANAGE_STATE_DIR
  export STACK_MARKER="bats-$$-$RANDOM-$RANDOM"
  port=$(node --import "$ROOT/node_modules/tsx/dist/loader.mjs" "$ROOT/tests/helpers/free-ports.ts" 1)
  target="$BATS_TEST_TMPDIR/app"
  mkdir -p "$target"
}

teardown() {
  for entry in "$target"/*/manage.ts; do
    [ -x "$entry" ] && "$entry" down --force >/dev/null 2>&1
  done
  teardown_stack
}

# A git repository of the files written so far, committed, so that git status shows what init changes.
commit_target() {
  git -C "$target" init -q
  git -C "$target" add -A
  git -C "$target" -c user.email=test@example.com -c user.name=test commit -qm 'the repository as it was'
}

# Declares one service in the adopted startup.ts (an edit a user makes), marked for cleanup by PID.
declare_service() {
  local startup="$target/${2:-scripts}/lib/startup.ts"
  sed -i "s|^export const SERVICES = \[\] satisfies Service\[\];|export const SERVICES = [\n  { name: 'web', command: '$1', port: $port, env: { PORT: '$port', MANAGE_TEST_MARKER: '$STACK_MARKER' } },\n] satisfies Service[];|" "$startup"
  grep -q "name: 'web'" "$startup"
}

# up, status, logs, down through the adopted entry, run from elsewhere than the repository.
run_lifecycle() {
  local entry="$target/${1:-scripts}/manage.ts"
  cd /
  run "$entry" up
  [ "$status" -eq 0 ]
  [[ "$output" == *"ok web "*"ready in"* ]]
  run "$entry" status
  [ "$status" -eq 0 ]
  [[ "$output" =~ web\ +RUNNING.*$port:listening ]]
  wait_until grep -q "listening on $port" "$target/logs/web.log"
  run "$entry" logs -n 5
  [[ "$output" == *"web | listening on $port"* ]]
  run "$entry" down
  [ "$status" -eq 0 ]
  [[ "$output" == *"ok web "*"stopped in"* ]]
  [ -z "$(stack_pids)" ]
  cd - >/dev/null
}

@test "init adopts a repository with no package.json: only scripts/ and .gitignore change; up, status, logs, down" {
  printf '[package]\nname = "engine"\nversion = "0.1.0"\n' > "$target/Cargo.toml"
  mkdir -p "$target/src"
  printf 'fn main() {}\n' > "$target/src/main.rs"
  cat > "$target/serve.py" <<'PY'
import http.server, os, sys
server = http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), http.server.SimpleHTTPRequestHandler)
print(f"listening on {os.environ['PORT']}", flush=True)
server.serve_forever()
PY
  printf 'target/\n' > "$target/.gitignore"
  commit_target

  run "$MANAGE" init "$target"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "ok copied the engine to scripts/lib/manage/ ("*" files, "*")" ]]
  [[ "$output" == *"ok created scripts/manage.ts, scripts/lib/startup.ts (no services yet), scripts/lib/tsconfig.json"* ]]
  [[ "$output" == *"ok .gitignore: added /logs/ /.pids/ node_modules/"* ]]
  [[ "$output" == *"ok installed the engine's packages into "*"scripts/lib/manage/node_modules ("*"MiB, "*")"* ]]
  [[ "$output" == *"next: declare your services in scripts/lib/startup.ts, then cd "*" && ./scripts/manage.ts up"* ]]
  [ "$(git -C "$target" status --porcelain)" = "$(printf ' M .gitignore\n?? scripts/')" ]
  [ "$(git -C "$target" diff .gitignore | grep '^+[^+]')" = "$(printf '+# manage.ts: service logs and PID files, and its packages\n+/logs/\n+/.pids/\n+node_modules/')" ]
  [ -x "$target/scripts/manage.ts" ]
  [ -f "$target/scripts/lib/manage/package-lock.json" ]

  declare_service "python3 serve.py"
  run_lifecycle
  # The state and the packages are ignored: the adopted repository shows the same change as before.
  [ "$(git -C "$target" status --porcelain)" = "$(printf ' M .gitignore\n?? scripts/')" ]
}

@test "init leaves a CommonJS repository's package.json, lockfile and require() service as they were" {
  cat > "$target/package.json" <<'JSON'
{
  "name": "cjs-app",
  "version": "1.0.0",
  "private": true,
  "scripts": { "start": "node server.js", "test": "node --test" }
}
JSON
  cat > "$target/server.js" <<'JS'
const http = require('node:http');
const port = Number(process.env.PORT);
http.createServer((request, response) => response.end('cjs')).listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
JS
  (cd "$target" && npm install --package-lock-only --no-audit --no-fund >/dev/null 2>&1)
  [ -f "$target/package-lock.json" ]
  commit_target

  run "$MANAGE" init "$target"
  [ "$status" -eq 0 ]
  git -C "$target" diff --exit-code package.json package-lock.json server.js
  [ "$(git -C "$target" status --porcelain)" = "$(printf '?? .gitignore\n?? scripts/')" ]

  declare_service "node server.js"
  run_lifecycle
  git -C "$target" diff --exit-code package.json package-lock.json
  # The service ran as CommonJS: nothing turned the repository into "type": "module".
  [ "$(node -p "require('$target/package.json').type")" = undefined ]
}

@test "init in an ESM repository with its own tsconfig.json: says how to keep the engine out of its type check" {
  printf '{ "name": "esm-app", "version": "1.0.0", "type": "module" }\n' > "$target/package.json"
  printf '{ "compilerOptions": { "strict": true }, "include": ["**/*.ts"] }\n' > "$target/tsconfig.json"
  cat > "$target/server.mjs" <<'JS'
import http from 'node:http';
const port = Number(process.env.PORT);
http.createServer((request, response) => response.end('esm')).listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
JS
  commit_target

  run "$MANAGE" init "$target"
  [ "$status" -eq 0 ]
  [[ "$output" == *'note tsconfig.json: add "scripts/lib/manage" to its "exclude" so your own type check leaves the engine to manage.ts'* ]]
  git -C "$target" diff --exit-code package.json tsconfig.json
  declare_service "node server.mjs"
  run_lifecycle
}

@test "a repository whose old manage.sh stack is running: init leaves its state, then status adopts it and down stops it" {
  cat > "$target/manage.sh" <<'SH'
#!/bin/bash
# An old manage.sh: SERVICES in an array, started in the background, the bare PID in .pids/<name>.pid.
declare -A SERVICES=([worker]="sleep 307")
mkdir -p .pids logs
for name in "${!SERVICES[@]}"; do
  nohup ${SERVICES[$name]} >> "logs/$name.log" 2>&1 &
  echo $! > ".pids/$name.pid"
done
SH
  printf '.pids/\nlogs/\n' > "$target/.gitignore"
  commit_target
  (cd "$target" && MANAGE_TEST_MARKER="$STACK_MARKER" bash manage.sh)
  pid=$(cat "$target/.pids/worker.pid")
  is_running "$pid"

  run "$MANAGE" init "$target"
  [ "$status" -eq 0 ]
  # A manage.sh is something import reads: init offers it as the next step.
  [[ "$output" == *"next: cd "*" && ./scripts/manage.ts import manage.sh && ./scripts/manage.ts up"* ]]
  # The state folders were ignored already: .gitignore gains only node_modules/.
  [[ "$output" == *"ok .gitignore: added node_modules/"* ]]
  [ "$(cat "$target/.pids/worker.pid")" = "$pid" ]
  [ "$(git -C "$target" status --porcelain)" = "$(printf ' M .gitignore\n?? scripts/')" ]

  sed -i "s|^export const SERVICES = \[\] satisfies Service\[\];|export const SERVICES = [{ name: 'worker', command: 'sleep 307' }] satisfies Service[];|" "$target/scripts/lib/startup.ts"
  run --separate-stderr "$target/scripts/manage.ts" status
  [ "$status" -eq 0 ]
  [[ "$stderr" == *"worker: adopted pid $pid from"* ]]
  [[ "$output" =~ worker\ +RUNNING\ +$pid ]]
  run "$target/scripts/manage.ts" logs -n 1
  [ "$status" -eq 0 ]
  run "$target/scripts/manage.ts" down
  [ "$status" -eq 0 ]
  [[ "$output" == *"ok worker "*"stopped in"* ]]
  ! is_running "$pid"
  run "$MANAGE" upgrade "$target"
  [ "$status" -eq 0 ]
  [[ "$output" == *"is up to date"* ]]
  [ "$(git -C "$target" status --porcelain)" = "$(printf ' M .gitignore\n?? scripts/')" ]
}

@test "init with --dir tools: tools/manage.ts runs the stack from any directory" {
  printf 'console.log("listening on " + process.env.PORT); require("node:net").createServer().listen(Number(process.env.PORT), "127.0.0.1");\n' > "$target/server.cjs"
  commit_target
  run "$MANAGE" init "$target" --dir tools
  [ "$status" -eq 0 ]
  [[ "$output" == *"ok copied the engine to tools/lib/manage/"* ]]
  [ ! -e "$target/scripts" ]
  declare_service "node server.cjs" tools
  run_lifecycle tools
}

@test "the editor's check of startup.ts: lib/tsconfig.json passes the template and flags a misspelt key, with no @types/node" {
  printf '# app\n' > "$target/README.md"
  commit_target
  run "$MANAGE" init "$target" --no-install
  [ "$status" -eq 0 ]
  [[ "$output" == *"note packages not installed (--no-install): cd "*"scripts/lib/manage && npm install"* ]]
  run "$ROOT/node_modules/.bin/tsc" -p "$target/scripts/lib"
  [ "$status" -eq 0 ]
  sed -i "s|^export const SERVICES = \[\] satisfies Service\[\];|export const SERVICES = [{ name: 'api', command: 'x', prot: 9000 }] satisfies Service[];|" "$target/scripts/lib/startup.ts"
  run "$ROOT/node_modules/.bin/tsc" -p "$target/scripts/lib"
  [ "$status" -ne 0 ]
  [[ "$output" == *"startup.ts("*"'prot' does not exist in type 'Service'"* ]]
}

@test "init stops at files it would overwrite, names them all, and writes nothing" {
  mkdir -p "$target/scripts/lib"
  printf 'echo mine\n' > "$target/scripts/manage.ts"
  printf 'export const mine = 1;\n' > "$target/scripts/lib/startup.ts"
  commit_target
  run "$MANAGE" init "$target" --no-install
  [ "$status" -eq 1 ]
  [[ "${lines[0]}" == "error: "*"app already has scripts/manage.ts, scripts/lib/startup.ts, which init would overwrite" ]]
  [[ "${lines[1]}" == "move them away, or choose another folder with --dir (for example --dir tools); nothing was written" ]]
  [ -z "$(git -C "$target" status --porcelain)" ]
}

@test "init refuses a missing folder, a nested --dir, no repository, and manage.ts's own repository, exit 1" {
  run "$MANAGE" init "$BATS_TEST_TMPDIR/nowhere"
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
  run "$MANAGE" init "$target" --dir a/b
  [ "$status" -eq 1 ]
  [[ "$output" == *'--dir must name one folder directly under the repository root (like scripts or tools), not "a/b"'* ]]
  run "$MANAGE" init
  [ "$status" -eq 1 ]
  [[ "$output" == *"init takes one repository folder"* ]]
  run "$MANAGE" init "$ROOT"
  [ "$status" -eq 1 ]
  [[ "$output" == *"is manage.ts's own repository"* ]]
  [ -z "$(ls -A "$target")" ]
  run "$MANAGE" upgrade "$target"
  [ "$status" -eq 1 ]
  [[ "$output" == *"has no manage.ts to upgrade"* ]]
}

@test "upgrade replaces the engine, keeps startup.ts, the state and a running service, and says what changed" {
  printf 'console.log("listening on " + process.env.PORT); require("node:net").createServer().listen(Number(process.env.PORT), "127.0.0.1");\n' > "$target/server.cjs"
  commit_target
  run "$MANAGE" init "$target"
  [ "$status" -eq 0 ]
  declare_service "node server.cjs"
  run "$target/scripts/manage.ts" up
  [ "$status" -eq 0 ]
  pid=$(sed -n 's/^pid=//p' "$target/.pids/web.pid")
  startup=$(sha256sum < "$target/scripts/lib/startup.ts")
  pidfile=$(sha256sum < "$target/.pids/web.pid")

  # A newer manage.ts: a copy of this one with one module changed and one added.
  newer="$BATS_TEST_TMPDIR/newer"
  mkdir -p "$newer/node_modules"
  cp -R "$ROOT/scripts" "$newer/scripts"
  cp "$ROOT/package.json" "$newer/"
  for package in "$ROOT"/node_modules/*; do ln -s "$package" "$newer/node_modules/"; done
  printf '\n// a change in a newer version\n' >> "$newer/scripts/lib/manage/core/graph.ts"
  printf '// a module a newer version adds\nexport {};\n' > "$newer/scripts/lib/manage/core/added.ts"

  run "$newer/scripts/manage.ts" upgrade "$target" -v
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "ok upgraded scripts/lib/manage (version "*"): 1 changed, 1 added, 0 removed of "*" files (-v lists them)" ]]
  [[ "$output" == *"    + core/added.ts"* ]]
  [[ "$output" == *"    ~ core/graph.ts"* ]]
  [[ "$output" == *"note kept scripts/lib/startup.ts and the state (logs/, .pids/); running services keep running"* ]]
  cmp "$newer/scripts/lib/manage/core/graph.ts" "$target/scripts/lib/manage/core/graph.ts"
  [ "$(sha256sum < "$target/scripts/lib/startup.ts")" = "$startup" ]
  [ "$(sha256sum < "$target/.pids/web.pid")" = "$pidfile" ]
  is_running "$pid"
  # The packages stayed: nothing to download, and no staging folder left beside the engine.
  [ -d "$target/scripts/lib/manage/node_modules/tsx" ]
  [ "$(ls "$target/scripts/lib")" = "$(printf 'manage\nstartup.ts\ntsconfig.json')" ]

  # The upgraded engine runs (its bundle is rebuilt from the new sources) and stops what the old one started.
  run "$target/scripts/manage.ts" status
  [[ "$output" =~ web\ +RUNNING ]]
  run "$newer/scripts/manage.ts" upgrade "$target"
  [ "$status" -eq 0 ]
  [[ "$output" == "ok scripts/lib/manage is up to date (version "*"); nothing changed" ]]
  run "$target/scripts/manage.ts" down
  [ "$status" -eq 0 ]
  [ -z "$(stack_pids)" ]
}

@test "init on a full disk: one sentence naming the path, exit 1, and the repository as it was" {
  mount -t tmpfs -o size=100k tmpfs "$target"
  printf 'x\n' > "$target/README.md"
  run "$MANAGE" init "$target" --no-install
  left=$(ls -A "$target")
  umount "$target"
  [ "$left" = README.md ]
  [ "$status" -eq 1 ]
  [[ "${lines[0]}" == "error: cannot write "*"/app/scripts/lib/manage: ENOSPC: no space left on device"* ]]
  [ "${lines[1]}" = "check the permissions and free space of that folder, then run the command again" ]
  [[ "$output" != *"    at "* ]]
}
