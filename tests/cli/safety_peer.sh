#!/bin/bash
# Never hang for ever on a bad peer (issue 11, item 5). A daemon that
# accepted the connection but answers nothing (here: one stopped with
# SIGSTOP, whose kernel still accepts) is an error after --answer-timeout
# ([Network] AnswerTimeout, default 10000 ms): exit 99 with a message naming
# the address, whatever -o says; -x and -X give up after that time too. A
# stopped holder keeps its lock (item 6).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

cd "$TEST_TMP" || exit 99
SOCK=$TEST_TMP/p.sock
PORT=$(free_tcp_port)
AT=1500
CLEANUP_HOOKS="${CLEANUP_HOOKS:-} resume_all"
STOPPED=""
resume_all() { local p; for p in $STOPPED; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done; }

is "$(status_of "$FLOM_BIN" --answer-timeout=0 -- true 2>/dev/null)" 99 "--answer-timeout=0 is refused (99)"

# silent LABEL DAEMON-PID FLOM-ARGS...: the daemon is stopped; a lock request
# (-o -1, the default) fails after the answer timeout, and so do -x and -X
# (which the daemon, once resumed, still reads: it then exits).
silent() {
	local l=$1 dpid=$2 t0 dt rc x
	shift 2
	kill -STOP "$dpid"
	STOPPED="$STOPPED $dpid"
	t0=$(now_ms)
	timeout 30 "$FLOM_BIN" "$@" -d 0 --answer-timeout=$AT -- true 2>"$l.err"
	rc=$?
	dt=$(( $(now_ms) - t0 ))
	diag "$l: a silent daemon: exit $rc after $dt ms (answer timeout $AT ms): $(cat "$l.err")"
	is "$rc" 99 "$l: a lock request to a daemon that never answers exits 99"
	ok "$l: ... after the answer timeout ($AT <= $dt < $((AT + 5000)) ms)" test "$dt" -ge $AT -a "$dt" -lt $((AT + 5000))
	ok "$l: ... naming the address" grep -q "no answer from the daemon at .*$2" "$l.err"
	kill -CONT "$dpid"
	is "$(status_of "$FLOM_BIN" "$@" -d 0 -o 5000 -- true)" 0 "$l: resumed, the daemon serves again"
	kill -STOP "$dpid"
	for x in -x -X; do
		t0=$(now_ms)
		timeout 30 "$FLOM_BIN" "$@" --answer-timeout=$AT $x 2>"$l$x.err" >/dev/null
		rc=$?
		dt=$(( $(now_ms) - t0 ))
		diag "$l: $x to a silent daemon: exit $rc after $dt ms: $(cat "$l$x.err")"
		is "$rc" 99 "$l: $x gives up on a silent daemon (99)"
		ok "$l: ... after the answer timeout(s) ($dt < $((2 * AT + 5000)) ms)" test "$dt" -lt $((2 * AT + 5000))
		ok "$l: ... saying so" grep -q "did not act on the shutdown request" "$l$x.err"
	done
	kill -CONT "$dpid"
	wait_for 10 pid_gone "$dpid"
}

"$FLOM_BIN" -s "$SOCK" -d -1 -- true
silent unix "$(listener_pid unix "$SOCK")" -s "$SOCK"
"$FLOM_BIN" -a 127.0.0.1 -p "$PORT" -d -1 -- true
silent tcp "$(listener_pid tcp "$PORT")" -a 127.0.0.1 -p "$PORT"

# -o bounds only the wait in the queue of a daemon that answered: a queued
# request waits past the answer timeout.
"$FLOM_BIN" -s "$SOCK" -r q -- sh -c "touch q.in; sh $FLOM_SRCDIR/tests/lib/wait_file.sh q.go" &
H=$!
wait_for 5 test -e q.in
t0=$(now_ms)
"$FLOM_BIN" -s "$SOCK" -r q --answer-timeout=500 -o 2000 -- true 2>q.err
is "$?" 98 "a queued request waits for -o, not for the answer timeout (98)"
ok "... the whole -o (>= 2000 ms)" test $(( $(now_ms) - t0 )) -ge 2000
touch q.go
wait "$H"

# ---- a stopped holder keeps its lock (as with flock) ----
"$FLOM_BIN" -s "$SOCK" -r st -- sh -c "touch st.in; sh $FLOM_SRCDIR/tests/lib/wait_file.sh st.go" &
H=$!
wait_for 5 test -e st.in
kill -STOP "$H"
is "$(status_of "$FLOM_BIN" -s "$SOCK" -r st -o 500 -- true 2>/dev/null)" 98 \
	"SIGSTOP of the holder's flom: it keeps the lock (98 with -o 500)"
kill -CONT "$H"
touch st.go
wait "$H"
is "$?" 0 "resumed, it ends normally"

"$FLOM_BIN" -s "$SOCK" -X >/dev/null
done_testing
