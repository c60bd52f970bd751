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
# wait_for SECONDS CMD...: poll CMD every 10 ms until it succeeds; 1 on timeout.
wait_for() {
	local limit=$1 step=0.01 t0
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
