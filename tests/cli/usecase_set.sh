#!/bin/bash
# Set resources a.b.c (reference §10.11, use cases 12 and 13): each element is
# held by one user, the granted element is appended as the command's last
# argument (and given in FLOM_LOCKED_ELEMENT); the next scan starts one
# position after the previous start, whatever element was taken (§4.3).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

fl() { "$FLOM_BIN" "${F[@]}" "$@"; }
RGB=red.green.blue

# ---- use case 12: three users get the three elements ----
for id in s1 s2 s3; do
	hold "$id" 0 -r "$RGB"
	wait_in "$id"
done
is "$(element_of s1) $(element_of s2) $(element_of s3)" "red green blue" "UC12: elements in order, as the last argument"
is "$(env_of s2 FLOM_LOCKED_ELEMENT)" green "UC12: FLOM_LOCKED_ELEMENT is the element"
is "$(env_of s2 FLOM_RESOURCE_NAME)" "$RGB" "UC12: FLOM_RESOURCE_NAME is the set"

# ---- use case 13 (1/2): all taken ----
is "$(status_of fl -r "$RGB" -o 0 -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 98 "UC13: -o 0 when every element is held: 98"
is "$(cat "$TEST_TMP/e")" "Resource already locked, the lock cannot be obtained" "UC13: ... with the busy message"
ok "UC13: ... without running the command" test ! -e "$TEST_TMP/ran"
is "$(release s1 s2 s3)" "0 0 0" "UC12: all exit 0"
is "$(fl -r "$RGB" -- echo)" red "UC13: after all left, the next user gets red (a refused request does not turn the index)"

# ---- use case 13 (2/2): the scan starts at the index ----
# index 0 -> red (1), green (2), blue (0); green released; the next scan
# starts at red (busy) and takes green.
new_scenario
R=apple.pear.plum
for id in t1 t2 t3; do hold "$id" 0 -r "$R"; wait_in "$id"; done
release t2 >/dev/null
hold t4 0 -r "$R"
wait_in t4
is "$(element_of t4)" pear "UC13: the freed element is found from the index on"
release t1 t3 t4 >/dev/null

# Rotation with nobody holding: the start moves one step per grant.
new_scenario
got=""
for i in 1 2 3 4 5; do got="$got $(fl -r x.y.z -- echo)"; done
is "${got# }" "x y z x y" "rotation: successive users of x.y.z get x y z x y"
is "$(fl -r x.y.z -- sh -c 'echo "$FLOM_LOCKED_ELEMENT $# $1 $2" ' a1 a2)" "z 2 a2 z" \
	"rotation: the element is appended after the command's own arguments"

# A waiter gets whichever element is released first; waiters in order.
new_scenario
S=one.two
hold u1 0 -r "$S"
hold u2 0 -r "$S"
wait_in u1 u2
hold u3 0 -r "$S"
ok "a third user of a two-element set waits" wait_queued u3
hold u4 0 -r "$S"
ok "and a fourth behind it" wait_queued u4
e2=$(element_of u2)
release u2 >/dev/null
ok "releasing one element grants the first waiter" wait_in u3
is "$(element_of u3)" "$e2" "... with the element just released"
ok "... and not the second waiter" not_in u4
release u1 >/dev/null
ok "the second waiter gets the other element" wait_in u4
release u3 u4 >/dev/null

# -V prints the element on stdout (reference §3.2); no line without -V.
new_scenario
is "$(fl -V -r pq.rs -- true | grep '^Locked element')" "Locked element is 'pq'" "-V: Locked element is 'pq'"
is "$(fl -r pq.rs -- true)" "" "without -V flom prints nothing on stdout"

# A simple resource has no element.
hold plain 0 -r plain
wait_in plain
is "$(element_of plain)" "" "a simple resource appends no argument"
ok "... and sets no FLOM_LOCKED_ELEMENT" sh -c "! grep -q FLOM_LOCKED_ELEMENT '$TEST_TMP/env.plain'"
release plain >/dev/null

# Names that are not sets.
for name in red. .red red..green 're d.green' red.gr-een; do
	is "$(status_of fl -r "$name" -- true 2>"$TEST_TMP/e")" 99 "-r '$name': invalid, 99"
	ok "-r '$name': ... with a message on stderr" test -s "$TEST_TMP/e"
done

done_testing
