#!/bin/sh
# Restarts a service by its policy without a daemon: this shell is the service's process-group leader
# (about 1 MB), so `down` stops keeper and service together and nothing respawns after it.
#   MANAGE_KEEPER_POLICY  on-failure | always      MANAGE_KEEPER_MAX_RESTARTS  how many restarts at most
#   MANAGE_KEEPER_DELAY_MS  first backoff, doubled per restart up to 30 s
#   MANAGE_KEEPER_STATE  file for status: restarts=N last_exit=CODE (its mtime says when)
# The service is "$@".
policy=$MANAGE_KEEPER_POLICY
max=$MANAGE_KEEPER_MAX_RESTARTS
delay=$MANAGE_KEEPER_DELAY_MS
state=$MANAGE_KEEPER_STATE
unset MANAGE_KEEPER_POLICY MANAGE_KEEPER_MAX_RESTARTS MANAGE_KEEPER_DELAY_MS MANAGE_KEEPER_STATE

stopping=0
child=
# down signals the whole group, so the service already has TERM or HUP: the keeper only stops restarting.
trap 'stopping=1' TERM HUP
# A background job of a non-interactive shell ignores INT and QUIT, so those are passed on to the service.
trap 'stopping=1; [ -n "$child" ] && kill -INT "$child" 2>/dev/null' INT
trap 'stopping=1; [ -n "$child" ] && kill -QUIT "$child" 2>/dev/null' QUIT

# Waits for $child; a trapped signal interrupts wait, so wait again until the child has really exited.
await_child() {
  wait "$child"
  code=$?
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    code=$?
  done
  child=
}

# What status shows: restarts done so far and the exit that caused the last one. The keeper's own tools come
# from /bin, not from the service's PATH.
record_state() {
  printf 'restarts=%s last_exit=%s\n' "$restarts" "$code" > "$state.tmp" && /bin/mv "$state.tmp" "$state"
}

# A signal that lands between two commands only sets $stopping: a child forked after it never got it.
stop_if_asked() {
  [ "$stopping" = 1 ] || return 0
  kill -TERM "$child" 2>/dev/null
  await_child
  exit 0
}

restarts=0
while :; do
  "$@" &
  child=$!
  stop_if_asked
  await_child
  [ "$stopping" = 1 ] && exit "$code"
  now=$(/bin/date -u +%Y-%m-%dT%H:%M:%SZ)
  if { [ "$policy" = on-failure ] && [ "$code" = 0 ]; } || [ "$restarts" -ge "$max" ]; then
    record_state
    [ "$code" = 0 ] || echo "=== $now manage.ts: giving up after $restarts restarts (last exit $code)"
    exit "$code"
  fi
  restarts=$((restarts + 1))
  record_state
  echo "=== $now manage.ts: restarted (exit $code, attempt $restarts) after ${delay} ms"
  /bin/sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))" &
  child=$!
  stop_if_asked
  await_child
  [ "$stopping" = 1 ] && exit 0
  delay=$((delay * 2))
  [ "$delay" -gt 30000 ] && delay=30000
done
