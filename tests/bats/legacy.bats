#!/usr/bin/env bats
# PID files an old manage.sh wrote (just the PID): adopted when their process runs the service's command,
# otherwise listed all at once with the command that clears them, and never signalled.

bats_require_minimum_version 1.5.0
load helpers

# A repository whose old manage.sh starts real processes in the background and writes bare PID files.
setup() {
  setup_stack
  REPO="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$REPO"
  export MANAGE_STATE_DIR="$REPO"
  export MANAGE_SERVICES_FILE="$REPO/services.mjs"
  cat > "$MANAGE_SERVICES_FILE" <<JS
export const SERVICES = [
  { name: 'sleeper', command: 'sleep 301', env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
  { name: 'shell', command: 'sleep 302; echo done', env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
  { name: 'argv', command: ['sleep', '303'], env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
  { name: 'changed', command: 'sleep 304', env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
  { name: 'gone', command: 'sleep 305', env: { MANAGE_TEST_MARKER: '$STACK_MARKER' } },
];
JS
  cat > "$REPO/manage.sh" <<'SH'
#!/bin/bash
# What an old manage.sh does: start in the background, keep $! in .pids/<name>.pid.
mkdir -p .pids
start() { name=$1; shift; nohup "$@" >/dev/null 2>&1 & echo $! > ".pids/$name.pid"; }
start sleeper sleep 301
start shell sh -c 'sleep 302; echo done'
start argv /bin/sleep 303
start changed sleep 999
echo 999999 > .pids/gone.pid
SH
  (cd "$REPO" && MANAGE_TEST_MARKER="$STACK_MARKER" bash manage.sh)
}

pid_of() { head -1 "$REPO/.pids/$1.pid"; }

@test "status adopts old PID files whose process runs the service's command, and down then stops them, children too" {
  kill "$(pid_of changed)"
  rm "$REPO/.pids/changed.pid" "$REPO/.pids/gone.pid"
  local sleeper shell argv
  sleeper=$(pid_of sleeper) shell=$(pid_of shell) argv=$(pid_of argv)
  run --separate-stderr "$MANAGE" status
  [ "$status" -eq 0 ]
  [[ "$stderr" == *"sleeper: adopted pid $sleeper from"*".pids/sleeper.pid"* ]]
  [[ "$stderr" == *"shell: adopted pid $shell"* ]]
  [[ "$stderr" == *"argv: adopted pid $argv"* ]]
  [[ "$output" == *"sleeper"*"RUNNING"*"$sleeper"* ]]
  grep -qx "start_ticks=[0-9]*" "$REPO/.pids/sleeper.pid"
  grep -qx "service=sleeper" "$REPO/.pids/sleeper.pid"
  # Adopted once: the next status has nothing to say about old files.
  run --separate-stderr "$MANAGE" status
  [ "$status" -eq 0 ]
  [[ "$stderr" != *adopted* ]]
  run "$MANAGE" down sleeper shell argv
  [ "$status" -eq 0 ]
  [[ "$output" == *"shell"*"stopped"* ]]
  # The shell's child sleep 302 went with it: nothing of the three is left.
  ! is_running "$sleeper"
  ! is_running "$shell"
  ! is_running "$argv"
  [ -z "$(stack_pids)" ]
}

@test "up, down and status list every unconfirmed old PID file at once, with the rm that clears them, and signal nothing" {
  local changed
  changed=$(pid_of changed)
  # From the repository, paths are shown relative to it: the rm printed is the one to run there.
  cd "$REPO"
  for command in status up down; do
    run --separate-stderr "$MANAGE" "$command"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"2 PID files hold only a PID, as an old manage.sh writes it"* ]]
    [[ "$stderr" == *".pids/changed.pid: pid $changed runs sleep 999, not the command of \"changed\" (sleep 304)"* ]]
    [[ "$stderr" == *".pids/gone.pid: pid 999999 is not running"* ]]
    [[ "$stderr" == *"then clear the files: rm .pids/changed.pid .pids/gone.pid"* ]]
  done
  # Nothing was signalled or started: the stranger still runs, the matching ones were adopted and still run.
  is_running "$changed"
  is_running "$(pid_of sleeper)"
  [ ! -e "$REPO/logs" ]
  kill "$changed"
  # The printed command clears them.
  rm .pids/changed.pid .pids/gone.pid
  run "$MANAGE" status
  [ "$status" -eq 0 ]
  run "$MANAGE" down
  [ "$status" -eq 0 ]
}

@test "an unconfirmed old PID file of a service up does not touch is a warning, not a refusal" {
  kill "$(pid_of changed)"
  rm "$REPO/.pids/changed.pid"
  run --separate-stderr "$MANAGE" up sleeper
  [ "$status" -eq 0 ]
  [[ "$stderr" == *"warning: a PID file holds only a PID"*".pids/gone.pid: pid 999999 is not running"* ]]
  [[ "$output" == *"sleeper"*"already running"* ]]
  rm "$REPO/.pids/gone.pid"
}
