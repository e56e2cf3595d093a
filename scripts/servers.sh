# shellcheck shell=bash
# Starting the local servers the scripts need (the test fake, the API emulator): one function that starts
# a server on an ephemeral port, waits for the "PORT <n>" line it prints first, and fails loudly when that
# line does not come. Source it: `. scripts/servers.sh`.

# start_server NAME LOG COMMAND...: runs COMMAND in the background, its stdout and stderr in LOG; waits up
# to 10 s for its "PORT <n>" line; sets NAME_PID, NAME_PORT and NAME_BASE (http://127.0.0.1:<n>/client/v4).
# When the server exits or prints no port in time, prints its output to stderr, stops it and returns 1
# (callers: `start_server ... || exit 2`). Call it directly, not in $(...), so the variables stay set.
start_server() {
  local name=$1 log=$2 pid port="" _
  shift 2
  : >"$log"  # exists before awk reads it: the background job may open it later
  "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    port=$(awk '/^PORT /{print $2; exit}' "$log")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$port" ]; then
    echo "error: the server did not start (no \"PORT <n>\" line within 10 s): $*" >&2
    sed 's/^/  | /' "$log" >&2
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  printf -v "${name}_PID" '%s' "$pid"
  printf -v "${name}_PORT" '%s' "$port"
  printf -v "${name}_BASE" '%s' "http://127.0.0.1:$port/client/v4"
}

# stop_server PID: stops a server start_server started; nothing for an empty PID.
stop_server() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
