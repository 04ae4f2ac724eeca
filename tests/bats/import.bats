#!/usr/bin/env bats
# import: a Procfile, compose file, manage.sh or PM2 file into a copy of startup.ts, checked and then run.

bats_require_minimum_version 1.5.0
load helpers

# A copy of an empty startup.ts in the test's directory, with the type import pointing at the engine.
empty_startup() {
  export MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/startup.ts"
  cat > "$MANAGE_SERVICES_FILE" <<TS
import type { Service } from '$ROOT/scripts/lib/manage/core/service.ts';

export const SERVICES = [] satisfies Service[];
TS
  chmod 640 "$MANAGE_SERVICES_FILE"
}

@test "import writes the declarations into startup.ts, keeps its mode, and names the next command" {
  empty_startup
  run --separate-stderr "$MANAGE" import "$ROOT/tests/fixtures/import/docker-compose.yml"
  [ "$status" -eq 0 ]
  [[ "$stderr$output" == *"imported 5 services from"*"vote, result, redis, migrate, seed"* ]]
  [[ "$stderr$output" == *"next: "*"manage.ts up"* ]]
  [ "$(stat -c %a "$MANAGE_SERVICES_FILE")" = 640 ]
  grep -q "name: 'vote'" "$MANAGE_SERVICES_FILE"
  grep -q '"db" not imported' "$MANAGE_SERVICES_FILE"
  [ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.import-')" ]
}

@test "import --stdout prints the declarations and writes nothing" {
  empty_startup
  before=$(cat "$MANAGE_SERVICES_FILE")
  run --separate-stderr "$MANAGE" import --stdout "$ROOT/tests/fixtures/import/Procfile"
  [ "$status" -eq 0 ]
  [[ "$output" == *"name: 'release'"*"oneShot: true"* ]]
  [ "$(cat "$MANAGE_SERVICES_FILE")" = "$before" ]
}

@test "a second import refuses to overwrite without --force, and --force replaces" {
  empty_startup
  "$MANAGE" import "$ROOT/tests/fixtures/import/Procfile"
  before=$(cat "$MANAGE_SERVICES_FILE")
  run --separate-stderr "$MANAGE" import "$ROOT/tests/fixtures/import/Procfile"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'services "release", "web", "worker", "clock" are already declared'* ]]
  [[ "$stderr" == *"--force"* ]]
  [ "$(cat "$MANAGE_SERVICES_FILE")" = "$before" ]
  run "$MANAGE" import --force --port 7000 "$ROOT/tests/fixtures/import/Procfile"
  [ "$status" -eq 0 ]
  [ "$(grep -c "name: 'web'" "$MANAGE_SERVICES_FILE")" -eq 1 ]
  grep -q "port: 7100" "$MANAGE_SERVICES_FILE"
}

@test "a bad file gets one sentence, exit 1, and nothing is written" {
  empty_startup
  before=$(cat "$MANAGE_SERVICES_FILE")
  printf 'services:\n  api: [\n' > "$BATS_TEST_TMPDIR/docker-compose.yml"
  run --separate-stderr "$MANAGE" import "$BATS_TEST_TMPDIR/docker-compose.yml"
  [ "$status" -eq 1 ]
  [[ "$stderr" == "error: docker-compose.yml is not valid YAML"* ]]
  [[ "$stderr" != *"    at "* ]]
  [ "$(cat "$MANAGE_SERVICES_FILE")" = "$before" ]
  run --separate-stderr "$MANAGE" import "$BATS_TEST_TMPDIR/missing.yml"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"does not exist"* ]]
}

@test "an imported Procfile of real processes comes up on run-time ports and goes down" {
  empty_startup
  node=$(command -v node)
  cat > "$BATS_TEST_TMPDIR/Procfile" <<PROCFILE
release: "$node" -e "process.exit(0)"
web: env PORT=\$PORT MANAGE_TEST_MARKER=$STACK_MARKER "$node" "$ROOT/tests/fixtures/server.mjs"
PROCFILE
  base=$((TEST_PORT_DB - 100))
  run "$MANAGE" import --port "$base" "$BATS_TEST_TMPDIR/Procfile"
  [ "$status" -eq 0 ]
  grep -q "port: $TEST_PORT_DB" "$MANAGE_SERVICES_FILE"
  run "$MANAGE" up
  [ "$status" -eq 0 ]
  run "$MANAGE" status --json
  [[ "$output" == *'"name": "web"'* ]]
  node -e "require('net').connect($TEST_PORT_DB, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
  run "$MANAGE" down
  [ "$status" -eq 0 ]
  [ -z "$(stack_pids)" ]
}
