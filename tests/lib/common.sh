# flom test library: TAP output, isolation, bounded waits. Source it first:
#   . "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
#
# isolate: as root, re-run the script in its own PID, mount and network
# namespace (lo up, a private /tmp), so every daemon it starts dies with it and
# nothing collides with other scenarios. Not root: a private directory for
# sockets, and $FLOM_ISOLATED stays empty (multi-host scenarios skip).

: "${FLOM_BIN:?run through make check (FLOM_BIN unset)}"
: "${FLOM_SRCDIR:?run through make check (FLOM_SRCDIR unset)}"

TAP_N=0
TAP_FAILED=0

isolate() {
	if [ "$(id -u)" = 0 ] && [ -z "${FLOM_ISOLATED:-}" ] && command -v unshare >/dev/null; then
		FLOM_ISOLATED=1 exec unshare --pid --fork --mount-proc --net --mount \
			--propagation private bash "$0" "$@"
	fi
	if [ -n "${FLOM_ISOLATED:-}" ]; then
		ip link set lo up
		# A private /tmp, unless the binary under test lives there.
		case "$FLOM_BIN" in
		/tmp/*) TEST_TMP=$(mktemp -d /tmp/flomtest.XXXXXX) ;;
		*) mount -t tmpfs tmpfs /tmp && TEST_TMP=/tmp ;;
		esac
	else
		TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/flomtest.XXXXXX")
	fi
	export TEST_TMP
	cd "$TEST_TMP" || exit 99
	trap cleanup EXIT
}

# PIDs this script started in the background; killed at exit.
STARTED_PIDS=""
spawn() {
	"$@" &
	STARTED_PIDS="$STARTED_PIDS $!"
}

cleanup() {
	local rc=$?
	for p in $STARTED_PIDS; do kill "$p" 2>/dev/null; done
	for hook in ${CLEANUP_HOOKS:-}; do "$hook"; done
	if [ -z "${FLOM_ISOLATED:-}" ] && [ -n "${TEST_TMP:-}" ]; then
		rm -rf "$TEST_TMP"
	fi
	exit "$rc"
}

need_root() {
	if [ -z "${FLOM_ISOLATED:-}" ]; then
		echo "1..0 # SKIP $1 needs root (network namespaces)"
		exit 0
	fi
}

# ---- TAP ----
plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() {
	# ok DESCRIPTION CMD...: passes when CMD exits 0
	local desc=$1; shift
	TAP_N=$((TAP_N + 1))
	if "$@"; then
		echo "ok $TAP_N - $desc"
	else
		echo "not ok $TAP_N - $desc"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}
is() {
	# is GOT EXPECTED DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $TAP_N - $3"
	else
		echo "not ok $TAP_N - $3"
		printf '# got:      %s\n# expected: %s\n' "$1" "$2" | sed 's/^\([^#]\)/# \1/'
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP $*"; }
diag() { echo "# $*"; }
done_testing() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }

# ---- waiting for conditions, never for time ----
# wait_for SECONDS CMD...: poll CMD every 10 ms (WAIT_STEP seconds when set)
# until it succeeds; 1 on timeout.
wait_for() {
	local limit=$1 step=${WAIT_STEP:-0.01} t0
	shift
	t0=$(date +%s%N)
	while ! "$@"; do
		if [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge $((limit * 1000)) ]; then
			return 1
		fi
		sleep "$step"
	done
}

# Lines of FILE, when it has at least N of them.
has_lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
file_has() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# Daemons are flom processes outside this script's session (they setsid).
daemon_pids() {
	local sid
	sid=$(ps -o sid= -p $$ | tr -d ' ')
	ps -eo pid=,sid=,comm= | awk -v s="$sid" '$3 == "flom" && $2 != s { print $1 }'
}
count_daemons() { daemon_pids | wc -l | tr -d ' '; }
no_daemon() { [ "$(count_daemons)" = 0 ]; }

# Exit status of a command, without set -e trouble.
status_of() { "$@"; echo $?; }

# ---- robustness helpers (tests/cli/robust_*.sh) ----
# The raw peer built by make check (tests/tools/flom_send.c).
FLOM_SEND="${FLOM_BUILDDIR:-.}/tests/tools/flom_send"
# Daemons that are not flom: forged, silent, an original's stand-in, a stale
# socket (tests/tools/fake_daemon.c).
FAKE_DAEMON="${FLOM_BUILDDIR:-.}/tests/tools/fake_daemon"
# A JSON document as PATH=VALUE lines, after a strict check (tests/tools/json_flat.c).
JSON_FLAT="${FLOM_BUILDDIR:-.}/tests/tools/json_flat"
# json_value FLAT PATH: the value at PATH in FLAT, a file of json_flat's lines
# (nothing when there is none).
json_value() { awk -v p="$2=" 'index($0, p) == 1 { print substr($0, length(p) + 1) }' "$1"; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# listener_pid unix PATH | listener_pid tcp PORT: PID(s) of the process(es)
# holding that listening socket, from /proc (works without root for our own
# processes, and finds the daemon of one socket even when several run).
listener_pid() {
	local inode inodes port
	case $1 in
	unix) inodes=$(awk -v p="$2" '$8 == p && $4 == "00010000" { print $7 }' /proc/net/unix) ;;
	tcp)
		port=$(printf '%04X' "$2")
		inodes=$(awk -v port="$port" 'FNR > 1 && $4 == "0A" {
			n = split($2, a, ":"); if (a[n] == port) print $10 }' \
			/proc/net/tcp /proc/net/tcp6 2>/dev/null) ;;
	*) return 2 ;;
	esac
	for inode in $inodes; do
		find /proc/[0-9]*/fd -lname "socket:\[$inode\]" 2>/dev/null
	done | awk -F/ '{ print $3 }' | sort -un
}
# Whether someone listens there.
listening() { [ -n "$(listener_pid "$@")" ]; }

# A TCP port nobody listens on (any port in a private network namespace).
free_tcp_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		listening tcp "$p" || { echo "$p"; return; }
	done
}

# A live process (zombies do not count: an orphaned daemon is reaped by the
# namespace's first process only when it gets to it).
pid_alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
# pid_gone PID...: every PID given is gone (exited, or a zombie nobody reaped
# yet); false when none is given, so that an unknown PID never counts as gone.
pid_gone() {
	local p
	[ $# -gt 0 ] || return 1
	for p; do
		[ -n "$p" ] && ! pid_alive "$p" || return 1
	done
}
# Resident memory (kB) and open descriptors of a process.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l | tr -d ' '; }
fd_count_at_least() { [ "$(fd_count "$1")" -ge "$2" ]; }
fd_count_at_most() { [ "$(fd_count "$1")" -le "$2" ]; }

# ---- local scenario helpers (tests/cli/local_*.sh) ----
# Options that give flom this scenario's own local daemon: none as root (the
# scenario has a private /tmp, so the default socket is its own); otherwise a
# socket in TEST_TMP keeps it away from the user's real daemon.
flom_local_opts() {
	[ -n "${FLOM_ISOLATED:-}" ] || echo "-s $TEST_TMP/flom.sock"
}
# Bounded (FLOM_TEST_TIMEOUT seconds, 124 past it) so that a hanging flom
# fails the scenario instead of hanging make check.
# shellcheck disable=SC2046 # the options are words
flom_local() { timeout -k 5 "${FLOM_TEST_TIMEOUT:-20}" "$FLOM_BIN" $(flom_local_opts) "$@"; }
# spawn_flom ARGS...: flom_local in the background; $! is flom's own PID.
# shellcheck disable=SC2046
spawn_flom() { spawn "$FLOM_BIN" $(flom_local_opts) "$@"; }
# The socket flom_local uses.
flom_local_socket() {
	if [ -n "${FLOM_ISOLATED:-}" ]; then
		echo "/tmp/flom-$(id -un)"
	else
		echo "$TEST_TMP/flom.sock"
	fi
}

# flom_blocked PID: the flom client PID waits for its lock: alive, its
# command not started (no child), a socket open, asleep on it (and not on the
# flock that serializes daemon starts).
flom_blocked() {
	local pid=$1
	pid_alive "$pid" || return 1
	[ -z "$(ps -o pid= --ppid "$pid")" ] || return 1
	ls -l "/proc/$pid/fd" 2>/dev/null | grep -q 'socket:' || return 1
	case $(cat "/proc/$pid/wchan" 2>/dev/null) in
	*lock*) return 1 ;;
	esac
	grep -q '^State:[[:space:]]*S' "/proc/$pid/status" 2>/dev/null
}

# Children of PID (the command a flom client runs).
child_pids() { ps -o pid= --ppid "$1" | tr -d ' '; }

# Daemons that are alive (a daemon that just exited stays a zombie until the
# namespace's first process reaps it).
count_live_daemons() {
	local p n=0
	for p in $(daemon_pids); do pid_alive "$p" && n=$((n + 1)); done
	echo "$n"
}
no_live_daemon() { [ "$(count_live_daemons)" = 0 ]; }

# wait_exit SECONDS PID: the exit status of the background job PID, waiting
# at most SECONDS; past that it is killed and the status is 124 (timeout(1)'s),
# so that a hanging flom fails the scenario instead of hanging make check.
wait_exit() {
	if ! wait_for "$1" pid_gone "$2"; then
		kill -9 "$2" 2>/dev/null
		wait "$2" 2>/dev/null
		return 124
	fi
	wait "$2"
}
# wait_all SECONDS PID...: wait for background jobs, at most SECONDS for all
# of them together (then the rest are killed); FAILED_JOBS says how many did
# not exit 0. (Not in $(...): a subshell cannot wait for its parent's jobs.)
wait_all() {
	local limit=$1 p
	shift
	FAILED_JOBS=0
	wait_for "$limit" pid_gone "$@" || kill -9 "$@" 2>/dev/null
	for p; do wait "$p" || FAILED_JOBS=$((FAILED_JOBS + 1)); done
}


# ---- lock-order scenarios (tests/cli/usecase_*.sh) ----
# A command run under flom appends "ID in[ ELEMENT]" to $TEST_TMP/events once
# it holds the lock, then keeps the lock until the test creates
# $TEST_TMP/go.ID: the test decides who releases when and reads the order of
# grants from the log, never from sleeps.

# usecase_setup: HOLDER (that command), SOCK and F (flom options for the
# scenario's own daemon).
usecase_setup() {
	HOLDER=$TEST_TMP/holder
	SOCK=$TEST_TMP/sock
	F=(-s "$SOCK")
	# Client traces of background clients show when a request is queued.
	HOLD_TRACE_MASK=${HOLD_TRACE_MASK:-0x8}
	cat >"$HOLDER" <<HOLDER_EOF
#!/bin/sh
# holder ID RC [ELEMENT]: flom appends ELEMENT when the lock has one.
d='$TEST_TMP'
id=\$1 rc=\$2
shift 2
echo \$\$ >"\$d/cmdpid.\$id"
env | grep -E '^FLOM_(RESOURCE_NAME|LOCKED_ELEMENT|LOCK_TOKEN)=' | sort >"\$d/env.\$id"
echo "\$id in\${1+ \$1}" >>"\$d/events"
n=0 step=0.01
while [ ! -e "\$d/go.\$id" ] && [ ! -e "\$d/go.all" ] && [ -d "\$d" ]; do
	n=\$((n + 1))
	if [ \$n -gt 3000 ]; then echo "\$id gave up" >>"\$d/events"; exit 125; fi
	sleep "\$step"
done
echo "\$id out" >>"\$d/events"
exit "\$rc"
HOLDER_EOF
	chmod +x "$HOLDER"
	CLEANUP_HOOKS="${CLEANUP_HOOKS:-} usecase_cleanup"
}

usecase_cleanup() {
	local f
	[ -d "${TEST_TMP:-/nonexistent}" ] || return 0
	: >"$TEST_TMP/go.all"
	for f in "$TEST_TMP"/pid.*; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	[ -n "${FLOM_ISOLATED:-}" ] || "$FLOM_BIN" "${F[@]}" -X >/dev/null 2>&1
	return 0
}

# run_bg ID CMD...: CMD in the background; its PID in pid.ID, stdout in
# out.ID, stderr in err.ID and, once it ended, its exit status in rc.ID.
run_bg() {
	local id=$1
	shift
	rm -f "$TEST_TMP/rc.$id"
	(
		"$@" >"$TEST_TMP/out.$id" 2>"$TEST_TMP/err.$id" &
		echo $! >"$TEST_TMP/pid.$id"
		wait $!
		echo $? >"$TEST_TMP/rc.$id.tmp"
		mv "$TEST_TMP/rc.$id.tmp" "$TEST_TMP/rc.$id"
	) 2>/dev/null &
	STARTED_PIDS="$STARTED_PIDS $!"
	RUN_BG_PIDS="${RUN_BG_PIDS:-} $!"
	wait_for 10 test -s "$TEST_TMP/pid.$id"
}
ended() { test -e "$TEST_TMP/rc.$1"; }
running() { ! ended "$1"; }
# rc_of ID: wait (bounded) until ID ended; print its exit status.
rc_of() {
	wait_for 30 ended "$1" && cat "$TEST_TMP/rc.$1" || echo "still-running"
}

# hold ID RC FLOM-OPTIONS...: flom F FLOM-OPTIONS -- holder ID RC in the
# background, its client trace in trace.ID.
hold() {
	local id=$1 rc=$2
	shift 2
	run_bg "$id" env FLOM_TRACE_MASK="$HOLD_TRACE_MASK" "$FLOM_BIN" "${F[@]}" \
		-T "$TEST_TMP/trace.$id" "$@" -- "$HOLDER" "$id" "$rc"
}

go() { local id; for id; do : >"$TEST_TMP/go.$id"; done; }
# release ID...: let each holder go in turn, wait for its flom; prints the
# exit statuses.
release() {
	local id out=""
	for id; do
		go "$id"
		out="$out${out:+ }$(rc_of "$id")"
	done
	echo "$out"
}
is_in() { grep -q "^$1 in" "$TEST_TMP/events" 2>/dev/null; }
not_in() { ! is_in "$1"; }
is_out() { grep -q "^$1 out" "$TEST_TMP/events" 2>/dev/null; }
# wait_in ID...: until each ID holds its lock (bounded).
wait_in() {
	local id
	for id; do wait_for 10 is_in "$id" || return 1; done
}
# element_of ID: the last argument its command received; env_of ID VAR.
element_of() { sed -n "s/^$1 in \(.*\)/\1/p" "$TEST_TMP/events" 2>/dev/null; }
env_of() { sed -n "s/^$2=//p" "$TEST_TMP/env.$1" 2>/dev/null; }
# events: the log as one line: "1 in,1 out,...".
events() { [ -f "$TEST_TMP/events" ] && paste -sd, "$TEST_TMP/events"; }

# new_scenario: end the previous scenario's clients, forget its files.
new_scenario() {
	local f
	: >"$TEST_TMP/go.all"
	for f in "$TEST_TMP"/pid.*; do
		[ -f "$f" ] || continue
		wait_for 5 test -e "$TEST_TMP/rc.${f##*/pid.}" ||
			kill "$(cat "$f")" 2>/dev/null
	done
	[ -z "${RUN_BG_PIDS:-}" ] || wait $RUN_BG_PIDS 2>/dev/null
	RUN_BG_PIDS=""
	rm -f "$TEST_TMP"/events "$TEST_TMP"/go.* "$TEST_TMP"/env.* \
		"$TEST_TMP"/cmdpid.* "$TEST_TMP"/trace.* "$TEST_TMP"/out.* \
		"$TEST_TMP"/err.* "$TEST_TMP"/pid.* "$TEST_TMP"/rc.*
}

# queued ID: the daemon answered ID's request without granting it (queued,
# or parked until its resource is created), as its client trace shows.
QUEUED_RE=${QUEUED_RE:-'<answer rc="[12]"'}
queued() { grep -qE -- "$QUEUED_RE" "$TEST_TMP/trace.$1" 2>/dev/null; }
# wait_queued ID: until ID is queued; then it must be running and not in.
wait_queued() { wait_for 10 queued "$1" && running "$1" && not_in "$1"; }

# For scenarios about durations (idle lifespans), where the passing of time
# is itself the condition: wait until the clock reaches MS (now_ms).
past_ms() { [ "$(now_ms)" -ge "$1" ]; }
let_time_pass_until() { wait_for 60 past_ms "$1"; }

# num_gt A B: decimal A > decimal B, also beyond the shell's integers.
num_gt() {
	local a b
	case "$1" in "" | *[!0-9]*) return 1 ;; esac
	case "$2" in "" | *[!0-9]*) return 1 ;; esac
	a=$(echo "$1" | sed 's/^0*//') b=$(echo "$2" | sed 's/^0*//')
	if [ ${#a} -ne ${#b} ]; then [ ${#a} -gt ${#b} ]; return; fi
	[ "$a" != "$b" ] && [ "$(printf '%s\n%s\n' "$a" "$b" | LC_ALL=C sort | tail -n1)" = "$a" ]
}
# holding ID: ID is in and not yet out.
holding() { is_in "$1" && ! is_out "$1"; }
