#!/bin/bash
# Long-term resources (reference §10.16, use cases 16 and 17): -e no asks for
# a resource without creating it. Missing, the request is parked in the
# daemon's incubator until another request creates the resource (creator
# served first, then the parked ones in arrival order), or refused with 96
# when it cannot wait (-o 0). -i keeps a resource, and its state, alive that
# long after its last user.
#
# The original ran some of these over multicast discovery: here they run over
# the UNIX socket (network modes have their own tests), and over TCP
# (-a 127.0.0.1 -p PORT) where the original used TCP.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

PORT=$(free_tcp_port)
T=(-a 127.0.0.1 -p "$PORT")
L=(-s "$TEST_TMP/sock_life" -d 1000)
U=("${F[@]}")
stop_other_daemons() {
	[ -n "${FLOM_ISOLATED:-}" ] && return 0
	"$FLOM_BIN" "${T[@]}" -X >/dev/null 2>&1
	"$FLOM_BIN" "${L[@]}" -X >/dev/null 2>&1
	return 0
}
CLEANUP_HOOKS="$CLEANUP_HOOKS stop_other_daemons"
over_unix() { F=("${U[@]}"); }
over_tcp() { F=("${T[@]}"); }
fl() { "$FLOM_BIN" "${F[@]}" "$@"; }
CANT_WAIT_MSG="The resource could be available in the future, but the requester can't wait"
# The original suite uses -i 2000; 6000 leaves room for a slow client between
# two steps on a loaded machine (nothing here waits for the expiry).

# ---- idle lifespan: a resource and its state live -i ms after the last user ----
# Its own daemon (-d 1000) exits only once the resource expired: the moment
# it stops listening tells when, without touching the resource. It runs in
# the background while the other scenarios go on (its waits are long).
idle_scenario() {
	local life_socket=$TEST_TMP/sock_life o=$TEST_TMP/idle t0 t1
	"$FLOM_BIN" "${L[@]}" -i 8000 -r '_s_life[1]' -- echo >"$o.v1" 2>&1
	t0=$(now_ms)
	let_time_pass_until $((t0 + 1500))
	# Before the second use: its release (the start of the idle time) comes
	# later, however slowly this client exits (sanitizers).
	t1=$(now_ms)
	"$FLOM_BIN" "${L[@]}" -e n -o 0 -r '_s_life[1]' -- echo >"$o.v2" 2>&1
	wait_for 25 sh -c "! grep -q ' $life_socket\$' /proc/net/unix"
	echo $? >"$o.gone"
	echo $(( $(now_ms) - t1 )) >"$o.idle_ms"
	status_of "$FLOM_BIN" "${L[@]}" -e n -o 0 -r '_s_life[1]' -- true >"$o.v3" 2>/dev/null
	"$FLOM_BIN" "${L[@]}" -r '_s_life[1]' -- echo >"$o.v4" 2>&1
}
idle_scenario &
IDLE_PID=$!
STARTED_PIDS="$STARTED_PIDS $IDLE_PID"

# ---- 16 1/8: -e n on an existing resource just waits for it ----
hold a 0 -e y -r LT1
wait_in a
hold b 0 -e n -r LT1
ok "UC16 1/8: -e n on an existing, held resource is queued" wait_queued b
release a >/dev/null
wait_in b
is "$(release b)" 0 "UC16 1/8: ... and runs after the holder"
is "$(events)" "a in,a out,b in,b out" "UC16 1/8: order"

# ---- 16 2/8: parked, then created: the creator first ----
new_scenario
hold b 0 -e n -r 'ABC[1]'
ok "UC16 2/8: -e n on a missing resource is parked" wait_queued b
is "$(status_of fl -e n -o 0 -r 'ABC[1]' -- true 2>/dev/null)" 96 "UC16 2/8: a parked request does not create the resource (-e n -o 0: 96)"
hold a 0 -e y -r 'ABC[1]'
ok "UC16 2/8: the creating request is granted first" wait_in a
ok "UC16 2/8: ... the parked one now waits for the unit" not_in b
release a >/dev/null
ok "UC16 2/8: ... and gets it after the creator" wait_in b
release b >/dev/null
is "$(events)" "a in,a out,b in,b out" "UC16 2/8: order"

# ---- 16 3/8 and 4/8: cannot wait, or not for long ----
is "$(status_of fl -e n -o 0 -r B.C.D -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 96 "UC16 3/8: -e n -o 0 on a missing resource: 96"
is "$(cat "$TEST_TMP/e")" "$CANT_WAIT_MSG" "UC16 3/8: ... with the original's message"
t0=$(now_ms)
is "$(status_of fl -e n -o 500 -r /CDE -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 98 "UC16 4/8: -e n -o 500 on a missing resource: 98"
ok "UC16 4/8: ... after 500 ms at least" test $(( $(now_ms) - t0 )) -ge 500
is "$(cat "$TEST_TMP/e")" "The lock was not obtained because timeout (500 milliseconds) expired" "UC16 4/8: ... with the timeout message"
ok "UC16 3/8, 4/8: no command ran" test ! -e "$TEST_TMP/ran"
is "$(status_of fl -e n -o 0 -r /CDE -- true 2>/dev/null)" 96 "UC16 4/8: the request that gave up left nothing behind"

# ---- 16 5/8 (TCP): CR, CW, PR parked; a PW creates with -i 6000 ----
new_scenario
over_tcp
hold p1 0 -e n -l CR -r RES
wait_queued p1
hold p2 0 -e n -l CW -r RES
wait_queued p2
hold p3 0 -e n -l PR -r RES
ok "UC16 5/8: three -e n requests parked (TCP)" wait_queued p3
hold c 0 -e y -l PW -i 6000 -r RES
ok "UC16 5/8: the PW creator and the first parked CR (compatible) hold together" wait_in c p1
ok "UC16 5/8: the CW waits (PW held), the PR behind it" not_in p2
release c >/dev/null
ok "UC16 5/8: once the PW left, the CW joins the CR" wait_in p2
ok "UC16 5/8: ... and the PR still waits (CW held)" not_in p3
release p2 >/dev/null
ok "UC16 5/8: the PR runs once the CW left" wait_in p3
is "$(release p1 p3)" "0 0" "UC16 5/8: all ran"
is "$(status_of fl -e n -l EX -o 0 -r RES -- true)" 0 "UC16 5/8: the resource outlives its users: -e n -l EX -o 0 granted"

# ---- 16 6/8: the same with N[2] ----
new_scenario
over_unix
for p in p1 p2 p3; do hold "$p" 0 -e n -r 'N[2]'; wait_queued "$p"; done
hold c 0 -e y -i 6000 -r 'N[2]'
ok "UC16 6/8: the creator and the first parked request share N[2]" wait_in c p1
ok "UC16 6/8: the others wait" not_in p2
release c >/dev/null
ok "UC16 6/8: the second parked one follows" wait_in p2
ok "UC16 6/8: ... not the third" not_in p3
release p1 >/dev/null
ok "UC16 6/8: the third last" wait_in p3
release p2 p3 >/dev/null
is "$(status_of fl -e n -o 0 -r 'N[2]' -- true)" 0 "UC16 6/8: N[2] outlives its users"

# ---- 16 7/8 (TCP): the same with the set B.C.D ----
new_scenario
over_tcp
for p in p1 p2 p3; do hold "$p" 0 -e n -r B.C.D; wait_queued "$p"; done
hold c 0 -e y -i 6000 -r B.C.D
ok "UC16 7/8: the creator and two parked requests take the three elements" wait_in c p1 p2
is "$(element_of c) $(element_of p1) $(element_of p2)" "B C D" "UC16 7/8: creator B, then C and D"
ok "UC16 7/8: the third parked request waits" not_in p3
release p1 >/dev/null
ok "UC16 7/8: ... and gets the element released" wait_in p3
is "$(element_of p3)" C "UC16 7/8: C"
release c p2 p3 >/dev/null

# ---- 16 8/8: hierarchical, /res created by its root ----
new_scenario
over_unix
for p in p1:/res/res p2:/res/foo p3:/res/bar; do
	hold "${p%%:*}" 0 -e n -r "${p#*:}"
	wait_queued "${p%%:*}"
done
hold c 0 -e y -i 6000 -r /res
ok "UC16 8/8: /res created and held" wait_in c
ok "UC16 8/8: its parked descendants wait for it" not_in p1
release c >/dev/null
ok "UC16 8/8: then the three siblings hold together" wait_in p1 p2 p3
release p1 p2 p3 >/dev/null

# ---- use case 17: -e n and hierarchical roots ----
is "$(status_of fl -e y -i 6000 -r /foo -- true)" 0 "UC17 1/2: -e y -r /foo -i 6000"
is "$(status_of fl -e n -o 500 -r /bar -- true 2>/dev/null)" 98 "UC17 1/2: -e n -r /bar -o 500 (another root): 98"
is "$(status_of fl -e n -o 500 -r /foo -- true)" 0 "UC17 1/2: -e n -r /foo -o 500: 0"
is "$(status_of fl -e y -i 6000 -r /bar -- true)" 0 "UC17 2/2: -e y -r /bar -i 6000"
is "$(status_of fl -e n -o 500 -r /bar/foo -- true)" 0 "UC17 2/2: -e n -r /bar/foo: the root exists, 0"
let_time_pass_until $(( $(now_ms) + 1200 ))
is "$(status_of fl -e n -o 500 -r /bar/foo/goofy -- true)" 0 "UC17 2/2: -e n -r /bar/foo/goofy 1.2 s later: 0"

wait "$IDLE_PID"
o=$TEST_TMP/idle
is "$(cat "$o.v1")" 1 "-i 8000: first value 1"
is "$(cat "$o.v2")" 2 "-i 8000: 1.5 s idle later, the sequence goes on (2)"
is "$(cat "$o.gone")" 0 "-i 8000: the daemon exits once the resource expired"
ok "-i 8000: ... not before 8000 ms idle (after $(cat "$o.idle_ms") ms)" test "$(cat "$o.idle_ms")" -ge 8000
is "$(cat "$o.v3")" 96 "-i 8000: afterwards the resource is gone (-e n -o 0: 96)"
is "$(cat "$o.v4")" 1 "-i 8000: ... and a new one starts again at 1"

done_testing
