#!/bin/bash
# A restarted daemon does not grant into a crash (issue 11, item 3). The
# daemon is killed (-9) while a holder's command traps SIGTERM and a waiter
# is queued: the waiter starts a fresh daemon, which grants nothing before
# the grace period plus a margin, so the two commands never overlap (over
# the UNIX socket, where the dead daemon's socket file tells, and over TCP,
# where the waiter that saw its daemon vanish tells). Over TCP a client that
# was not waiting starts the next daemon: the dead one's file on the host
# tells. A stale socket alone delays the first grant too; a clean start
# grants at once (tests/cli/safety_grace.sh).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/overlap.sh"
ov_init "$TEST_TMP/ov"

GRACE=1000
MARGIN=3000
SOCK=$TEST_TMP/g.sock
PORT=$(free_tcp_port)

# crash LABEL WHO DAEMON-PID-COMMAND FLOM-ARGS...: WHO "waiter" is queued
# when the daemon dies and starts the next one; WHO "fresh" comes once the
# holder heard of the crash (nobody waited).
crash() {
	local l=$1 who=$2 pidcmd=$3 dpid fds t_kill res gap
	shift 3
	"$FLOM_BIN" "$@" -d -1 -- true
	dpid=$($pidcmd)
	OV_TRAP=1 ov_run "$l" "h.$l" "$@" -r "$l"
	wait_for 5 ov_is_in "h.$l"
	fds=$(fd_count "$dpid")
	[ "$who" = fresh ] || ov_run "$l" "w.$l" "$@" -r "$l" -d -1
	[ "$who" = fresh ] || ok "$l: the waiter is queued" wait_for 5 fd_count_at_least "$dpid" $((fds + 1))
	t_kill=$(now_ms)
	kill -9 "$dpid"
	ok "$l: the holder said its lock was lost" wait_for 5 file_has "$OV_DIR/err.h.$l" "^flom: lock on $l lost: "
	[ "$who" = fresh ] && ov_run "$l" "w.$l" "$@" -r "$l" -d -1
	ok "$l: the $who client's command runs on a fresh daemon" wait_for 20 ov_is_in "w.$l"
	touch "$OV_DIR/go.w.$l"
	wait_for 10 ov_is_out "w.$l"
	res=$(ov_check "$l")
	diag "$l: daemon killed, holder trapping SIGTERM (grace $GRACE ms), $who client: $res;" \
		"the fresh daemon granted $(( $(ov_time in "w.$l") - t_kill )) ms after the crash"
	is "${res%% *}" "overlaps=0" "$l: no overlap between the dead daemon's holder and the fresh daemon's"
	gap=${res##*=}
	ok "$l: the $who client ran at least 1 s after the holder's command ended ($gap ms)" test "$gap" -ge 1000
}
unix_daemon() { listener_pid unix "$SOCK"; }
tcp_daemon() { listener_pid tcp "$PORT"; }

crash unix waiter unix_daemon -s "$SOCK" --grace-period=$GRACE
crash tcp waiter tcp_daemon -a 127.0.0.1 -p "$PORT" --grace-period=$GRACE
"$FLOM_BIN" -a 127.0.0.1 -p "$PORT" -X >/dev/null 2>&1
wait_for 5 test -z "$(tcp_daemon)"
crash tcpfresh fresh tcp_daemon -a 127.0.0.1 -p "$PORT" --grace-period=$GRACE
"$FLOM_BIN" -a 127.0.0.1 -p "$PORT" -X >/dev/null 2>&1

# ---- a stale socket alone (nothing held) delays the first grant ----
"$FLOM_BIN" -s "$SOCK" -X >/dev/null 2>&1
wait_for 5 test -z "$(unix_daemon)"
"$FLOM_BIN" -s "$SOCK" --grace-period=$GRACE -d -1 -- true
kill -9 "$(unix_daemon)"
wait_for 5 test -z "$(unix_daemon)"
ok "the crashed daemon left its socket file" test -S "$SOCK"
t0=$(now_ms)
"$FLOM_BIN" -s "$SOCK" --grace-period=$GRACE -d 1000 -- true
is "$?" 0 "a daemon starts over the stale socket"
late=$(( $(now_ms) - t0 ))
diag "first grant over a stale socket: $late ms (grace $GRACE + margin $MARGIN)"
ok "its first grant waits the grace period plus the margin ($late >= $((GRACE + MARGIN)) ms)" \
	test "$late" -ge $((GRACE + MARGIN))
is "$(status_of "$FLOM_BIN" -s "$SOCK" -o 0 -r busy -- true 2>/dev/null)" 0 \
	"after the delay, -o 0 is granted at once"

# During the delay a request that cannot wait is busy (98), one that waits
# is queued.
"$FLOM_BIN" -s "$SOCK" -X >/dev/null 2>&1
wait_for 5 test -z "$(unix_daemon)"
"$FLOM_BIN" -s "$SOCK" -d -1 --grace-period=$GRACE -- true
kill -9 "$(unix_daemon)"
wait_for 5 test -z "$(unix_daemon)"
"$FLOM_BIN" -s "$SOCK" -d -1 --grace-period=$GRACE -r other -o 0 -- true 2>busy.err
is "$?" 98 "during the lock delay -o 0 is refused as busy (98)"
t0=$(now_ms)
"$FLOM_BIN" -s "$SOCK" -d 0 -o 10000 -- true
is "$?" 0 "... and a request that waits is granted once it is over"
diag "granted $(( $(now_ms) - t0 )) ms later"

# A daemon stopped (SIGTERM) while a holder holds leaves its socket too.
OV_TRAP=1 ov_run term h.term -s "$SOCK" -r term --grace-period=$GRACE
wait_for 5 ov_is_in h.term
kill -TERM "$(unix_daemon)"
ok "SIGTERM to a daemon with a holder: it exits" wait_for 5 test -z "$(unix_daemon)"
ok "... and leaves its socket file for the next one" test -S "$SOCK"
ov_run term w.term -s "$SOCK" -r term -d 1000 --grace-period=$GRACE
ok "the next holder runs on a fresh daemon" wait_for 20 ov_is_in w.term
touch "$OV_DIR/go.w.term"
wait_for 10 ov_is_out w.term
res=$(ov_check term)
diag "SIGTERM to the daemon: $res"
is "${res%% *}" "overlaps=0" "no overlap after SIGTERM to the daemon"

"$FLOM_BIN" -s "$SOCK" -X >/dev/null 2>&1

# Another user's file where a TCP daemon keeps its own says nothing of a
# crash: it must not delay the grants of ours.
. "$FLOM_SRCDIR/tests/lib/users.sh"
if need_users 1; then
	PORT2=$(free_tcp_port)
	touch "/tmp/flom-tcp-127.0.0.1-$PORT2.serving"
	chown "$USER_1" "/tmp/flom-tcp-127.0.0.1-$PORT2.serving"
	"$FLOM_BIN" -a 127.0.0.1 -p "$PORT2" -d -1 --grace-period=$GRACE -o 0 -r planted -- true
	is "$?" 0 "another user's .serving file: a new TCP daemon grants at once (-o 0: 0)"
	"$FLOM_BIN" -a 127.0.0.1 -p "$PORT2" -X >/dev/null 2>&1
else
	skip "$USERS_SKIP"
fi
: >"$OV_DIR/go.all"
done_testing
