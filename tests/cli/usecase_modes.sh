#!/bin/bash
# Use cases 1-6 of the original suite (reference §10.9): one resource
# serialises its users, different resources do not, -o 0 and -o N refuse with
# 98, the six lock modes follow the VMS DLM compatibility matrix, different
# sockets mean different daemons.
#
# Queues are strictly FIFO here: a request is granted only when it is
# compatible with every holder and nothing waits ahead of it. The original
# lets a compatible newcomer overtake a waiter (reference §4.5, §11 item 21;
# its use case 5 1/9 expects a PR to pass a queued PW): we check it waits.
#
# Order is read from the events the commands log (tests/lib/common.sh), a
# waiter is known to be queued from its client trace, never from sleeps.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

fl() { "$FLOM_BIN" "${F[@]}" "$@"; }
BUSY_MSG='Resource already locked, the lock cannot be obtained'

# ---- use case 1: two commands on the default resource ----
hold a 0
wait_in a
hold b 0 -o -1
ok "UC1: a second request for the default resource (-o -1: for ever) is queued" wait_queued b
is "$(release a)" 0 "UC1: the first flom exits with its command's status"
ok "UC1: the waiter gets the lock after the holder released it" wait_in b
is "$(release b)" 0 "UC1: the second flom exits 0"
is "$(events)" "a in,a out,b in,b out" "UC1: commands serialised"

# ---- use case 2: independent resources ----
new_scenario
hold a 0 -r R1
wait_in a
hold c 0 -r R2
ok "UC2: R2 is granted while R1 is held" wait_in c
hold b 0 -r R1
ok "UC2: a second request for R1 waits" wait_queued b
hold d 0 -r R2
ok "UC2: a second request for R2 waits" wait_queued d
release c >/dev/null
ok "UC2: releasing R2 grants its waiter" wait_in d
ok "UC2: ... and not R1's waiter" not_in b
release a >/dev/null
wait_in b
is "$(release d b)" "0 0" "UC2: both waiters ran"
is "$(events)" "a in,c in,c out,d in,a out,b in,d out,b out" "UC2: each resource serialised on its own"

# ---- use case 3: -o 0 on a busy resource ----
new_scenario
hold a 0
wait_in a
is "$(status_of fl -o 0 -- touch "$TEST_TMP/ran3" 2>"$TEST_TMP/err3")" 98 "UC3: -o 0 on a busy resource exits 98"
is "$(cat "$TEST_TMP/err3")" "$BUSY_MSG" "UC3: ... with the original's message, alone on stderr"
ok "UC3: ... without running the command" test ! -e "$TEST_TMP/ran3"
hold b 0
ok "UC3: a later request without -o waits" wait_queued b
release a >/dev/null
wait_in b
release b >/dev/null
is "$(events)" "a in,a out,b in,b out" "UC3: the busy attempt left no trace in the queue"
is "$(status_of fl -o 0 -- true)" 0 "UC3: -o 0 on a free resource is granted"

# ---- use case 4: -o 1000 ----
new_scenario
hold a 0
wait_in a
t0=$(now_ms)
is "$(status_of fl -o 1000 -- touch "$TEST_TMP/ran4" 2>"$TEST_TMP/err4")" 98 "UC4: -o 1000 on a held resource exits 98"
t1=$(now_ms)
ok "UC4: ... after at least 1000 ms (took $((t1 - t0)) ms)" test $((t1 - t0)) -ge 1000
is "$(cat "$TEST_TMP/err4")" "The lock was not obtained because timeout (1000 milliseconds) expired" \
	"UC4: the timeout message is the only line on stderr"
ok "UC4: ... the command did not run" test ! -e "$TEST_TMP/ran4"
ok "UC4: ... and the holder still holds" holding a
hold b 0 -o 20000
ok "UC4: a waiter with -o 20000 is queued" wait_queued b
release a >/dev/null
ok "UC4: ... and granted when the holder releases, before its timeout" wait_in b
is "$(release b)" 0 "UC4: ... and exits with its command's status"
is "$(status_of fl -o 1000 -- true)" 0 "UC4: -o 1000 on a free resource is granted"

# ---- use case 5: lock modes ----
# The matrix (held mode on the left, requested on top), Y = granted at once.
new_scenario
MODES="NL CR CW PR PW EX"
declare -A COMPAT=(
	[NL]="Y Y Y Y Y Y"
	[CR]="Y Y Y Y Y N"
	[CW]="Y Y Y N N N"
	[PR]="Y Y N Y N N"
	[PW]="Y Y N N N N"
	[EX]="Y N N N N N"
)
for held in $MODES; do
	hold "h$held" 0 -r MATRIX -l "$held"
	wait_in "h$held"
	row="" msgs_ok=1
	for req in $MODES; do
		st=$(status_of fl -r MATRIX -l "$req" -o 0 -- true 2>"$TEST_TMP/err5")
		case $st in
		0) row="$row Y" ;;
		98) row="$row N"
		    [ "$(cat "$TEST_TMP/err5")" = "$BUSY_MSG" ] || msgs_ok=0 ;;
		*) row="$row ?$st" ;;
		esac
	done
	is "${row# }" "${COMPAT[$held]}" "UC5: $held held: NL CR CW PR PW EX requested with -o 0"
	is "$msgs_ok" 1 "UC5: $held held: every refusal says '$BUSY_MSG'"
	release "h$held" >/dev/null
done

# Compatible holders really hold together (7/9-9/9): both commands run.
new_scenario
n=0 expected=""
for pair in "NL EX" "CR PW" "CW CW" "PR PR" "CR CR" "NL NL"; do
	set -- $pair
	n=$((n + 1))
	hold "x$n" 0 -r PAIR -l "$1"
	wait_in "x$n"
	hold "y$n" 0 -r PAIR -l "$2"
	ok "UC5: $1 held, $2 granted at once while it holds" wait_in "y$n"
	release "y$n" "x$n" >/dev/null
	expected="$expected${expected:+,}x$n in,y$n in,y$n out,x$n out"
done
is "$(events)" "$expected" "UC5: compatible pairs ran concurrently"

# 1/9 adapted: PR held, PW queued; a later PR must not overtake the PW.
new_scenario
hold r1 0 -r UC5 -l PR
wait_in r1
hold w3 0 -r UC5 -l PW
ok "UC5 FIFO: a PW behind a PR holder is queued" wait_queued w3
is "$(status_of fl -r UC5 -l PR -o 0 -- true 2>"$TEST_TMP/err51")" 98 \
	"UC5 FIFO: a PR newcomer with -o 0 is busy although compatible with the holder (a PW waits)"
is "$(cat "$TEST_TMP/err51")" "$BUSY_MSG" "UC5 FIFO: ... with the busy message"
is "$(status_of fl -r UC5 -l NL -o 0 -- true 2>/dev/null)" 98 "UC5 FIFO: even NL does not pass a waiter"
hold r2 0 -r UC5 -l PR
ok "UC5 FIFO: a reader arriving while a writer waits is queued, not granted" wait_queued r2
release r1 >/dev/null
ok "UC5 FIFO: the writer gets the lock when the first reader leaves" wait_in w3
ok "UC5 FIFO: the reader queued behind the writer never overtook it" not_in r2
release w3 >/dev/null
ok "UC5 FIFO: the reader is granted after the writer" wait_in r2
is "$(release r2)" 0 "UC5 FIFO: ... and exits 0"
is "$(events)" "r1 in,r1 out,w3 in,w3 out,r2 in,r2 out" "UC5 FIFO: order reader, writer, reader"

# Several waiters: granted in arrival order, the head group at once, a blocked
# head blocks everybody behind it.
new_scenario
hold e 0 -r Q -l EX
wait_in e
for w in p1 p2; do hold "$w" 0 -r Q -l PR; wait_queued "$w"; done
hold w 0 -r Q -l PW
wait_queued w
hold p3 0 -r Q -l PR
ok "FIFO: PR, PR, PW, PR queued behind EX" wait_queued p3
release e >/dev/null
ok "FIFO: releasing EX grants the two readers at the head together" wait_in p1 p2
ok "FIFO: ... not the writer behind them" not_in w
release p1 >/dev/null
is "$(status_of fl -r Q -l PR -o 0 -- true 2>/dev/null)" 98 "FIFO: a PR newcomer does not join the reader still holding"
ok "FIFO: the writer waits for the second reader" not_in w
release p2 >/dev/null
ok "FIFO: the writer runs once both readers left" wait_in w
ok "FIFO: the last reader waits behind the writer" not_in p3
release w >/dev/null
ok "FIFO: the last reader runs after the writer" wait_in p3
release p3 >/dev/null
is "$(sed -n 's/ in$//p' "$TEST_TMP/events" | sed -n '4,$p' | paste -sd,)" "w,p3" "FIFO: grant order p1 p2 | w | p3"

new_scenario
hold e0 0 -r ORDER
wait_in e0
for w in e1 e2 e3 e4; do
	hold "$w" 0 -r ORDER -l EX
	wait_queued "$w"
done
for i in 0 1 2 3; do
	release "e$i" >/dev/null
	wait_in "e$((i + 1))"
done
release e4 >/dev/null
is "$(sed -n 's/ in$//p' "$TEST_TMP/events" | paste -sd,)" "e0,e1,e2,e3,e4" "FIFO: exclusive waiters served in arrival order"

# ---- use case 6: different sockets, different daemons ----
new_scenario
F2=(-s "$TEST_TMP/sock2")
hold a 0
wait_in a
is "$(status_of fl -o 0 -- true 2>/dev/null)" 98 "UC6: the first daemon's resource is busy"
is "$(status_of "$FLOM_BIN" "${F2[@]}" -o 0 -- true)" 0 "UC6: the same resource on another socket is free"
hold b 0
ok "UC6: a waiter on the first socket is queued" wait_queued b
F1=("${F[@]}") F=("${F2[@]}")
hold c 0
F=("${F1[@]}")
ok "UC6: the other daemon grants its request meanwhile" wait_in c
release c a >/dev/null
wait_in b
release b >/dev/null
is "$(events)" "a in,c in,c out,a out,b in,b out" "UC6: the daemons are independent"
"$FLOM_BIN" "${F2[@]}" -X >/dev/null 2>&1

done_testing
