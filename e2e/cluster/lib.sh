# Shared by the test-cluster scripts: where the caches and the running cluster live.
CACHE="${ORDINAL_E2E_CACHE:-/var/cache/ordinal-e2e}"
RUN="${ORDINAL_E2E_RUN:-/var/lib/ordinal-e2e}"

log() { echo "[e2e-cluster] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Install Debian packages that are missing (apt-get update once, only if needed).
apt_install() {
  local need=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  ((${#need[@]})) || return 0
  log "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

KUBE_BIN="$CACHE/kube/bin"
PIDS="$RUN/pids"
LOGS="$RUN/logs"

# Seconds since $1 (a `date +%s`), for the timings the scripts print.
since() { echo "$(( $(date +%s) - $1 ))s"; }

# The pid of a daemon we started, if it still runs. Every daemon's command line names $RUN,
# so a recycled pid (some other process) is never mistaken for ours.
daemon_pid() {
  local f="$PIDS/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$RUN" || return 1
  echo "$pid"
}

# start_daemon NAME CMD...: run in the background in its own session (it outlives this
# shell), output appended to $LOGS/NAME.log, pid in $PIDS/NAME.pid. Already running: nothing.
start_daemon() {
  local name="$1"; shift
  if daemon_pid "$name" >/dev/null; then return 0; fi
  mkdir -p "$PIDS" "$LOGS"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
  log "started $name (pid $!)"
}

# stop_daemon NAME [GRACE_SECONDS]: TERM, then KILL after the grace period.
stop_daemon() {
  local name="$1" grace="${2:-15}" pid i
  if pid="$(daemon_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do daemon_pid "$name" >/dev/null || break; sleep 0.1; done
    if daemon_pid "$name" >/dev/null; then log "$name did not stop in ${grace}s: KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$PIDS/$name.pid"
}

# wait_for SECONDS WHAT CMD...: poll CMD every half second until it succeeds.
wait_for() {
  local secs="$1" what="$2" i; shift 2
  for ((i = 0; i < secs * 2; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "timed out after ${secs}s waiting for $what"
}

# First TCP port from $1 on that nobody listens on (other engineers run etcds and apiservers
# on this machine too).
free_port() {
  local p="$1" used; used="$(ss -ltnH | awk '{print $4}' | sed 's/.*://' | sort -u)"
  while grep -qx "$p" <<<"$used"; do p=$((p + 1)); done
  echo "$p"
}

# Does daemon NAME itself listen on PORT? (A health check could be answered by someone else's.)
listens_on() { ss -ltnpH "sport = :$2" | grep -q "pid=$(daemon_pid "$1"),"; }
