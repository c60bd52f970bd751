#!/bin/bash
# The holder stops first (issue 11, item 2). When its daemon dies, a
# holder's command gets SIGTERM, then SIGKILL to its process group once the
# grace period (--grace-period, [Monitor] GracePeriod) passed; a clean start
# grants at once.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/overlap.sh"
ov_init "$TEST_TMP/ov"

GRACE=1000
SOCK=$TEST_TMP/g.sock
F=(-s "$SOCK" --grace-period=$GRACE)

is "$(status_of "$FLOM_BIN" --grace-period=-1 -- true 2>/dev/null)" 99 "--grace-period=-1 is refused (99)"
ok "-V shows [Monitor]/GracePeriod" sh -c "'$FLOM_BIN' -V --grace-period=1234 -s '$SOCK' -- true | grep -qx '\[Monitor\]/GracePeriod=1234'"

# ---- a clean start grants at once ----
t0=$(now_ms)
"$FLOM_BIN" "${F[@]}" -d -1 -- true
is "$?" 0 "a cold start (no predecessor) runs the command"
cold=$(( $(now_ms) - t0 ))
diag "cold start: ${cold} ms"
ok "a cold start does not wait for a predecessor ($cold < $((GRACE + 1000)) ms)" test "$cold" -lt $((GRACE + 1000))
DPID=$(listener_pid unix "$SOCK")

# ---- the daemon dies: TERM, grace, KILL ----
OV_TRAP=1 ov_run R h1 "${F[@]}" -r R
wait_for 5 ov_is_in h1
t_kill=$(now_ms)
kill -9 "$DPID"
ok "the holder's command (trapping SIGTERM) ends" wait_for 10 ov_is_out h1
t_out=$(ov_time out h1)
gone_ms=$((t_out - t_kill))
diag "daemon killed: the command trapping SIGTERM ended after $gone_ms ms (grace $GRACE ms)"
ok "it got SIGTERM first" grep -q " term R h1\$" "$OV_DIR/events"
ok "and SIGKILL once the grace period passed ($GRACE <= $gone_ms < $((GRACE + 3000)) ms)" \
	test "$gone_ms" -ge $((GRACE - 50)) -a "$gone_ms" -lt $((GRACE + 3000))
ok "flom said the lock was lost" grep -q "^flom: lock on R lost: " "$OV_DIR/err.h1"

"$FLOM_BIN" -s "$SOCK" -X >/dev/null 2>&1
: >"$OV_DIR/go.all"
done_testing
