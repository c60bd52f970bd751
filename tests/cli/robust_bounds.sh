#!/bin/bash
# Bounds (issue #6, item 5): 3000 idle connections cost little memory, the
# daemon keeps serving while they are open and gives the memory back when they
# go (twice, so that a leak would show); over Daemon/MaxConnections a new
# connection is accepted and closed at once, and service resumes when
# connections are freed; the same holds when the daemon's descriptor limit is
# below MaxConnections (it must not leave clients hanging in its backlog).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

[ -x "$FLOM_SEND" ] || skip_all "flom_send not built ($FLOM_SEND)"
cd "$TEST_TMP" || exit 99

N=3000
# Memory bounds (kB): "flat" is under about 2.7 KiB per idle connection; what
# stays after they left must be small and must not grow from round to round.
RSS_DURING_MAX=8192
RSS_AFTER_MAX=4096
RSS_LEAK_MAX=1024

SOCK=$TEST_TMP/bounds.sock
# Started under the usual soft limit of 1024 descriptors: serving 3000
# connections (MaxConnections defaults to 16384) is the daemon's own business.
# Idle connections are what this measures: RequestTimeout (closing them
# after 5 s, tests/cli/trust_greedy.sh) is pushed out of the way.
( ulimit -Sn 1024; "$FLOM_BIN" -s "$SOCK" -d -1 --request-timeout=600000 -- true )
is "$?" 0 "start a daemon"
DPID=$(listener_pid unix "$SOCK")
[ -n "$DPID" ] || { diag "no daemon listens on $SOCK"; done_testing; exit; }
diag "daemon $DPID: $(grep 'open files' "/proc/$DPID/limits")"
FDS0=$(fd_count "$DPID")
RSS0=$(rss_kb "$DPID")

# round LABEL: open N idle connections, lock, close them; sets RSS_DURING
# and RSS_AFTER.
round() {
	local idle t0
	"$FLOM_SEND" -n "$N" "$SOCK" >"idle$1.out" 2>"idle$1.err" &
	idle=$!
	ok "$1: $N idle connections open" wait_for 30 file_has "idle$1.out" "ready $N"
	ok "$1: the daemon accepted them all" wait_for 10 fd_count_at_least "$DPID" $((FDS0 + N))
	diag "$1: daemon descriptors $(fd_count "$DPID")"
	RSS_DURING=$(rss_kb "$DPID")
	t0=$(now_ms)
	"$FLOM_BIN" -s "$SOCK" -d 0 -o 2000 -- true
	is "$?" 0 "$1: a normal client locks meanwhile"
	diag "$1: in $(( $(now_ms) - t0 )) ms"
	ok "$1: no idle connection was closed by the daemon" test ! -s "idle$1.err" -a "$(grep -c closed "idle$1.out")" = 0
	kill "$idle"
	wait "$idle"
	ok "$1: the daemon closes its side when they go" wait_for 10 fd_count_at_most "$DPID" "$FDS0"
	RSS_AFTER=$(rss_kb "$DPID")
	diag "$1: RSS before ${RSS0} kB, during ${RSS_DURING} kB, after ${RSS_AFTER} kB"
}

# AddressSanitizer keeps freed memory in quarantine: RSS says nothing there.
memory_check() {
	if [ "${FLOM_SANITIZED:-}" = yes ]; then
		skip "$1 (memory is not returned under AddressSanitizer)"
	else
		shift
		ok "$@"
	fi
}
round first
memory_check "memory during" "memory with $N idle connections grows by less than $RSS_DURING_MAX kB ($((RSS_DURING - RSS0)) kB)" \
	test $((RSS_DURING - RSS0)) -lt "$RSS_DURING_MAX"
memory_check "memory after" "memory comes back when they go (still $((RSS_AFTER - RSS0)) kB above the start, < $RSS_AFTER_MAX)" \
	test $((RSS_AFTER - RSS0)) -lt "$RSS_AFTER_MAX"
AFTER1=$RSS_AFTER
round second
memory_check "second round" "a second round leaves no more memory behind ($((RSS_AFTER - AFTER1)) kB, < $RSS_LEAK_MAX)" \
	test $((RSS_AFTER - AFTER1)) -lt "$RSS_LEAK_MAX"
is "$(listener_pid unix "$SOCK")" "$DPID" "the same daemon still listens"
kill "$DPID"

# ---- Daemon/MaxConnections ----
MAX=50
printf '[Resource]\n[Daemon]\nMaxConnections=%s\n[Network]\n' "$MAX" >max.conf
S2=$TEST_TMP/max.sock
"$FLOM_BIN" -c max.conf -s "$S2" -d -1 --request-timeout=600000 -- true
is "$?" 0 "start a daemon with MaxConnections=$MAX"
MPID=$(listener_pid unix "$S2")
MFDS0=$(fd_count "$MPID")
"$FLOM_SEND" -n "$MAX" "$S2" >max.out 2>&1 &
IDLE=$!
ok "$MAX idle connections open" wait_for 10 file_has max.out "ready $MAX"
ok "the daemon accepted them" wait_for 10 fd_count_at_least "$MPID" $((MFDS0 + MAX))
t0=$(now_ms)
"$FLOM_SEND" -t 5000 -m "$(printf '<?xml version="1.0" encoding="UTF-8" ?><msg level="3" verb="1" step="8"><session peerid="x"/><resource name="X1JFU09VUkNF" mode="5" wait="1" create="1" lifespan="0"/></msg>')" "$S2" >over.out 2>&1
rc=$?
ms=$(( $(now_ms) - t0 ))
is "$rc" 0 "one more connection is closed by the daemon"
ok "... at once ($ms ms < 1000 ms)" test "$ms" -lt 1000
ok "... without a lock" test "$(grep -c 'rc="0"' over.out)" = 0
"$FLOM_BIN" -s "$S2" -d 0 -o 2000 -- true 2>over.err
is "$?" 99 "a client over the limit exits 99"
diag "its stderr: $(cat over.err)"
ok "the $MAX connections held are untouched" test "$(grep -c closed max.out)" = 0
kill "$IDLE"
wait "$IDLE"
ok "they are closed when they go" wait_for 10 fd_count_at_most "$MPID" "$MFDS0"
"$FLOM_BIN" -s "$S2" -d 0 -o 2000 -- true
is "$?" 0 "then a client locks again"
is "$(listener_pid unix "$S2")" "$MPID" "the same daemon still listens"
kill "$MPID"

# ---- a descriptor limit below MaxConnections (16384 by default) ----
LIM=256
S3=$TEST_TMP/fdlimit.sock
( ulimit -Sn "$LIM"; ulimit -Hn "$LIM"; "$FLOM_BIN" -s "$S3" -d -1 --request-timeout=600000 -- true )
is "$?" 0 "start a daemon whose hard limit is $LIM descriptors"
LPID=$(listener_pid unix "$S3")
LFDS0=$(fd_count "$LPID")
"$FLOM_SEND" -n 400 "$S3" >fdl.out 2>&1 &
IDLE=$!
ok "400 connections open" wait_for 10 file_has fdl.out "ready 400"
ok "those beyond its descriptors are closed, not left in the backlog" wait_for 5 file_has fdl.out closed
diag "$(tail -n 1 fdl.out); daemon descriptors $(fd_count "$LPID")"
t0=$(now_ms)
"$FLOM_SEND" -t 3000 -m x "$S3" >/dev/null 2>&1
rc=$?
ms=$(( $(now_ms) - t0 ))
is "$rc" 0 "one more connection is closed by the daemon"
ok "... at once ($ms ms < 1000 ms)" test "$ms" -lt 1000
"$FLOM_BIN" -s "$S3" -d 0 -o 2000 -- true 2>fdl.err
is "$?" 99 "a client beyond the limit exits 99 (not 98 after waiting)"
diag "its stderr: $(cat fdl.err)"
kill "$IDLE"
wait "$IDLE"
ok "the connections are closed when they go" wait_for 10 fd_count_at_most "$LPID" "$LFDS0"
"$FLOM_BIN" -s "$S3" -d 0 -o 2000 -- true
is "$?" 0 "then a client locks again"
is "$(listener_pid unix "$S3")" "$LPID" "the same daemon still listens"
kill "$LPID"

done_testing
