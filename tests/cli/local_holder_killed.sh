#!/bin/bash
# Lock lifetime = command lifetime (issue 11, item 1). kill -9 of a holder's
# flom does not free its lock while the command runs: the command inherits
# the lock connection, so the daemon sees it close only when the command
# (and whatever it started that kept the descriptor) is gone, as with
# flock(1). The waiter then runs at once. Over the UNIX socket and TCP; the
# discovery case is in tests/net/safety_cut.sh.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"
. "$FLOM_SRCDIR/tests/lib/overlap.sh"
ov_init "$TEST_TMP/ov"

PORT=$(free_tcp_port)
LIMIT_MS=1000

# scenario LABEL FLOM-ARGS...: holder h.LABEL, waiter w.LABEL queued behind
# it, kill -9 of the holder's flom, then the holder's command ends.
scenario() {
	local l=$1 t_out t_in
	shift
	ov_run "$l" "h.$l" "$@" -r "$l"
	ok "$l: the holder runs" wait_for 5 ov_is_in "h.$l"
	ov_run "$l" "w.$l" "$@" -r "$l"
	ok "$l: the waiter is queued" wait_for 5 flom_blocked "$(pgrep_waiter "$l")"
	kill -9 "$(cat "$OV_DIR/flom.h.$l")"
	ok "$l: kill -9 of the holder's flom: its command still runs" pid_alive "$(cat "$OV_DIR/cmd.h.$l")"
	# A negative condition needs a window: a second is far above the few ms
	# a release takes.
	ok "$l: ... and the waiter does not run meanwhile (1 s)" never_within 1 ov_is_in "w.$l"
	touch "$OV_DIR/go.h.$l"
	ok "$l: the holder's command ended" wait_for 5 ov_is_out "h.$l"
	ok "$l: then the waiter runs" wait_for 5 ov_is_in "w.$l"
	t_out=$(ov_time out "h.$l")
	t_in=$(ov_time in "w.$l")
	diag "$l: the waiter ran $((t_in - t_out)) ms after the holder's command ended"
	ok "$l: ... within $LIMIT_MS ms" test $((t_in - t_out)) -lt $LIMIT_MS
	touch "$OV_DIR/go.w.$l"
	wait_for 5 ov_is_out "w.$l"
}

never_within() { ! wait_for "$@"; }

# The waiter's flom: the flom client whose argv names its resource.
pgrep_waiter() {
	local p
	for p in $(ps -eo pid=,comm= | awk '$2 == "flom" { print $1 }'); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "job $1 w.$1" && echo "$p"
	done | head -n 1
}

scenario unix $(flom_local_opts) -d 3000
scenario tcp -a 127.0.0.1 -p "$PORT" -d 3000

# A background child that keeps the descriptor keeps the lock too, once its
# flom is gone (flock(1)'s rule).
spawn_flom -r bg -- sh -c 'sleep 300 & echo $! >bg.pid; echo $$ >bg.leader; exec sh "$FLOM_SRCDIR/tests/lib/wait_file.sh" bg.go'
BGF=$!
wait_for 5 test -s bg.leader
kill -9 "$BGF"
touch bg.go
ok "kill -9 of flom, then its command ends" wait_for 5 pid_gone "$(cat bg.leader)"
is "$(status_of flom_local -r bg -o 300 -- true 2>/dev/null)" 98 \
	"its background child keeps the lock after kill -9 of flom (98 with -o 300)"
kill "$(cat bg.pid)"
is "$(status_of flom_local -r bg -o 3000 -- true)" 0 "once the child ended the lock is free"

res=$(ov_check)
diag "overlap detector: $res"
is "${res%% *}" "overlaps=0" "no two commands of one resource ran at once"
: >"$OV_DIR/go.all"
done_testing
