#!/usr/bin/env bats
# Bad input gets one clear sentence and the documented exit code, and changes nothing.

bats_require_minimum_version 1.5.0
load helpers

# Writes a services file into the test's directory and points the CLI at it.
services_file() {
  export MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/services.mjs"
  cat > "$MANAGE_SERVICES_FILE"
}

nothing_changed() {
  [ -z "$(stack_pids)" ] && [ ! -e "$MANAGE_STATE_DIR/logs" ]
}

@test "help lists every command and exits 0; help <command> shows its options" {
  run "$MANAGE" help
  [ "$status" -eq 0 ]
  for command in up down restart status logs help; do [[ "$output" == *"  $command"* ]]; done
  run "$MANAGE" help logs
  [ "$status" -eq 0 ]
  [[ "$output" == *"--follow"* ]]
  run "$MANAGE" up --help
  [[ "$output" == *"usage: manage.ts up"* ]]
  run "$MANAGE"
  [ "$status" -eq 0 ]
  [[ "$output" == "usage: manage.ts"* ]]
}

@test "an unknown command prints the usage and exits 1" {
  run --separate-stderr "$MANAGE" launch
  [ "$status" -eq 1 ]
  [ "$output" = "" ]
  [[ "$stderr" == *'error: unknown command "launch"'* ]]
  [[ "$stderr" == *"usage: manage.ts <command>"* ]]
}

@test "an unknown option prints the command's usage and exits 1" {
  run --separate-stderr "$MANAGE" up --fast
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"unknown option '--fast'"* ]]
  [[ "$stderr" == *"usage: manage.ts up"* ]]
  nothing_changed
}

@test "an unknown service names the known ones, exits 1, and starts nothing" {
  run --separate-stderr "$MANAGE" up db apii
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'unknown service or group "apii"'* ]]
  [[ "$stderr" == *"services: db, api, worker; groups: backend"* ]]
  nothing_changed
}

@test "a bad -n is a usage error" {
  run "$MANAGE" logs -n many
  [ "$status" -eq 1 ]
  [[ "$output" == *"-n needs a whole number"* ]]
}

@test "a dependency cycle is named, exits 1, and nothing starts" {
  services_file <<'JS'
export const SERVICES = [
  { name: 'a', command: 'sleep 100', dependsOn: ['c'] },
  { name: 'b', command: 'sleep 100', dependsOn: ['a'] },
  { name: 'c', command: 'sleep 100', dependsOn: ['b'] },
];
JS
  run "$MANAGE" up
  [ "$status" -eq 1 ]
  [[ "$output" == *"dependency cycle: a -> c -> b -> a"* ]]
  [[ "$output" == *"nothing was started or stopped"* ]]
  nothing_changed
}

@test "duplicate ports, unknown dependencies and empty commands are all reported at once" {
  services_file <<'JS'
export const SERVICES = [
  { name: 'a', command: 'sleep 100', port: 23456 },
  { name: 'b', command: 'sleep 100', port: 23456, dependsOn: ['nope'] },
  { name: 'c', command: '  ' },
];
JS
  run "$MANAGE" status
  [ "$status" -eq 1 ]
  [[ "$output" == *'service "b" and service "a" both declare port 23456'* ]]
  [[ "$output" == *'service "b" depends on "nope", which is not defined in'* ]]
  [[ "$output" == *'service "c" has an empty command'* ]]
  nothing_changed
}

@test "a services file that does not load is a config error" {
  services_file <<'JS'
export const SERVICES = [ { name: 'a', command: 'x' ;
JS
  run "$MANAGE" status
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot load"*"services.mjs"* ]]
  run "$MANAGE" status --services "$BATS_TEST_TMPDIR/missing.mjs"
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing.mjs does not exist"* ]]
}

@test "a misspelt key is a configuration error with a did-you-mean, listed with the other problems" {
  services_file <<'JS'
export const SERVICES = [
  { name: 'redis', command: 'sleep 100', prot: 9000 },
  { name: 'api', command: 'sleep 100', dependOn: ['redis'], ready: { tcp: 9000, hots: 'localhost' } },
  { name: 'web', command: '  ' },
];
JS
  run --separate-stderr "$MANAGE" up
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'service "redis" has an unknown key "prot"; did you mean "port"?'* ]]
  [[ "$stderr" == *'service "api" has an unknown key "dependOn"; did you mean "dependsOn"?'* ]]
  [[ "$stderr" == *'the ready check of service "api" has an unknown key "hots"; did you mean "host"?'* ]]
  [[ "$stderr" == *'service "web" has an empty command'* ]]
  nothing_changed
}

@test "a misspelt command, option or service gets a did-you-mean and exit 1" {
  run --separate-stderr "$MANAGE" strat
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'unknown command "strat"; did you mean "start"?'* ]]
  run --separate-stderr "$MANAGE" status --jsn
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"unknown option '--jsn' for \"status\"; did you mean '--json'?"* ]]
  run --separate-stderr "$MANAGE" up db apii
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'unknown service or group "apii"; did you mean "api"?'* ]]
  run --separate-stderr "$MANAGE" down backnd
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'unknown service or group "backnd"; did you mean "backend"?'* ]]
  nothing_changed
}

@test "a service that exits during startup fails up with exit 2, its log, and its dependents skipped" {
  services_file <<JS
export const SERVICES = [
  { name: 'db', command: 'echo "cannot open data dir" >&2; exit 4', env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
  { name: 'api', command: 'sleep 100', dependsOn: ['db'], env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
  { name: 'cache', command: 'sleep 100', env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
];
JS
  run --separate-stderr "$MANAGE" up
  [ "$status" -eq 2 ]
  [[ "$stderr" =~ FAILED\ db\ +exited\ with\ code\ 4 ]]
  [[ "$stderr" == *"| cannot open data dir"* ]]
  [[ "$stderr" =~ skipped\ api\ +skipped\ \(dependency\ db\ failed\) ]]
  [[ "$output" == *"ok cache"* ]]
  [[ "$output" == *"1 started, 1 failed, 1 skipped"* ]]
  [ ! -e "$MANAGE_STATE_DIR/.pids/db.pid" ]
}

@test "a port held by a stranger is refused with its PID and command (exit 2); --force stops it" {
  # Background jobs close fd 3, or bats waits for them before reporting.
  PORT=$TEST_PORT_DB node "$ROOT/tests/fixtures/server.mjs" > /dev/null 2>&1 3>&- &
  local stranger=$!
  wait_until bash -c "exec 3<>/dev/tcp/127.0.0.1/$TEST_PORT_DB" 2>/dev/null
  run --separate-stderr "$MANAGE" up
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"port $TEST_PORT_DB for \"db\" is held by pid $stranger ("*"server.mjs), which manage.ts did not start; stop it, or run up --force"* ]]
  [ -z "$(stack_pids)" ]
  run "$MANAGE" up --force db
  [ "$status" -eq 0 ]
  [[ "$output" == *"--force: stopped pid $stranger"* ]]
  ! is_running "$stranger"
}

@test "a second up while one is running waits, then names the holder and exits 1" {
  export API_LISTEN_DELAY_MS=6000
  "$MANAGE" up -q api 3>&- &
  local first=$!
  wait_until test -e "$MANAGE_STATE_DIR/.pids/manage.lock"
  run --separate-stderr "$MANAGE" up
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"another manage.ts (pid $first, running \"up\") is working on this stack"* ]]
  wait "$first"
}

@test "a lock left by a dead manage.ts is taken over" {
  mkdir -p "$MANAGE_STATE_DIR/.pids"
  echo '{"pid":999999,"startTime":1,"command":"up"}' > "$MANAGE_STATE_DIR/.pids/manage.lock"
  run "$MANAGE" up db
  [ "$status" -eq 0 ]
  [ ! -e "$MANAGE_STATE_DIR/.pids/manage.lock" ]
}

@test "an unreadable PID file is named with the fix, exit 1" {
  mkdir -p "$MANAGE_STATE_DIR/.pids"
  echo "garbage" > "$MANAGE_STATE_DIR/.pids/db.pid"
  run "$MANAGE" status
  [ "$status" -eq 1 ]
  [[ "$output" == *".pids/db.pid is unreadable"* ]]
  [[ "$output" == *"remove the file"* ]]
  run "$MANAGE" up
  [ "$status" -eq 1 ]
  [ -z "$(stack_pids)" ]
}
