#!/usr/bin/env bats
# logs from the CLI: pipes, filters, colour codes, rotation at restart, --clean and --stats.

bats_require_minimum_version 1.5.0
load helpers

LOGS="$BATS_TEST_TMPDIR/state/logs"

# Writes a log for a service of the stack without starting it: logs reads files, not processes.
write_log() {
  mkdir -p "$LOGS"
  printf '%b' "$2" >> "$LOGS/$1.log"
}

@test "logs | head -1 exits cleanly, and so does logs -f once the reader is gone" {
  mkdir -p "$LOGS"
  for i in $(seq 1 500); do echo "line $i"; done > "$LOGS/db.log"
  run bash -c "'$MANAGE' logs -n 500 db | head -n 1"
  [ "$status" -eq 0 ]
  [ "$output" = "db | line 1" ]

  # Process substitution, so $! is the follower itself rather than head.
  "$MANAGE" logs -f -n 1 db 2> "$BATS_TEST_TMPDIR/follow.err" > >(head -n 2 > "$BATS_TEST_TMPDIR/follow.out") &
  local follower=$!
  # head leaves after two lines; the follower notices at its next write (EPIPE) and ends quietly.
  local deadline=$((SECONDS + 10))
  while kill -0 "$follower" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    echo "more" >> "$LOGS/db.log"
    sleep 0.05
  done
  if kill -0 "$follower" 2>/dev/null; then kill "$follower"; echo "logs -f kept running without a reader" >&2; return 1; fi
  wait "$follower"
  wait_until test "$(grep -c '^db | ' "$BATS_TEST_TMPDIR/follow.out")" -eq 2
  [ ! -s "$BATS_TEST_TMPDIR/follow.err" ]
}

@test "logs --level error shows errors with their stack traces; --grep takes a regular expression" {
  write_log api '2026-11-23T10:00:00Z INFO ready\n2026-11-23T10:00:01Z ERROR request failed\n    at handler (api.js:3)\n2026-11-23T10:00:02Z WARN slow\n{"level":50,"msg":"pino error"}\n'
  run --separate-stderr "$MANAGE" logs --level error api
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'api | 2026-11-23T10:00:01Z ERROR request failed\napi |     at handler (api.js:3)\napi | {"level":50,"msg":"pino error"}')" ]

  run --separate-stderr "$MANAGE" logs --level warn -n 1 api
  [ "$output" = 'api | {"level":50,"msg":"pino error"}' ]

  run --separate-stderr "$MANAGE" logs --grep 'WARN|INFO' api
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[0]}" == *"INFO ready" ]]
  [[ "${lines[1]}" == *"WARN slow" ]]

  run --separate-stderr "$MANAGE" logs --since 2026-11-23T10:00:02Z api
  [ "${#lines[@]}" -eq 2 ]
}

@test "bad filter values are usage errors that say what is accepted" {
  write_log api 'x\n'
  run --separate-stderr "$MANAGE" logs --grep '(' api
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'--grep "(" is not a valid regular expression'* ]]
  run --separate-stderr "$MANAGE" logs --since yesterday
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'--since "yesterday" is not a time'* ]]
  [[ "$stderr" == *"30s, 10m, 2h, 1d"* ]]
  run --separate-stderr "$MANAGE" logs --level loud
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"use error, warn, info or debug"* ]]
  run --separate-stderr "$MANAGE" logs --json
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"--json only goes with --stats"* ]]
}

@test "colour codes a service wrote are stripped in a pipe and kept with --raw" {
  write_log db '\033[31mERROR\033[0m red alert\n'
  run --separate-stderr "$MANAGE" logs db
  [ "$output" = "db | ERROR red alert" ]
  run --separate-stderr "$MANAGE" logs --raw db
  [ "$output" = "db | $(printf '\033[31mERROR\033[0m red alert')" ]
  # On a terminal the level word is coloured and the prefix too.
  write_log api 'WARN plain\n'
  run script -qec "'$MANAGE' logs api" /dev/null
  [[ "$output" == *$'\e[33mWARN\e[39m plain'* ]]
  run env NO_COLOR=1 script -qec "'$MANAGE' logs api" /dev/null
  [[ "$output" != *$'\e['* ]]
}

@test "a restart rotates the log, and logs shows both runs" {
  "$MANAGE" up -q db
  run "$MANAGE" restart -q db
  [ "$status" -eq 0 ]
  [ -f "$LOGS/db.log.1" ]
  [ "$(head -c 4 "$LOGS/db.log")" = "=== " ]
  [ "$(grep -c 'manage.ts up db' "$LOGS/db.log")" -eq 1 ]
  run --separate-stderr "$MANAGE" logs db
  [ "$(grep -c 'manage.ts up db' <<< "$output")" -eq 2 ]
}

@test "logs --clean removes the rotations of the selection and says what it removed" {
  write_log db 'live\n'
  write_log api 'live\n'
  printf 'one\n' > "$LOGS/db.log.1"
  printf 'three\n' > "$LOGS/db.log.2"
  printf 'api old\n' > "$LOGS/api.log.1"
  run --separate-stderr "$MANAGE" logs --clean db
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "removed "*"db.log.1 (4 B)" ]]
  [[ "${lines[1]}" == "removed "*"db.log.2 (6 B)" ]]
  [ "${lines[2]}" = "removed 2 file(s), 10 B" ]
  [ -f "$LOGS/db.log" ] && [ -f "$LOGS/api.log.1" ] && [ ! -e "$LOGS/db.log.1" ]
  run --separate-stderr "$MANAGE" logs --clean db
  [ "$output" = "no rotated logs to remove" ]
}

@test "logs --stats --json parses; the table is aligned" {
  # A Python traceback is one error: its header and the exception line that ends it are not counted twice.
  write_log api '2026-11-23T10:00:00Z INFO ready\nERROR one\n    at x\nWARN two\nTraceback (most recent call last):\n  File "app.py", line 3\nValueError: bad\n'
  printf 'old\n' > "$LOGS/api.log.1"
  run bash -c "'$MANAGE' logs --stats --json | node -e '
    const report = JSON.parse(require(\"fs\").readFileSync(0, \"utf8\"));
    const api = report.services.find((service) => service.name === \"api\");
    const db = report.services.find((service) => service.name === \"db\");
    console.log(report.schemaVersion, api.lines, api.errors, api.warnings, api.rotations.count, api.rotations.bytes, db.exists, typeof api.lastWriteAgeSeconds);
  '"
  [ "$status" -eq 0 ]
  [ "$output" = "1 7 2 1 1 4 false number" ]

  run --separate-stderr "$MANAGE" logs --stats
  [[ "${lines[0]}" =~ ^SERVICE\ +SIZE\ +LINES\ +ERRORS\ +WARNINGS\ +LAST\ WRITE\ +ROTATIONS$ ]]
  [[ "${lines[2]}" =~ ^api\ +[0-9]+\ B\ +7\ +2\ +1\ +[0-9]+s\ ago\ +1\ \(4\ B\)$ ]]
  [[ "${lines[1]}" =~ ^db\ +-\ +-\ +-\ +-\ +no\ log\ yet\ +0$ ]]
  # The columns line up: each header starts where its values do.
  [ "$(awk '{ print index($0, "LINES") }' <<< "${lines[0]}")" -eq "$(awk '{ print index($0, " 7 ") + 1 }' <<< "${lines[2]}")" ]
}
