# Shared setup for the bats suites: a throwaway state directory, run-time ports, and cleanup by PID.
ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
MANAGE="$ROOT/scripts/manage.ts"

setup_stack() {
  export MANAGE_STATE_DIR="$BATS_TEST_TMPDIR/state"
  export MANAGE_SERVICES_FILE="$ROOT/tests/fixtures/stack.services.mjs"
  export STACK_MARKER="bats-$$-$RANDOM-$RANDOM"
  local ports
  ports=$(node --import "$ROOT/node_modules/tsx/dist/loader.mjs" "$ROOT/tests/helpers/free-ports.ts" 2)
  export TEST_PORT_DB=${ports%%$'\n'*}
  export TEST_PORT_API=${ports##*$'\n'}
}

# PIDs of live processes started for this test: services carry MANAGE_TEST_MARKER=<marker> in their environment.
stack_pids() {
  local file pid state
  for file in /proc/[0-9]*/environ; do
    pid=${file#/proc/}; pid=${pid%/environ}
    if { tr '\0' '\n' < "$file"; } 2>/dev/null | grep -qx "MANAGE_TEST_MARKER=$STACK_MARKER"; then
      state=$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f2)
      [ "$state" = Z ] || [ -z "$state" ] || echo "$pid"
    fi
  done
}

# A live process, read from /proc: kill -0 also succeeds on a zombie that PID 1 has not reaped yet.
is_running() {
  local state
  state=$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2)
  [ -n "$state" ] && [ "$state" != Z ]
}

# Kills what a test left behind, by PID, and fails the test if there was anything.
teardown_stack() {
  local left
  left=$(stack_pids)
  if [ -n "$left" ]; then
    kill -9 $left 2>/dev/null || true
    echo "processes left running: $left" >&2
    return 1
  fi
}

# Points the CLI at a one-service stack running tests/fixtures/server.mjs with the given env entries (JS).
single_service() {
  export MANAGE_SERVICES_FILE="$BATS_TEST_TMPDIR/$1.mjs"
  cat > "$MANAGE_SERVICES_FILE" <<JS
export const SERVICES = [{ name: '$1', command: ['$(command -v node)', '$ROOT/tests/fixtures/server.mjs'],
  env: { $2, MANAGE_TEST_MARKER: '$STACK_MARKER' }${3:+, $3} }];
JS
}

# Polls a condition for up to 5 s instead of sleeping a fixed time.
wait_until() {
  local deadline=$((SECONDS + 5))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# Every suite runs in its own stack and ends with nothing of it left running.
setup() { setup_stack; }
teardown() {
  "$MANAGE" down --force >/dev/null 2>&1 || true
  teardown_stack
}
