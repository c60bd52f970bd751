#!/bin/bash
# Numeric resources name[N] (reference §10.10, use cases 10 and 11): N units,
# -q units per request, nested flom. Strict FIFO: a request that fits in the
# free units still waits behind an earlier one that does not (the original
# lets it pass). -q above N can never be granted: 99 with a message; -q 0 or
# negative: 99 (the original silently ignored them).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

fl() { "$FLOM_BIN" "${F[@]}" "$@"; }
BUSY_MSG='Resource already locked, the lock cannot be obtained'

# ---- use case 10 (1/3): three users, two units ----
hold n1 0 -r 'foo[2]'
hold n2 0 -r 'foo[2]'
ok "UC10: two holders of foo[2] at once" wait_in n1 n2
hold n3 0 -r 'foo[2]'
ok "UC10: the third waits" wait_queued n3
release n1 >/dev/null
ok "UC10: the third gets the unit the first released" wait_in n3
is "$(release n2 n3)" "0 0" "UC10: all exit 0"
is "$(events | sed 's/n[12] in,n[12] in/n1 n2 in/')" "n1 n2 in,n1 out,n3 in,n2 out,n3 out" "UC10: order"

# ---- use case 10 (2/3): -q 2 takes both units ----
new_scenario
hold a 0 -r 'foo[2]' -q 2
wait_in a
is "$(status_of fl -r 'foo[2]' -q 2 -o 0 -- true 2>"$TEST_TMP/e")" 98 "UC10: -q 2 -o 0 while 2 of 2 units are held: 98"
is "$(cat "$TEST_TMP/e")" "$BUSY_MSG" "UC10: ... with the busy message"
is "$(status_of fl -r 'foo[2]' -q 1 -o 0 -- true 2>/dev/null)" 98 "UC10: -q 1 -o 0 as well"
is "$(status_of fl -r 'foo[3]' -q 3 -o 0 -- true)" 0 "UC10: foo[3] is another resource"
release a >/dev/null

# ---- use case 10 (3/3): -q 2 waits for two holders; FIFO behind it ----
new_scenario
hold a 0 -r 'foo[2]'
hold b 0 -r 'foo[2]'
wait_in a b
is "$(status_of fl -r 'foo[2]' -o 0 -- true 2>/dev/null)" 98 "UC10: -o 0 while both units are held: 98"
hold c 0 -r 'foo[2]' -q 2
ok "UC10: -q 2 waits" wait_queued c
release a >/dev/null
ok "UC10: one free unit is not enough for -q 2" not_in c
hold d 0 -r 'foo[2]'
ok "UC10 FIFO: a -q 1 request arriving now waits behind the -q 2 one although a unit is free" wait_queued d
is "$(status_of fl -r 'foo[2]' -o 0 -- true 2>/dev/null)" 98 "UC10 FIFO: so does a -q 1 -o 0 (busy)"
release b >/dev/null
ok "UC10: -q 2 is granted when both units are free" wait_in c
ok "UC10 FIFO: the -q 1 behind it still waits" not_in d
release c >/dev/null
ok "UC10: then the -q 1 request" wait_in d
release d >/dev/null
is "$(events | sed 's/[ab] in,[ab] in/a b in/')" "a b in,a out,b out,c in,c out,d in,d out" "UC10: order"

# Several small requests behind a big one, granted in order once it left.
new_scenario
hold big 0 -r 'bar[3]' -q 3
wait_in big
for w in s1 s2 s3; do hold "$w" 0 -r 'bar[3]'; wait_queued "$w"; done
hold s4 0 -r 'bar[3]' -q 2
wait_queued s4
release big >/dev/null
ok "UC10: after -q 3 left, the three -q 1 waiters hold together" wait_in s1 s2 s3
ok "UC10: ... and -q 2 waits for room" not_in s4
release s1 >/dev/null
ok "UC10: one unit is not enough for -q 2" not_in s4
release s2 >/dev/null
ok "UC10: two units are" wait_in s4
release s3 s4 >/dev/null

# ---- -q errors ----
new_scenario
hold a 0 -r 'foo[2]'
wait_in a
is "$(status_of fl -r 'foo[2]' -q 3 -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 99 "-q 3 on foo[2]: never possible, 99 at once (no wait)"
is "$(cat "$TEST_TMP/e")" "Resource will never satisfy the request, the lock cannot be obtained" \
	"... with the original's message"
is "$(status_of fl -r 'foo[2]' -q 3 -o 0 -- touch "$TEST_TMP/ran" 2>/dev/null)" 99 "-q 3 -o 0 on foo[2]: 99 as well"
is "$(status_of fl -r 'foo[2]' -q 3 -o 1000 -- touch "$TEST_TMP/ran" 2>/dev/null)" 99 "-q 3 -o 1000 on foo[2]: 99 as well"
is "$(status_of fl -r 'new[1]' -q 2 -- touch "$TEST_TMP/ran" 2>/dev/null)" 99 "-q 2 on a new new[1]: 99"
ok "... no command ran" test ! -e "$TEST_TMP/ran"
for q in 0 -1 -5; do
	is "$(status_of fl -r 'foo[2]' -q "$q" -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 99 "-q $q: 99"
	ok "-q $q: ... with a message on stderr" test -s "$TEST_TMP/e"
done
diag "$(cat "$TEST_TMP/e")"
ok "... no command ran" test ! -e "$TEST_TMP/ran"
for name in 'foo[0]' 'foo[]' 'foo[-1]' 'foo[2' '[2]'; do
	is "$(status_of fl -r "$name" -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 99 "-r '$name': invalid name, 99"
	ok "-r '$name': ... with a message on stderr" test -s "$TEST_TMP/e"
done
ok "... no command ran" test ! -e "$TEST_TMP/ran"
release a >/dev/null
is "$(events)" "a in,a out" "the refused requests disturbed nobody"

# ---- use case 11: nested flom ----
# A PW writer on the default resource; readers take CR (compatible with PW)
# and, inside, a unit of bar[2].
new_scenario
hold wr 0 -l PW
wait_in wr
nested() { # nested ID OUTER-OPTIONS -- INNER-OPTIONS
	local id=$1 outer=()
	shift
	while [ "$1" != -- ]; do outer+=("$1"); shift; done
	shift
	run_bg "$id" "$FLOM_BIN" "${F[@]}" "${outer[@]}" -- \
		env FLOM_TRACE_MASK="$HOLD_TRACE_MASK" "$FLOM_BIN" "${F[@]}" \
		-T "$TEST_TMP/trace.$id" "$@" -- "$HOLDER" "$id" 0
}
nested r1 -l CR -- -r 'bar[2]'
nested r2 -l CR -- -r 'bar[2]'
ok "UC11: two readers hold CR beside the PW writer, and a unit of bar[2] each" wait_in r1 r2
nested r3 -l CR -- -r 'bar[2]'
ok "UC11: the third reader's inner flom waits for a unit" wait_queued r3
release r1 >/dev/null
ok "UC11: ... and gets it when the first reader leaves" wait_in r3
is "$(release r2 r3)" "0 0" "UC11: the outer flom exits with the inner status"
ok "UC11: the writer held all along" holding wr
release wr >/dev/null
is "$(events | sed 's/r[12] in,r[12] in/r1 r2 in/')" "wr in,r1 r2 in,r1 out,r3 in,r2 out,r3 out,wr out" "UC11: order"

# 2/2: the third inner flom has -o 0: 98 through both levels.
new_scenario
nested r1 -l CR -- -r 'bar[2]'
nested r2 -l CR -- -r 'bar[2]'
wait_in r1 r2
is "$(status_of fl -l CR -- "$FLOM_BIN" "${F[@]}" -r 'bar[2]' -o 0 -- true 2>"$TEST_TMP/e")" 98 \
	"UC11: the inner -o 0 refusal (98) is the outer flom's status"
is "$(cat "$TEST_TMP/e")" "$BUSY_MSG" "UC11: ... with the inner busy message only"
release r1 r2 >/dev/null

done_testing
