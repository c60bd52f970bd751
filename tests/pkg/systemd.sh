#!/bin/bash
# etc/flom.service as built: systemd-analyze verify accepts it (when systemd
# is installed), and its ExecStart line, run as is, is a daemon that clients
# with -d 0 use.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

UNIT=$FLOM_BUILDDIR/etc/flom.service
export HOME=$TEST_TMP FLOM_SYSTEM_CONFIG=$TEST_TMP/none.conf
[ -f "$UNIT" ] || skip_all "no built unit (configured --with-systemdsystemunitdir=no)"

# The unit as installed would run $bindir/flom: point it at this build, and
# give systemd-analyze the man page its Documentation= names.
mkdir -p "$TEST_TMP/man/man1"
cp "$FLOM_BUILDDIR/man/flom.1" "$TEST_TMP/man/man1/"
exec_start=$(sed -n 's/^ExecStart=[^ ]*\/flom //p' "$UNIT")
sed "s|^ExecStart=[^ ]*|ExecStart=$FLOM_BIN|" "$UNIT" >"$TEST_TMP/flom.service"
if command -v systemd-analyze >/dev/null; then
	MANPATH=$TEST_TMP/man timeout 60 systemd-analyze verify "$TEST_TMP/flom.service" \
		>"$TEST_TMP/verify.out" 2>&1
	ok "systemd-analyze verify flom.service" [ $? = 0 ]
	[ -s "$TEST_TMP/verify.out" ] && sed 's/^/# /' "$TEST_TMP/verify.out"
else
	skip "systemd-analyze not installed (package systemd): unit not verified"
fi

# $FLOM_OPTIONS as the unit sets it; a free port when the scenario shares
# the host's network (not root).
opts=$(sed -n 's/^Environment="FLOM_OPTIONS=\(.*\)"$/\1/p' "$UNIT")
port=28015
[ -n "${FLOM_ISOLATED:-}" ] || port=$(free_tcp_port)
args=${exec_start//\$FLOM_OPTIONS/$opts -p $port}
is "$opts" "-a 127.0.0.1" "the unit serves TCP on loopback unless told otherwise"
# shellcheck disable=SC2086 # ExecStart's words
spawn "$FLOM_BIN" $args
daemon=$!
ok "ExecStart ($args) listens on 127.0.0.1:$port" wait_for 10 listening tcp "$port"
is "$(status_of timeout 20 "$FLOM_BIN" -a 127.0.0.1 -p "$port" -d 0 -- true)" 0 \
	"a client with -d 0 gets its lock from the service's daemon"
ok "the service's daemon is the process systemd started (no fork)" \
	[ "$(listener_pid tcp "$port")" = "$daemon" ]
kill "$daemon"
ok "it stops on SIGTERM" wait_for 10 pid_gone "$daemon"

done_testing
