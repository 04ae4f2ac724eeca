#!/bin/sh
# Restarts a service by its policy without a daemon: this shell is the service's process-group leader
# (about 1 MB), so `down` stops keeper and service together and nothing respawns after it.
#   MANAGE_KEEPER_POLICY  on-failure | always      MANAGE_KEEPER_MAX_RESTARTS  how many restarts at most
#   MANAGE_KEEPER_DELAY_MS  first backoff, doubled per restart up to 30 s
#   MANAGE_KEEPER_STATE  file for status: restarts=N last_exit=CODE (its mtime says when)
#   MANAGE_KEEPER_HEALTHY_S  a run this long (default 60 s) was healthy: the count toward the maximum and
#     the backoff start again, so a service that crashes once a day is not given up on after a week
# The service is "$@".
policy=$MANAGE_KEEPER_POLICY
max=$MANAGE_KEEPER_MAX_RESTARTS
delay=$MANAGE_KEEPER_DELAY_MS
first_delay=$delay
state=$MANAGE_KEEPER_STATE
healthy_after=${MANAGE_KEEPER_HEALTHY_S:-60}
unset MANAGE_KEEPER_POLICY MANAGE_KEEPER_MAX_RESTARTS MANAGE_KEEPER_DELAY_MS MANAGE_KEEPER_STATE MANAGE_KEEPER_HEALTHY_S

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

# restarts: all since this start (status shows them); attempt: restarts in a row, without a healthy run.
restarts=0
attempt=0
while :; do
  began=$(/bin/date +%s)
  "$@" &
  child=$!
  stop_if_asked
  await_child
  [ "$stopping" = 1 ] && exit "$code"
  if [ $(($(/bin/date +%s) - began)) -ge "$healthy_after" ]; then
    attempt=0
    delay=$first_delay
  fi
  now=$(/bin/date -u +%Y-%m-%dT%H:%M:%SZ)
  if { [ "$policy" = on-failure ] && [ "$code" = 0 ]; } || [ "$attempt" -ge "$max" ]; then
    record_state
    [ "$code" = 0 ] || echo "=== $now manage.ts: giving up after $attempt restarts in a row (last exit $code)"
    exit "$code"
  fi
  attempt=$((attempt + 1))
  restarts=$((restarts + 1))
  record_state
  echo "=== $now manage.ts: restarted (exit $code, attempt $attempt) after ${delay} ms"
  /bin/sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))" &
  child=$!
  stop_if_asked
  await_child
  [ "$stopping" = 1 ] && exit 0
  delay=$((delay * 2))
  [ "$delay" -gt 30000 ] && delay=30000
done
