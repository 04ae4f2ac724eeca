#!/usr/bin/env bats
# up --attach: in the foreground until a signal, a service's exit or `down` elsewhere; nothing left behind.

bats_require_minimum_version 1.5.0
load helpers

COUNTS="$ROOT/tests/fixtures/counts.mjs"
NODE="$(command -v node)"

# A services file of counting services: one line per service, "name: env entries (JS)[; extra fields]".
counting_services() {
  export MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/counting.mjs"
  {
    echo 'export const SERVICES = ['
    local entry name rest envs extra
    for entry in "$@"; do
      name=${entry%%:*}; rest=${entry#*: }
      envs=${rest%%;*}; extra=
      [[ "$rest" == *";"* ]] && extra=", ${rest#*; }"
      echo "  { name: '$name', command: ['$NODE', '$COUNTS'], env: { LABEL: '$name', MANAGE_TEST_MARKER: '$STACK_MARKER', $envs }$extra },"
    done
    echo '];'
  } > "$MANAGE_SERVICES_FILE"
}

OUT() { echo "$BATS_TEST_TMPDIR/attached.out"; }

# Starts manage.ts up --attach ARGS in the background (its PID in $ATTACHED) and waits until it is attached.
start_attached() {
  "$MANAGE" up --attach "$@" > "$(OUT)" 2>&1 &
  ATTACHED=$!
  wait_until grep -q "attached (pid $ATTACHED)" "$(OUT)"
}

# Waits for the attached manager to end; its exit code in $CODE.
wait_attached() {
  CODE=0
  wait "$ATTACHED" || CODE=$?
}

@test "attach, then SIGINT: what it started is stopped, exit 0, the session record is gone" {
  counting_services "one: COUNT: '3'" "two: COUNT: '3'; dependsOn: ['one']"
  start_attached
  [ -f "$MANAGE_STATE_DIR/.pids/attached-$ATTACHED.json" ]
  [ "$(stat -c %a "$MANAGE_STATE_DIR/.pids/attached-$ATTACHED.json")" = 644 ]
  [ "$(stack_pids | wc -l)" -eq 2 ]
  kill -INT "$ATTACHED"
  wait_attached
  cat "$(OUT)"
  [ "$CODE" -eq 0 ]
  [ -z "$(stack_pids)" ]
  [ ! -e "$MANAGE_STATE_DIR/.pids/attached-$ATTACHED.json" ]
  # Dependents first.
  grep -n "stopped in" "$(OUT)" | head -1 | grep -q "two"
  grep -q "^one | one 3$" "$(OUT)"
}

@test "SIGTERM and SIGHUP end a session as SIGINT does" {
  counting_services "one: COUNT: '1'"
  for signal in TERM HUP; do
    start_attached
    kill -"$signal" "$ATTACHED"
    wait_attached
    [ "$CODE" -eq 0 ]
    grep -q "SIG$signal: stopping what this session started" "$(OUT)"
    [ -z "$(stack_pids)" ]
  done
}

@test "lines from two services are interleaved with their prefixes and none is lost" {
  counting_services "alpha: COUNT: '2000'" "beta: COUNT: '2000'"
  start_attached
  wait_until grep -q "^alpha | alpha 2000$" "$(OUT)"
  wait_until grep -q "^beta  | beta 2000$" "$(OUT)"
  kill -INT "$ATTACHED"
  wait_attached
  [ "$CODE" -eq 0 ]
  # Every line once, in order, under its own prefix.
  diff <(grep '^alpha | alpha ' "$(OUT)" | sed 's/^alpha | alpha //') <(seq 1 2000)
  diff <(grep '^beta  | beta ' "$(OUT)" | sed 's/^beta  | beta //') <(seq 1 2000)
  # Interleaved: beta's lines do not all come after alpha's.
  first_beta=$(grep -n '^beta  | beta ' "$(OUT)" | head -1 | cut -d: -f1)
  last_alpha=$(grep -n '^alpha | alpha ' "$(OUT)" | tail -1 | cut -d: -f1)
  [ "$first_beta" -lt "$last_alpha" ]
}

@test "--exit-code-from a one-shot that exits 3: exit 3, the long-running service gone" {
  counting_services "api: COUNT: '1'" "e2e: COUNT: '2', EXIT_CODE: '3', EXIT_AFTER_MS: '300'; oneShot: true, dependsOn: ['api']"
  run "$MANAGE" up --attach --exit-code-from e2e
  echo "$output"
  [ "$status" -eq 3 ]
  [[ "$output" == *"e2e | e2e 2"* ]]
  [[ "$output" == *"api"*"stopped in"* ]]
  [ -z "$(stack_pids)" ]
}

@test "--exit-code-from a service that exits later: its code, the rest stopped" {
  counting_services "api: COUNT: '1'" "tests: COUNT: '1', EXIT_CODE: '0', EXIT_AFTER_MS: '1500'; dependsOn: ['api']"
  run "$MANAGE" up --attach --exit-code-from tests
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"tests: exited with code 0"*"--exit-code-from ends the session"* ]]
  [ -z "$(stack_pids)" ]
  run "$MANAGE" up --attach --exit-code-from nosuch api
  [ "$status" -eq 1 ]
  [[ "$output" == *'--exit-code-from names "nosuch", which is not in the selection (api)'* ]]
}

@test "--exit-on-failure: a service that exits stops the rest, exit 2, named with its last lines" {
  counting_services "steady: COUNT: '1'" "flaky: COUNT: '3', EXIT_CODE: '7', EXIT_AFTER_MS: '1500'"
  run "$MANAGE" up --attach --exit-on-failure
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"flaky: exited with code 7"* ]]
  [[ "$output" == *"last lines of flaky:"*"| flaky 3"* ]]
  [[ "$output" == *"--exit-on-failure: flaky ended; stopping the rest"* ]]
  [[ "$output" == *"steady"*"stopped in"* ]]
  [ -z "$(stack_pids)" ]
}

@test "without --exit-on-failure an exit is shown and the others keep running; the keeper's restarts too" {
  counting_services "steady: COUNT: '1'" "flaky: COUNT: '1', EXIT_CODE: '7', EXIT_AFTER_MS: '800'; restart: 'on-failure', maxRestarts: 1, restartDelay: 100"
  start_attached
  wait_until grep -q "flaky: restarted by its keeper (exit 7, restart 1)" "$(OUT)"
  wait_until grep -q "flaky: exited with code 7.* and its keeper gave up after 1 restart" "$(OUT)"
  [ "$(stack_pids | wc -l)" -eq 1 ]
  kill -INT "$ATTACHED"
  wait_attached
  cat "$(OUT)"
  [ "$CODE" -eq 0 ]
  [ -z "$(stack_pids)" ]
}

@test "status elsewhere shows the session; down elsewhere ends it cleanly, saying why" {
  counting_services "one: COUNT: '1'"
  start_attached
  run "$MANAGE" status
  [[ "$output" == *"attached: pid $ATTACHED since "*"owns one"* ]]
  run "$MANAGE" status --json
  node -e '
    const [report, pid] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
    const [session] = report.attached;
    if (session.pid !== pid || session.owns.join() !== "one" || Number.isNaN(Date.parse(session.since))) throw new Error(JSON.stringify(report.attached));
  ' "$output" "$ATTACHED"
  "$MANAGE" down
  wait_attached
  cat "$(OUT)"
  [ "$CODE" -eq 0 ]
  grep -q "one: stopped from elsewhere" "$(OUT)"
  grep -q "nothing of this session runs any more: stopped from elsewhere; ending it" "$(OUT)"
  [ ! -e "$MANAGE_STATE_DIR/.pids/attached-$ATTACHED.json" ]
}

@test "services already running are left running, and stopped with --stop-all" {
  counting_services "old: COUNT: '1'" "new: COUNT: '1'"
  "$MANAGE" up -q old
  start_attached
  grep -q "already running before: old; left running when this session ends" "$(OUT)"
  kill -INT "$ATTACHED"
  wait_attached
  [ "$CODE" -eq 0 ]
  grep -q "left running (they ran before this session): old" "$(OUT)"
  [ "$(stack_pids | wc -l)" -eq 1 ]
  start_attached --stop-all
  kill -INT "$ATTACHED"
  wait_attached
  [ "$CODE" -eq 0 ]
  [ -z "$(stack_pids)" ]
}

@test "bad input: one sentence each, nothing started" {
  counting_services "one: COUNT: '1'"
  run "$MANAGE" up --attach --quiet
  [ "$status" -eq 1 ]
  [[ "$output" == "error: --attach shows the services' output, which --quiet would hide"* ]]
  run "$MANAGE" up --exit-on-failure --stop-all
  [ "$status" -eq 1 ]
  [[ "$output" == "error: --exit-on-failure, --stop-all only go with --attach"* ]]
  run "$MANAGE" up -a --grep '('
  [ "$status" -eq 1 ]
  [[ "$output" == *"is not a valid regular expression"* ]]
  [ -z "$(stack_pids)" ]
  [ ! -e "$MANAGE_STATE_DIR/.pids/one.pid" ]
}

# Zombies whose parent is the given PID, as the host's /proc shows them.
zombies_of() {
  local file fields count=0
  for file in /proc/[0-9]*/stat; do
    fields=$(cut -d')' -f2 "$file" 2>/dev/null | cut -d' ' -f2,3)
    [ "$fields" = "Z $1" ] && count=$((count + 1))
  done
  echo "$count"
}

@test "as PID 1 of a PID namespace: orphans are reaped, and SIGTERM stops everything, exit 0" {
  export MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/orphans.mjs"
  # Every 0.1 s a short-lived process is left behind: its parent subshell exits at once, so it re-parents to PID 1.
  echo "export const SERVICES = [{ name: 'orphans', command: 'while :; do (sleep 0.05 &); sleep 0.1; done', env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } }];" > "$MANAGE_SERVICES_FILE"
  unshare --pid --fork --mount-proc "$MANAGE" up --attach > "$(OUT)" 2>&1 &
  ATTACHED=$!
  wait_until grep -q "attached (pid " "$(OUT)"
  init=$(cat "/proc/$ATTACHED/task/$ATTACHED/children"); init=${init%% *}
  # Two seconds of orphans (about 20); without a reaper they would all still be zombies of PID 1.
  wait_until [ -n "$(stack_pids)" ]
  sleep 2
  [ "$(zombies_of "$init")" -le 1 ]
  kill -TERM "$init"
  wait_attached
  cat "$(OUT)"
  [ "$CODE" -eq 0 ]
  grep -q "SIGTERM: stopping what this session started" "$(OUT)"
  grep -q "orphans .*stopped in" "$(OUT)"
  [ -z "$(stack_pids)" ]
}
