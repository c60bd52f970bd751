# Two local users for the trust scenarios (tests/cli/trust_*.sh), made with
# useradd and removed with userdel at exit. Source after common.sh and
# isolate; then: need_users N || skip_all "$USERS_SKIP".
#   USER_1, USER_2...: their names; as_user NAME CMD...: run CMD as NAME
#   (setpriv, no supplementary groups, HOME in TEST_TMP/home.NAME).

TEST_USERS=""
USERS_SKIP=""
users_cleanup() {
	local u uid p
	for u in $TEST_USERS; do
		# Their processes first (only ours: this PID namespace).
		uid=$(id -u "$u" 2>/dev/null) || continue
		for p in $(ps -eo pid=,uid= | awk -v u="$uid" '$2 == u { print $1 }'); do
			kill -9 "$p" 2>/dev/null
		done
		userdel -f "$u" 2>/dev/null || wait_for 5 userdel -f "$u" 2>/dev/null
	done
}

# need_users N: N fresh users; 1 with USERS_SKIP set when not possible.
need_users() {
	local i name
	if [ -z "${FLOM_ISOLATED:-}" ]; then
		USERS_SKIP="needs root (two local users, made by the test)"
		return 1
	fi
	if ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
		USERS_SKIP="needs useradd and setpriv"
		return 1
	fi
	CLEANUP_HOOKS="${CLEANUP_HOOKS:-} users_cleanup"
	for i in $(seq 1 "$1"); do
		name=flomu$$x$i$RANDOM
		name=${name:0:30}
		if ! useradd -M -N -s /usr/sbin/nologin "$name" 2>/dev/null; then
			USERS_SKIP="useradd $name failed"
			return 1
		fi
		TEST_USERS="$TEST_USERS $name"
		mkdir -p "$TEST_TMP/home.$name"
		chown "$name" "$TEST_TMP/home.$name"
		eval "USER_$i=\$name"
	done
	# TEST_TMP must be reachable by them (the binary too).
	chmod 755 "$TEST_TMP"
	if ! as_user "$USER_1" "$FLOM_BIN" -v >/dev/null 2>&1; then
		USERS_SKIP="user $USER_1 cannot run $FLOM_BIN (directory permissions)"
		return 1
	fi
}

as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
		env HOME="$TEST_TMP/home.$u" USER="$u" LOGNAME="$u" "$@"
}
