#!/usr/bin/env bats
# The launcher runs a bundle of the sources, rebuilt when a source changes: an edit counts on the next command.

bats_require_minimum_version 1.5.0
load helpers

# A copy of the repository's scripts with its own node_modules/.cache (packages linked one by one), so the
# test can edit startup.ts without touching the real one or its bundle.
setup() {
  unset MANAGE_SERVICES_FILE MANAGE_STATE_DIR
  repo="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$repo/node_modules"
  cp -R "$ROOT/scripts" "$repo/scripts"
  cp "$ROOT/package.json" "$repo/"
  for package in "$ROOT"/node_modules/*; do ln -s "$package" "$repo/node_modules/"; done
  bundle="$repo/node_modules/.cache/manage-ts/manage.cjs"
}

mtime() {
  stat -c %Y.%y "$1"
}

@test "the first command builds the bundle, later ones reuse it, an edit to startup.ts rebuilds it" {
  run "$repo/scripts/manage.ts" status
  [ "$status" -eq 0 ]
  [[ "$output" == *"dashboard"* ]]
  [ -f "$bundle" ]
  built=$(mtime "$bundle")
  run "$repo/scripts/manage.ts" status
  [ "$(mtime "$bundle")" = "$built" ]

  sed -i "s/name: 'dashboard'/name: 'frontend'/" "$repo/scripts/lib/startup.ts"
  run "$repo/scripts/manage.ts" status
  [ "$status" -eq 0 ]
  [[ "$output" == *"frontend"* ]]
  [[ "$output" != *"dashboard"* ]]
}

@test "a startup.ts copied in with an old modification time still rebuilds the bundle (cp -p, tar, rsync -t)" {
  run "$repo/scripts/manage.ts" status
  [[ "$output" == *"dashboard"* ]]
  sed "s/name: 'dashboard'/name: 'frontend'/" "$repo/scripts/lib/startup.ts" > "$BATS_TEST_TMPDIR/startup.ts"
  touch -d '2 hours ago' "$BATS_TEST_TMPDIR/startup.ts"
  cp -p "$BATS_TEST_TMPDIR/startup.ts" "$repo/scripts/lib/startup.ts"
  run "$repo/scripts/manage.ts" status
  [ "$status" -eq 0 ]
  [[ "$output" == *"frontend"* ]]
}

@test "the bundle runs from another directory and through a symlink to manage.ts" {
  ln -s "$repo/scripts/manage.ts" "$BATS_TEST_TMPDIR/m"
  cd /
  run "$BATS_TEST_TMPDIR/m" status market-data
  [ "$status" -eq 0 ]
  [[ "$output" == *"market-data"* ]]
  [ -f "$bundle" ]
}

@test "MANAGE_BUNDLE=0 runs the sources under tsx and builds nothing" {
  MANAGE_BUNDLE=0 run "$repo/scripts/manage.ts" status
  [ "$status" -eq 0 ]
  [[ "$output" == *"market-data"* ]]
  [ ! -e "$bundle" ]
}

@test "a TypeScript services file elsewhere loads under the bundle" {
  cat > "$BATS_TEST_TMPDIR/services.ts" <<TS
import type { Service } from '$repo/scripts/lib/manage/core/service.ts';
const port: number = 7;
export const SERVICES: Service[] = [{ name: 'typed', command: 'sleep 1', description: 'port ' + port }];
TS
  MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/services.ts" run "$repo/scripts/manage.ts" status --json
  [ "$status" -eq 0 ]
  [[ "$output" == *'"name": "typed"'* ]]
  [ -f "$bundle" ]
}

@test "a syntax error in startup.ts is reported with its place, exit 1, whether or not a bundle exists" {
  echo "export const broken = ;" >> "$repo/scripts/lib/startup.ts"
  run "$repo/scripts/manage.ts" status
  [ "$status" -eq 1 ]
  [[ "$output" == *"error: scripts/lib/startup.ts:"*": Unexpected \";\""* ]]
  [[ "$output" == *"nothing was started or stopped"* ]]
  [ ! -e "$bundle" ]

  sed -i '$d' "$repo/scripts/lib/startup.ts"
  run "$repo/scripts/manage.ts" status
  [ "$status" -eq 0 ]
  [ -e "$bundle" ]
  echo "export const broken = ;" >> "$repo/scripts/lib/startup.ts"
  run "$repo/scripts/manage.ts" status
  [ "$status" -eq 1 ]
  [[ "$output" == *"error: scripts/lib/startup.ts:"*": Unexpected \";\""* ]]
  [[ "$output" != *"SERVICE"* ]]
}

@test "manage.ts finds its repository from a relative path, from inside scripts/, and when run by sh" {
  cd "$repo"
  run ./scripts/manage.ts status market-data
  [ "$status" -eq 0 ]
  [[ "$output" == *"market-data"* ]]
  run sh scripts/manage.ts status signal
  [ "$status" -eq 0 ]
  [[ "$output" == *"signal"* ]]
  cd scripts
  run ./manage.ts status execution
  [ "$status" -eq 0 ]
  [[ "$output" == *"execution"* ]]
  run ../scripts/manage.ts status dashboard
  [ "$status" -eq 0 ]
  [[ "$output" == *"dashboard"* ]]
}

@test "manage.ts finds its repository through a symlink to the scripts directory, whatever its name" {
  ln -s "$repo/scripts" "$BATS_TEST_TMPDIR/tools"
  run "$BATS_TEST_TMPDIR/tools/manage.ts" status market-data
  [ "$status" -eq 0 ]
  [[ "$output" == *"market-data"* ]]
  cd "$BATS_TEST_TMPDIR/tools"
  run ./manage.ts status signal
  [ "$status" -eq 0 ]
  [[ "$output" == *"signal"* ]]
  # A link that keeps the name: the path looks like a repository, but only the real one has node_modules.
  mkdir "$BATS_TEST_TMPDIR/elsewhere"
  ln -s "$repo/scripts" "$BATS_TEST_TMPDIR/elsewhere/scripts"
  run "$BATS_TEST_TMPDIR/elsewhere/scripts/manage.ts" status execution
  [ "$status" -eq 0 ]
  [[ "$output" == *"execution"* ]]
}

# Node parses the whole NODE_EXTRA_CA_CERTS bundle at start: the manager's own Node runs without it (its exec
# environment, /proc/<pid>/environ, shows what it started with), and everything it starts gets it back.
@test "NODE_EXTRA_CA_CERTS: the manager's node starts without it, every service still gets it as set" {
  cat > "$BATS_TEST_TMPDIR/services.mjs" <<'JS'
const report = 'echo "manager: $(tr "\\0" "\\n" < /proc/$PPID/environ | grep -c ^NODE_EXTRA_CA_CERTS=)"; echo "service: ${NODE_EXTRA_CA_CERTS-unset} ${MANAGE_EXTRA_CA_CERTS-unset}"';
export const SERVICES = [{ name: 'report', command: ['sh', '-c', report], oneShot: true }];
JS
  export MANAGE_STATE_DIR="$BATS_TEST_TMPDIR/state"
  NODE_EXTRA_CA_CERTS="$ROOT/tests/fixtures/tls/cert.pem" MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/services.mjs" run "$repo/scripts/manage.ts" up
  [ "$status" -eq 0 ]
  run cat "$MANAGE_STATE_DIR/logs/report.log"
  [[ "$output" == *"manager: 0"* ]]
  [[ "$output" == *"service: $ROOT/tests/fixtures/tls/cert.pem unset"* ]]

  # One left in the environment by another manage.ts is not taken for the user's.
  MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/services.mjs" run env -u NODE_EXTRA_CA_CERTS MANAGE_EXTRA_CA_CERTS=/stale.pem "$repo/scripts/manage.ts" up
  [ "$status" -eq 0 ]
  run tail -2 "$MANAGE_STATE_DIR/logs/report.log"
  [[ "$output" == *"service: unset unset"* ]]
}

@test "NODE_EXTRA_CA_CERTS is back before startup.ts, which builds SERVICES as it loads, is read" {
  sed -i 's/description: .Market-data relay: publishes price ticks over TCP.,/description: `extra=${process.env.NODE_EXTRA_CA_CERTS}`,/' "$repo/scripts/lib/startup.ts"
  NODE_EXTRA_CA_CERTS=/etc/extra.pem run "$repo/scripts/manage.ts" status --json market-data
  [ "$status" -eq 0 ]
  [[ "$output" == *'"description": "extra=/etc/extra.pem"'* ]]
}
