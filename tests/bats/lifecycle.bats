#!/usr/bin/env bats
# The CLI end to end as a user types it: up, status, logs, restart, down.

bats_require_minimum_version 1.5.0
load helpers

@test "up; status; down; status: everything starts in order and nothing is left behind" {
  run "$MANAGE" up
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "ok db "* ]]
  [[ "${lines[1]}" == "ok api "* ]]
  [[ "${lines[2]}" == "ok worker "* ]]
  [ "${lines[3]}" = "3 started" ]

  run "$MANAGE" status
  [ "$status" -eq 0 ]
  [[ "$output" =~ db\ +RUNNING\ +[0-9]+\ .*$TEST_PORT_DB:listening ]]
  [[ "$output" =~ api\ +RUNNING\ +[0-9]+\ .*$TEST_PORT_API:listening ]]
  [[ "$output" =~ worker\ +RUNNING ]]
  [[ "$output" == *"3/3 running"* ]]
  # db runs as node itself; api and worker are node under a /bin/sh -c wrapper.
  [ "$(stack_pids | wc -l)" -eq 5 ]

  run "$MANAGE" down
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "ok worker "*"stopped in "* ]]
  [[ "${lines[2]}" == "ok db "*"stopped in "* ]]
  [ -z "$(stack_pids)" ]
  [ -z "$(ls -A "$MANAGE_STATE_DIR/.pids")" ]

  run "$MANAGE" status
  [[ "$output" == *"0/3 running, 3 stopped"* ]]
}

@test "no manage.ts process stays behind after up returns" {
  "$MANAGE" up -q
  for file in /proc/[0-9]*/cmdline; do
    ! tr '\0' ' ' < "$file" 2>/dev/null | grep -q "scripts/manage.ts up"
  done
}

@test "works from any directory" {
  cd /
  run "$MANAGE" up db
  [ "$status" -eq 0 ]
  cd "$BATS_TEST_TMPDIR"
  run "$MANAGE" status db
  [[ "$output" == *"db"*"RUNNING"* ]]
  [ -f "$MANAGE_STATE_DIR/logs/db.log" ]
  [ -f "$MANAGE_STATE_DIR/.pids/db.pid" ]
}

@test "up of one service starts what it depends on and nothing else" {
  run "$MANAGE" up api
  [ "$status" -eq 0 ]
  run "$MANAGE" status --json
  node -e '
    const report = JSON.parse(process.argv[1]);
    const state = Object.fromEntries(report.services.map((s) => [s.name, s.state]));
    if (JSON.stringify(state) !== JSON.stringify({ db: "running", api: "running", worker: "stopped" })) throw new Error(JSON.stringify(state));
  ' "$output"
}

@test "a group name selects its members" {
  run "$MANAGE" up backend
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "2 started" ]
  run "$MANAGE" down backend
  [ "$status" -eq 0 ]
  [[ "$output" == *"api"*"stopped in"* ]]
}

@test "a second up reports running services and starts nothing" {
  "$MANAGE" up -q
  run "$MANAGE" up
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "note db "*"already running (pid "* ]]
  [ "${lines[-1]}" = "3 already running" ]
  [ "$(stack_pids | wc -l)" -eq 5 ]
}

@test "status --json is stable machine-readable JSON" {
  "$MANAGE" up -q db
  run --separate-stderr "$MANAGE" status --json
  [ "$status" -eq 0 ]
  node -e '
    const report = JSON.parse(process.argv[1]);
    const db = report.services.find((s) => s.name === "db");
    const ok = report.schemaVersion === 1 && report.summary.total === 3 && report.summary.running === 1 &&
      db.state === "running" && Number.isInteger(db.pid) && db.ports[0].listening === true && db.ports[0].heldBy === "service";
    if (!ok) throw new Error(process.argv[1]);
  ' "$output"
}

@test "piped output has no colour codes; a TTY gets them unless NO_COLOR is set" {
  "$MANAGE" up -q db
  run "$MANAGE" status
  [[ "$output" != *$'\e['* ]]
  run script -qec "$MANAGE status" /dev/null
  [[ "$output" == *$'\e['* ]]
  [[ "$output" == *"● RUNNING"* ]]
  run env NO_COLOR=1 script -qec "$MANAGE status" /dev/null
  [[ "$output" != *$'\e['* ]]
  run script -qec "$MANAGE status --no-color" /dev/null
  [[ "$output" != *$'\e['* ]]
}

@test "logs prints the last lines of each log prefixed with the service name" {
  "$MANAGE" up -q db api
  run --separate-stderr "$MANAGE" logs -n 1 backend
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^db\ \ \|\ .*listening\ on\ $TEST_PORT_DB$ ]]
  [[ "${lines[1]}" =~ ^api\ \|\ .*listening\ on\ $TEST_PORT_API$ ]]
  run --separate-stderr "$MANAGE" logs -n 1
  [[ "$stderr" == *"worker: no log yet"* ]]
  [[ "${lines[0]}" =~ ^db\ {5}\|\  ]]
  run "$MANAGE" logs db
  [[ "$output" == *"db | === "*"manage.ts up db"* ]]
}

@test "logs piped into head exits cleanly" {
  "$MANAGE" up -q db
  for i in $(seq 1 200); do echo "line $i" >> "$MANAGE_STATE_DIR/logs/db.log"; done
  run bash -c "'$MANAGE' logs -n 200 db | head -n 1"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
}

@test "logs -f streams new lines until interrupted" {
  "$MANAGE" up -q db
  "$MANAGE" logs -f -n 0 db > "$BATS_TEST_TMPDIR/follow.out" &
  local follower=$!
  # Give the follower time to start reading before the line is written, by waiting for its output file.
  wait_until test -f "$BATS_TEST_TMPDIR/follow.out"
  for i in $(seq 1 40); do echo "appended line $i" >> "$MANAGE_STATE_DIR/logs/db.log"; sleep 0.05; done
  wait_until grep -q "db | appended line 40" "$BATS_TEST_TMPDIR/follow.out"
  kill -INT "$follower"
  wait "$follower"
}

@test "restart replaces the processes" {
  "$MANAGE" up -q db
  local before
  before=$(head -1 "$MANAGE_STATE_DIR/.pids/db.pid")
  run "$MANAGE" restart db
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "ok db "*"stopped in"* ]]
  [[ "${lines[1]}" == "ok db "*"ready in"* ]]
  [ "$(head -1 "$MANAGE_STATE_DIR/.pids/db.pid")" != "$before" ]
  ! is_running "$before"
}

@test "Ctrl-C during up stops waiting, keeps started services with their PID files, exits 130" {
  export API_LISTEN_DELAY_MS=30000
  "$MANAGE" up > "$BATS_TEST_TMPDIR/up.out" 2>&1 3>&- &
  local manager=$!
  wait_until test -e "$MANAGE_STATE_DIR/.pids/api.pid"
  kill -INT "$manager"
  local code=0
  wait "$manager" || code=$?
  [ "$code" -eq 130 ]
  grep -q "interrupted: no longer waiting" "$BATS_TEST_TMPDIR/up.out"
  grep -Eq "api +interrupted while waiting; left running \(pid [0-9]+\)" "$BATS_TEST_TMPDIR/up.out"
  grep -Eq "worker +not started \(interrupted\)" "$BATS_TEST_TMPDIR/up.out"
  run "$MANAGE" status
  [[ "$output" =~ db\ +RUNNING ]]
  # Alive, not listening yet, well within its readyTimeout.
  [[ "$output" =~ api\ +STARTING ]]
  [[ "$output" =~ worker\ +STOPPED ]]
  [ ! -e "$MANAGE_STATE_DIR/.pids/manage.lock" ]
}

@test "a second Ctrl-C during down kills at once" {
  single_service stubborn "IGNORE_SIGTERM: '1'" "stopTimeout: 60000"
  "$MANAGE" up -q
  "$MANAGE" down > "$BATS_TEST_TMPDIR/down.out" 2>&1 3>&- &
  local manager=$!
  wait_until grep -q "ignoring SIGTERM" "$MANAGE_STATE_DIR/logs/stubborn.log"
  kill -INT "$manager"
  wait_until grep -q "press Ctrl-C again" "$BATS_TEST_TMPDIR/down.out"
  kill -INT "$manager"
  wait "$manager"
  grep -Eq "stubborn +killed after" "$BATS_TEST_TMPDIR/down.out"
  [ -z "$(stack_pids)" ]
}

@test "a reader that goes away does not cut up or down short" {
  run bash -c "'$MANAGE' up | head -1"
  [ "$status" -eq 0 ]
  [ "$(ls "$MANAGE_STATE_DIR/.pids" | grep -c '\.pid$')" -eq 3 ]
  run "$MANAGE" status
  [[ "$output" == *"3/3 running"* ]]
  run bash -c "'$MANAGE' down | head -1"
  [ "$status" -eq 0 ]
  [ -z "$(stack_pids)" ]
  [ -z "$(ls -A "$MANAGE_STATE_DIR/.pids")" ]
}

@test "Ctrl-C during restart's stop phase does not start again, exit 130" {
  single_service slow "EXIT_DELAY_MS: '1500'"
  "$MANAGE" up -q
  "$MANAGE" restart > "$BATS_TEST_TMPDIR/restart.out" 2>&1 3>&- &
  local manager=$!
  wait_until grep -q "SIGTERM received" "$MANAGE_STATE_DIR/logs/slow.log"
  kill -INT "$manager"
  local code=0
  wait "$manager" || code=$?
  [ "$code" -eq 130 ]
  run "$MANAGE" status
  [[ "$output" =~ slow\ +STOPPED ]]
}

@test "on a TTY up shows what it is waiting for; in a pipe it does not" {
  export API_LISTEN_DELAY_MS=800
  run script -qec "$MANAGE up" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *"waiting for api"* ]]
  [[ "$output" == *"3 started"* ]]
  "$MANAGE" down -q
  run "$MANAGE" up
  [[ "$output" != *"waiting for"* ]]
}
