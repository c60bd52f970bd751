#!/bin/bash
# Sequence resources (reference §10.13, use case 18): _s_name[N] hands out
# 1, 2, 3... to up to N holders at once, the value appended as the command's
# last argument; transactional _S_name[N] takes a value back when the command
# failed (non-zero status, killed by a signal, or the client vanished) and
# hands it out again before new ones. The value sequences are the original's.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

fl() { "$FLOM_BIN" "${F[@]}" "$@"; }

# ---- 1/6: three sequential users ----
is "$(for i in 1 2 3; do fl -i 1000 -r '_s_a[1]' -- echo; done | paste -sd' ')" "1 2 3" \
	"UC18 1/6: _s_a[1] used three times in a row: 1 2 3"

# ---- 2/6: overlapping users get values in grant order ----
new_scenario
hold q1 0 -i 1000 -r '_s_b[1]'
wait_in q1
for id in q2 q3 q4; do hold "$id" 0 -i 1000 -r '_s_b[1]'; wait_queued "$id"; done
for i in 1 2 3; do
	release "q$i" >/dev/null
	wait_in "q$((i + 1))"
done
release q4 >/dev/null
is "$(events | tr , '\n' | sed -n 's/ in \(.*\)/=\1/p' | paste -sd' ')" "q1=1 q2=2 q3=3 q4=4" \
	"UC18 2/6: four overlapping users of _s_b[1], one at a time, values 1 2 3 4 in order"

# ---- 3/6 and 4/6: thirteen commands, some failing ----
# (true, echo, false as in the original; the echo lines are the values seen)
CMDS="true true true echo true true echo false echo false echo true echo"
run13() {
	local name=$1 c rcs=""
	for c in $CMDS; do
		fl -i 1000 -r "$name" -- "$c"
		rcs="$rcs$?"
	done >"$TEST_TMP/out13"
	echo "$rcs"
}
is "$(run13 '_S_a[1]')" 0000000101000 "UC18 3/6: flom exits with each command's status"
is "$(paste -sd' ' "$TEST_TMP/out13")" "4 7 8 9 11" "UC18 3/6: transactional _S_a[1]: failed values reused: 4 7 8 9 11"
is "$(run13 '_s_c[1]')" 0000000101000 "UC18 4/6: flom exits with each command's status"
is "$(paste -sd' ' "$TEST_TMP/out13")" "4 7 9 11 13" "UC18 4/6: non-transactional _s_c[1]: no reuse: 4 7 9 11 13"

# ---- 5/6: _s_a[3], exits 0 1 0 0, then a fifth user ----
new_scenario
for id in h1 h2 h3; do hold "$id" "$([ $id = h2 ] && echo 1 || echo 0)" -r '_s_d[3]'; wait_in "$id"; done
hold h4 0 -r '_s_d[3]'
ok "UC18 5/6: a fourth user of _s_d[3] waits" wait_queued h4
is "$(release h2)" 1 "UC18 5/6: the second exits 1"
ok "UC18 5/6: ... and the fourth takes its place" wait_in h4
is "$(release h4 h1 h3)" "0 0 0" "UC18 5/6: the others exit 0"
is "$(fl -r '_s_d[3]' -- echo)" 5 "UC18 5/6: a fifth user gets 5 (no reuse, the resource outlived its users)"
is "$(for id in h1 h2 h3 h4; do element_of $id; done | paste -sd' ')" "1 2 3 4" "UC18 5/6: values 1 2 3 4"
is "$(events | tr , '\n' | grep ' out$' | sed 's/ out//' | paste -sd' ')" "h2 h4 h1 h3" "UC18 5/6: releases in the original's order"

# ---- 6/6: _S_a[3], exits 0 1 1 0 0, then a sixth and a seventh ----
new_scenario
S='_S_e[3]'
hold g1 0 -r "$S"; wait_in g1
hold g2 1 -r "$S"; wait_in g2
hold g3 1 -r "$S"; wait_in g3
hold g4 0 -r "$S"; wait_queued g4
hold g5 0 -r "$S"; wait_queued g5
is "$(release g2)" 1 "UC18 6/6: the second fails (1)"
wait_in g4
is "$(element_of g4)" 2 "UC18 6/6: the value rolled back (2) goes to the first waiter"
release g1 >/dev/null
wait_in g5
is "$(element_of g5)" 4 "UC18 6/6: a committed release (1) frees a slot: the next waiter gets a new value (4)"
is "$(release g4 g5 g3)" "0 0 1" "UC18 6/6: exits 0 0 1"
is "$(fl -r "$S" -- echo)" 3 "UC18 6/6: the sixth user gets 3, rolled back by the third"
is "$(fl -r "$S" -- echo)" 5 "UC18 6/6: the seventh gets 5"

# ---- a command killed by a signal fails: its value comes back ----
new_scenario
hold k1 0 -r '_S_k[1]'
wait_in k1
kill -TERM "$(cat "$TEST_TMP/cmdpid.k1")"
is "$(rc_of k1)" 143 "a command killed by SIGTERM: flom exits 128+15"
is "$(fl -r '_S_k[1]' -- echo)" 1 "... and the transactional value 1 is handed out again"
hold k2 0 -r '_s_k[1]'
wait_in k2
kill -TERM "$(cat "$TEST_TMP/cmdpid.k2")"
rc_of k2 >/dev/null
is "$(fl -r '_s_k[1]' -- echo)" 2 "a non-transactional value is not reused after a kill"

# ---- the client vanished without unlocking: rolled back too ----
# (once its command, which keeps the lock connection, ended too)
hold v1 0 -r '_S_v[1]'
wait_in v1
kill -KILL "$(cat "$TEST_TMP/pid.v1")"
rc_of v1 >/dev/null
go v1
ok "a killed client's lock is released" \
	sh -c "[ \"\$('$FLOM_BIN' -s '$SOCK' -o 5000 -r '_S_v[1]' -- echo)\" = 1 ]"

# ---- several holders at once ----
new_scenario
hold m1 0 -r '_s_m[2]'
hold m2 0 -r '_s_m[2]'
wait_in m1 m2
is "$(printf '%s\n' "$(element_of m1)" "$(element_of m2)" | sort | paste -sd' ')" "1 2" "_s_m[2]: two holders at once get 1 and 2"
is "$(env_of m1 FLOM_LOCKED_ELEMENT)" "$(element_of m1)" "FLOM_LOCKED_ELEMENT is the value"
is "$(env_of m1 FLOM_RESOURCE_NAME)" "_s_m[2]" "FLOM_RESOURCE_NAME is the sequence"
is "$(status_of fl -r '_s_m[2]' -o 0 -- true 2>/dev/null)" 98 "_s_m[2]: a third with -o 0 is busy"
release m1 m2 >/dev/null
is "$(fl -r '_s_m[2]' -- echo)" 3 "_s_m[2]: the busy request took no value"

# Modes and quantities do not apply: -l PR is forced to EX.
is "$(fl -l PR -r '_s_x[1]' -- sh -c "'$FLOM_BIN' -s '$SOCK' -l PR -o 0 -r '_s_x[1]' -- true 2>/dev/null; echo \$?" | head -n1)" 98 \
	"a sequence ignores -l PR: a second PR user is busy"

for name in '_s_a' '_s_a[0]' '_s_[1]' '_x_a[1]' '_s_a-b[1]' '_S_1a[1]'; do
	is "$(status_of fl -r "$name" -- true 2>"$TEST_TMP/e")" 99 "-r '$name': invalid, 99"
	ok "-r '$name': ... with a message on stderr" test -s "$TEST_TMP/e"
done

done_testing
