#!/bin/bash
# Lost locks and daemon signals (issue #6, items 6-7). When the daemon goes
# away while the command runs (-X, SIGTERM, a crash), flom prints
# "flom: lock on RES lost: REASON", SIGTERMs the command's process group
# (Monitor/OnLockLost=terminate, the default) and exits 99 once it ended; with
# OnLockLost=warn the command runs on. SIGTERM/SIGINT stop the daemon with
# cleanup (socket file removed, unless a holder held a lock: then it stays
# for the next daemon's lock delay), SIGHUP is ignored. Holders killed with
# SIGKILL release their lock to the clients waiting behind them.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

cd "$TEST_TMP" || exit 99
SOCK=$TEST_TMP/lost.sock
# A short grace period: a daemon that starts over one that died with a
# holder waits that long plus 3 s (tests/cli/safety_restart.sh).
UNIX="-s $SOCK --grace-period=200"

start_daemon() { # start_daemon CONN... ; sets DPID
	DPID=
	"$FLOM_BIN" "$@" -d -1 -- true || return 1
	case " $* " in
	*" -s "*) DPID=$(listener_pid unix "$SOCK") ;;
	*) DPID=$(listener_pid tcp "$PORT") ;;
	esac
	[ -n "$DPID" ]
}
exists() { [ -e "$1" ]; }
gone() { [ ! -e "$1" ]; }

# victim NAME FLOM_ARGS...: a flom whose command (a shell with a background
# sleep, one process group) would run 30 s; records the sleep's PID.
victim() {
	local n=$1
	shift
	rm -f "$n".*
	"$FLOM_BIN" "$@" -- sh -c "sleep 30 & echo \$! >$n.bg; touch $n.started; wait; touch $n.done" \
		2>"$n.err" &
	VICTIM=$!
	STARTED_PIDS="$STARTED_PIDS $VICTIM"
	wait_for 5 exists "$n.started"
}

# expect_lost LABEL NAME RESOURCE: the victim noticed, its command was
# terminated, flom exited 99 long before the command's 30 s.
expect_lost() {
	local label=$1 n=$2 res=$3 rc
	ok "$label: flom ends quickly" wait_for 5 pid_gone "$VICTIM"
	wait "$VICTIM"
	rc=$?
	is "$rc" 99 "$label: flom exits 99"
	ok "$label: stderr says 'flom: lock on $res lost: ...'" grep -q "^flom: lock on $res lost: ." "$n.err"
	diag "$label: stderr: $(cat "$n.err")"
	ok "$label: the command's process group was terminated" wait_for 2 pid_gone "$(cat "$n.bg" 2>/dev/null)"
	ok "$label: the command did not run to its end" gone "$n.done"
}

# ---- a normal run prints nothing ----
"$FLOM_BIN" $UNIX -- true 2>normal.err
is "$?" 0 "a normal run exits 0"
is "$(cat normal.err)" "" "... and prints no lost-lock notice"

# ---- -X while the command runs, UNIX and TCP ----
start_daemon $UNIX
victim v1 $UNIX -r lostres
"$FLOM_BIN" $UNIX -X >/dev/null
is "$?" 0 "-X (unix) exits 0"
expect_lost "-X over unix" v1 lostres

PORT=$(free_tcp_port)
TCP="-a 127.0.0.1 -p $PORT"
start_daemon $TCP
victim v2 $TCP
"$FLOM_BIN" $TCP -X >/dev/null
is "$?" 0 "-X (tcp) exits 0"
expect_lost "-X over tcp" v2 _RESOURCE

# ---- the daemon crashes (SIGKILL) ----
start_daemon $UNIX
victim v3 $UNIX -r crash
kill -KILL "$DPID"
expect_lost "daemon killed" v3 crash
"$FLOM_BIN" $UNIX -d 1000 -o 10000 -- true
is "$?" 0 "a new daemon starts over the crashed one's socket file (after its lock delay)"
"$FLOM_BIN" $UNIX -X >/dev/null

# ---- OnLockLost=warn: the command runs on ----
printf '[Resource]\n[Daemon]\n[Network]\n[Monitor]\nOnLockLost=warn\n' >warn.conf
start_daemon $UNIX
rm -f w.*
"$FLOM_BIN" -c warn.conf $UNIX -- sh -c 'touch w.started; sh $FLOM_SRCDIR/tests/lib/wait_file.sh w.go; touch w.done' 2>w.err &
W=$!
wait_for 5 exists w.started
"$FLOM_BIN" $UNIX -X >/dev/null
ok "warn: the notice is printed" wait_for 5 file_has w.err '^flom: lock on _RESOURCE lost: '
ok "warn: the command keeps running" pid_alive "$W"
touch w.go
ok "warn: the command runs to its end" wait_for 5 exists w.done
wait_for 5 pid_gone "$W"
wait "$W"
is "$?" 99 "warn: flom still exits 99"

# ---- daemon signals ----
start_daemon $UNIX
victim v4 $UNIX
kill -TERM "$DPID"
ok "SIGTERM: the daemon exits" wait_for 5 pid_gone "$DPID"
ok "SIGTERM with a holder: its socket file stays, for the next daemon's lock delay" test -S "$SOCK"
expect_lost "SIGTERM to the daemon" v4 _RESOURCE

start_daemon $UNIX
kill -INT "$DPID"
ok "SIGINT: the daemon exits" wait_for 5 pid_gone "$DPID"
ok "SIGINT: its socket file is removed" wait_for 2 gone "$SOCK"

start_daemon $UNIX
victim v5 $UNIX
kill -HUP "$DPID"
"$FLOM_BIN" $UNIX -d 0 -o 2000 -r other -- true
is "$?" 0 "SIGHUP: the daemon still serves"
"$FLOM_BIN" $UNIX -d 0 -o 0 -- true 2>/dev/null
is "$?" 98 "SIGHUP: the holder keeps its lock"
ok "SIGHUP: the daemon is the same process" test "$(listener_pid unix "$SOCK")" = "$DPID"
ok "SIGHUP: the holder did not lose it" test ! -s v5.err
kill "$VICTIM"
wait "$VICTIM"

# ---- holders killed with SIGKILL while others wait ----
# A holder whose command stays behind when flom itself is killed (it is in
# its own process group) keeps the lock until that command ends too: the
# command inherits the lock connection (tests/cli/local_holder_killed.sh).
rm -f got
"$FLOM_BIN" $UNIX -r R -- sh -c 'echo $$ >h.cmd; exec sleep 30' &
HOLDER=$!
wait_for 5 exists h.cmd
FDS=$(fd_count "$DPID")
WAITERS=()
for i in 1 2 3; do
	"$FLOM_BIN" $UNIX -d 0 -r R -o 10000 -- sh -c "echo $i >>got" &
	WAITERS+=($!)
done
wait_for 5 fd_count_at_least "$DPID" $((FDS + 3))
{ kill -KILL "$HOLDER"; wait "$HOLDER"; } 2>/dev/null
kill "$(cat h.cmd)"
ok "SIGKILL of the holder and its command: the three waiters get the lock in turn" wait_for 10 has_lines got 3
for i in 0 1 2; do
	wait "${WAITERS[$i]}"
	is "$?" 0 "waiter $((i + 1)) exits 0"
done
kill "$(cat h.cmd)" 2>/dev/null

# Numeric resource: two holders of R2[2] killed at once, two waiters go.
rm -f got n1.cmd n2.cmd
"$FLOM_BIN" $UNIX -r 'R2[2]' -- sh -c 'echo $$ >n1.cmd; exec sleep 30' &
H1=$!
"$FLOM_BIN" $UNIX -r 'R2[2]' -- sh -c 'echo $$ >n2.cmd; exec sleep 30' &
H2=$!
wait_for 5 exists n1.cmd && wait_for 5 exists n2.cmd
"$FLOM_BIN" $UNIX -d 0 -r 'R2[2]' -o 0 -- true 2>/dev/null
is "$?" 98 "R2[2] is full with two holders"
FDS=$(fd_count "$DPID")
"$FLOM_BIN" $UNIX -d 0 -r 'R2[2]' -o 10000 -- sh -c 'echo a >>got' &
WA=$!
"$FLOM_BIN" $UNIX -d 0 -r 'R2[2]' -o 10000 -- sh -c 'echo b >>got' &
WB=$!
wait_for 5 fd_count_at_least "$DPID" $((FDS + 2))
{ kill -KILL "$H1" "$H2"; wait "$H1" "$H2"; } 2>/dev/null
kill "$(cat n1.cmd)" "$(cat n2.cmd)"
ok "SIGKILL of both holders and their commands: both waiters get a unit" wait_for 10 has_lines got 2
wait "$WA"; ra=$?
wait "$WB"; rb=$?
is "$ra$rb" 00 "both waiters exit 0"
kill "$(cat n1.cmd)" "$(cat n2.cmd)" 2>/dev/null

# A waiter killed while queued leaves the queue; the next one proceeds.
rm -f got x.go x.started
"$FLOM_BIN" $UNIX -r R3 -- sh -c 'touch x.started; sh $FLOM_SRCDIR/tests/lib/wait_file.sh x.go' &
H3=$!
wait_for 5 exists x.started
FDS=$(fd_count "$DPID")
"$FLOM_BIN" $UNIX -d 0 -r R3 -o 10000 -- sh -c 'echo killed-waiter-ran >>got' &
WK=$!
wait_for 5 fd_count_at_least "$DPID" $((FDS + 1))
"$FLOM_BIN" $UNIX -d 0 -r R3 -o 10000 -- sh -c 'echo second >>got' &
W2=$!
wait_for 5 fd_count_at_least "$DPID" $((FDS + 2))
{ kill -KILL "$WK"; wait "$WK"; } 2>/dev/null
touch x.go
wait "$H3"
is "$?" 0 "the holder of R3 ends normally"
wait_for 10 pid_gone "$W2"
wait "$W2"
is "$?" 0 "the waiter behind a killed waiter gets the lock"
is "$(cat got 2>/dev/null)" "second" "... and the killed waiter's command never ran"
"$FLOM_BIN" $UNIX -d 0 -r R3 -o 0 -- true
is "$?" 0 "R3 is free afterwards"
is "$(listener_pid unix "$SOCK")" "$DPID" "the same daemon served all of it"
kill "$DPID"

done_testing
