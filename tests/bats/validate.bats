#!/usr/bin/env bats
# validate: one line per check, exit 0 only when the services file loads, is valid and type-checks.

bats_require_minimum_version 1.5.0
load helpers

# A TypeScript services file in its own folder, typed by the engine's Service type.
typed_services() {
  export MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/lib/startup.ts"
  mkdir -p "$BATS_TEST_TMPDIR/lib"
  { echo "import type { Service } from '$ROOT/scripts/lib/manage/core/service.ts';"; cat; } > "$MANAGE_SERVICES_FILE"
}

# schemaVersion, ok and each check's status, from the JSON on stdin.
json_summary() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(r.schemaVersion, r.ok, r.checks.map((c) => c.name + "=" + c.status).join(","))'
}

@test "validate passes a clean TypeScript services file with one ok line per check, exit 0" {
  typed_services <<'TS'
export const SERVICES = [{ name: 'api', command: 'node api.js', port: 8080 }] satisfies Service[];
TS
  run --separate-stderr "$MANAGE" validate
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 3 ]
  [[ "${lines[0]}" == "ok"*"load"*"startup.ts: 1 service" ]]
  [[ "${lines[1]}" == "ok"*"validate"*"no problems" ]]
  [[ "${lines[2]}" == "ok"*"types"*"no type errors"* ]]
  [ ! -e "$MANAGE_STATE_DIR" ]
}

@test "validate lists every problem and every type error, exit 1" {
  typed_services <<'TS'
export const SERVICES = [
  { name: 'redis', command: 'redis-server', port: 6379 },
  { name: 'api', command: 'node api.js', dependOn: ['redis'], readyTimeout: '5s' },
] satisfies Service[];
TS
  run --separate-stderr "$MANAGE" validate
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAILED"*"validate"*"2 problems"* ]]
  [[ "$output" == *'service "api" has an unknown key "dependOn"; did you mean "dependsOn"?'* ]]
  [[ "$output" == *'service "api": readyTimeout must be a number of milliseconds'* ]]
  [[ "$output" == *"FAILED"*"types"*"type error"* ]]
  [[ "$output" == *"startup.ts(4,"*"error TS2322"* ]]
}

@test "validate --json gives the same checks and ok; a file that does not load fails its load check" {
  typed_services <<'TS'
export const SERVICES = [{ name: 'api', command: 'node api.js' }] satisfies Service[];
TS
  run --separate-stderr "$MANAGE" validate --json
  [ "$status" -eq 0 ]
  [ "$(json_summary <<<"$output")" = "1 true load=ok,validate=ok,types=ok" ]
  echo 'export const SERVICES = [ {' > "$MANAGE_SERVICES_FILE"
  run --separate-stderr "$MANAGE" validate --json
  [ "$status" -eq 1 ]
  [ "$(json_summary <<<"$output")" = "1 false load=failed,types=failed" ]
}

@test "validate of a JavaScript services file notes the skipped type check; --strict fails on it" {
  export MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/services.mjs"
  echo "export const SERVICES = [{ name: 'api', command: 'node api.js' }];" > "$MANAGE_SERVICES_FILE"
  run --separate-stderr "$MANAGE" validate
  [ "$status" -eq 0 ]
  [[ "${lines[2]}" == "note"*"types"*"type check skipped: "*"services.mjs is JavaScript" ]]
  run --separate-stderr "$MANAGE" validate --strict
  [ "$status" -eq 1 ]
}
