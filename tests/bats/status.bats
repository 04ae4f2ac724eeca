#!/usr/bin/env bats
# status for scripts and monitoring: JSON that parses, --check and health exit codes, --watch in a pipe.

bats_require_minimum_version 1.5.0
load helpers

setup() {
  setup_stack
}

teardown() {
  "$MANAGE" down --force >/dev/null 2>&1 || true
  teardown_stack
}

@test "status --json parses, with a summary, health, CPU and memory for running services" {
  "$MANAGE" up -q db
  run bash -c "'$MANAGE' status --json | node -e '
    const report = JSON.parse(require(\"fs\").readFileSync(0, \"utf8\"));
    const db = report.services.find((service) => service.name === \"db\");
    console.log(report.schemaVersion, report.summary.total, report.summary.running, report.summary.failed, db.health, typeof db.cpu.percent, db.memoryBytes > 0, Array.isArray(report.warnings));
  '"
  [ "$status" -eq 0 ]
  [ "$output" = "1 3 1 0 ready number true true" ]
}

@test "status --check and health exit 0 only when every selected service runs and is ready, else 3" {
  "$MANAGE" up -q db
  run "$MANAGE" status --check db
  [ "$status" -eq 0 ]
  run "$MANAGE" health -q db
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "$MANAGE" health
  [ "$status" -eq 3 ]
  [[ "$output" == *"api"*"STOPPED"* ]]
  run "$MANAGE" status --check --json
  [ "$status" -eq 3 ]
  [[ "$output" == *'"schemaVersion": 1'* ]]
}

@test "health names a running service whose check fails as UNHEALTHY, with what the check saw, exit 3" {
  single_service flaky "PORT: '$TEST_PORT_DB', HTTP_STATUS: '503'" "port: $TEST_PORT_DB, ready: { http: 'http://127.0.0.1:$TEST_PORT_DB/', status: [200, 299] }, readyTimeout: 200"
  "$MANAGE" up -q --no-wait
  wait_until bash -c "'$MANAGE' status flaky | grep -q UNHEALTHY"
  run "$MANAGE" health
  [ "$status" -eq 3 ]
  [[ "$output" == *"flaky"*"UNHEALTHY"* ]]
  [[ "$output" == *"reason: its check (http http://127.0.0.1:$TEST_PORT_DB/) fails: HTTP 503"* ]]
  [[ "$output" == *"1/1 running, 1 unhealthy"* ]]
}

@test "status --watch in a pipe prints frames one after another and ends when the reader goes away" {
  "$MANAGE" up -q db
  run bash -c "'$MANAGE' status --watch --interval 0.2 | head -n 12"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^manage.ts status, every 0.2 s' <<<"$output")" -ge 2 ]
  [[ "$output" != *$'\e['* ]]
}

@test "status rejects --interval without --watch and a bad interval, exit 1" {
  run "$MANAGE" status --interval 2
  [ "$status" -eq 1 ]
  [[ "$output" == *"--interval only goes with --watch"* ]]
  run "$MANAGE" status --watch --interval x
  [ "$status" -eq 1 ]
  [[ "$output" == *'--interval needs a number of seconds of at least 0.2, not "x"'* ]]
}
