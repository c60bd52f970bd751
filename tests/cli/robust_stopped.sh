#!/bin/bash
# Many closes in one loop pass (issue #10, defect 1): a holder and 200
# waiters hang up while the daemon is stopped (SIGSTOP), so that after
# SIGCONT one poll pass sees them all. The holder's release grants the lock
# to a waiter that is gone: sending fails, that waiter is closed and releases
# in turn, and so on down the queue, inside the same pass whose list still
# names them. The daemon must survive it (under AddressSanitizer: no
# use-after-free), close every one of them and keep serving.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

[ -x "$FLOM_SEND" ] || skip_all "flom_send not built ($FLOM_SEND)"
cd "$TEST_TMP" || exit 99

WAITERS=200
ROUNDS=2
H='<?xml version="1.0" encoding="UTF-8" ?>'
PEER=0123456789abcdef0123456789abcdef
RAW_LOCK="$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"$PEER\"/><resource name=\"X1JFU09VUkNF\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
SOCK=$TEST_TMP/stopped.sock

"$FLOM_BIN" -s "$SOCK" -d -1 -- true
is "$?" 0 "start a daemon"
DPID=$(listener_pid unix "$SOCK")
[ -n "$DPID" ] || { diag "no daemon listens on $SOCK"; done_testing; exit; }
resume_daemon() { kill -CONT "$DPID" 2>/dev/null; return 0; }
CLEANUP_HOOKS="${CLEANUP_HOOKS:-} resume_daemon"
FDS0=$(fd_count "$DPID")

# Alive and back to the descriptors it had before the round.
settled() { pid_alive "$DPID" && fd_count_at_most "$DPID" "$FDS0"; }

# round N: the holder, then the waiters, all on one resource; all of them
# hang up while the daemon is stopped; then a normal client locks.
round() {
	local holder waiters
	"$FLOM_SEND" -t 60000 -m "$RAW_LOCK" "$SOCK" >"holder$1.out" 2>&1 &
	holder=$!
	ok "$1: the holder is granted the lock" wait_for 10 file_has "holder$1.out" 'rc="0"'
	"$FLOM_SEND" -n "$WAITERS" -m "$RAW_LOCK" "$SOCK" >"waiters$1.out" 2>&1 &
	waiters=$!
	ok "$1: $WAITERS waiters connected" wait_for 30 file_has "waiters$1.out" "ready $WAITERS"
	ok "$1: the daemon accepted them all" \
		wait_for 10 fd_count_at_least "$DPID" $((FDS0 + WAITERS + 1))
	kill -STOP "$DPID"
	kill "$holder" "$waiters"
	wait "$holder" "$waiters"
	kill -CONT "$DPID"
	"$FLOM_BIN" -s "$SOCK" -d 0 -o 5000 -- true
	is "$?" 0 "$1: a normal client locks after the daemon resumed"
	ok "$1: the daemon is alive and closed every connection" wait_for 10 settled
}

for r in $(seq 1 "$ROUNDS"); do
	round "$r"
	pid_alive "$DPID" || break
done
is "$(listener_pid unix "$SOCK")" "$DPID" "the same daemon still listens"
"$FLOM_BIN" -s "$SOCK" -X >/dev/null
is "$?" 0 "-X stops it"
ok "... and it exits" wait_for 5 pid_gone "$DPID"

done_testing
