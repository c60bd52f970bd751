#!/bin/bash
# Robustness: whatever arrives on its sockets, the daemon keeps serving
# everyone else (issue #6, item 4). A table of malformed inputs goes to one
# live daemon over its UNIX socket and over TCP 127.0.0.1; after each one a
# normal client must lock at once, and at the end the daemon is the same
# process. Then a slow drip and half-sent messages run while a normal client
# locks, and (in a private network) garbage datagrams hit the discovery port.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

[ -x "$FLOM_SEND" ] || skip_all "flom_send not built ($FLOM_SEND)"

H='<?xml version="1.0" encoding="UTF-8" ?>'
PEER=0123456789abcdef0123456789abcdef
SESSION="<session peerid=\"$PEER\"/>"
b64() { printf '%s' "$1" | base64 -w0; }
RES=$(b64 robust)     # the table's resource; normal clients use _RESOURCE
NUM=$(b64 'num[2]')
# lock_msg RESOURCE_ATTRS [VERB STEP LEVEL]
lock_msg() {
	printf '%s<msg level="%s" verb="%s" step="%s">%s<resource %s/></msg>' \
		"$H" "${4:-3}" "${2:-1}" "${3:-8}" "$SESSION" "$1"
}
LOCK=$(lock_msg "name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"")
UNLOCK="$H<msg level=\"3\" verb=\"2\" step=\"8\"><resource name=\"$RES\" rollback=\"0\" /></msg>"
lock_attrs() { lock_msg "name=\"$RES\" $1"; }
num_attrs() { lock_msg "name=\"$NUM\" $1"; }

# Deterministic binary garbage (NUL and high bytes included), as \xHH
# escapes for flom_send -m.
garbage() {
	local n=$1 x=$2 i hex out=
	for ((i = 0; i < n; i++)); do
		x=$(( (x * 1103515245 + 12345) % 2147483648 ))
		printf -v hex '\\x%02x' $(( (x >> 16) & 255 ))
		out+=$hex
	done
	printf '%s' "$out"
}
repeat() { local i out=; for ((i = 0; i < $2; i++)); do out+=$1; done; printf '%s' "$out"; }
# N copies of one character, fast.
chars() { head -c "$2" /dev/zero | tr '\0' "$1"; }

LONG_NAME=$(b64 "$(chars a 1100)")
NEST="$(repeat '<a>' 500)$(repeat '</a>' 500)"
BIG_PEER=$(chars p 5000)
# A lock request padded with blanks inside its last tag to LEN bytes.
padded_lock() {
	local head="${LOCK%/></msg>}"
	printf '%s%s/></msg>' "$head" "$(chars ' ' $(( $1 - ${#LOCK} )))"
}

# ---- one case ----
# run_case NAME EXPECT FLOM_SEND_ARGS...
#   refused: the daemon closes the connection and grants nothing
#   closed:  the daemon closes the connection (it may answer first)
#   granted: the daemon grants (rc="0") and closes after our EOF
#   refusal: a well-formed request the daemon answers with a final refusal
#            (rc other than 0, 1, 2); it closes after our EOF at the latest
run_case() {
	local name=$1 expect=$2 rc good=1
	shift 2
	"$FLOM_SEND" -t 3000 "$@" "$TARGET" >"$TEST_TMP/case.out" 2>"$TEST_TMP/case.err"
	rc=$?
	[ "$rc" = 0 ] || good=0
	case $expect in
	refused) grep -q 'rc="0"' "$TEST_TMP/case.out" && good=0 ;;
	granted) grep -q 'rc="0"' "$TEST_TMP/case.out" || good=0 ;;
	refusal) grep -q '<answer rc="' "$TEST_TMP/case.out" && ! grep -q '<answer rc="[012]"' "$TEST_TMP/case.out" || good=0 ;;
	esac
	TAP_N=$((TAP_N + 1))
	if [ "$good" = 1 ]; then
		echo "ok $TAP_N - $TRANSPORT: $name: $expect"
	else
		echo "not ok $TAP_N - $TRANSPORT: $name: $expect"
		TAP_FAILED=$((TAP_FAILED + 1))
		diag "flom_send exit $rc (0 = closed by the daemon, 1 = still open after 3 s)"
		diag "received: $(head -c 300 "$TEST_TMP/case.out" | tr -c '[:print:]' '.')"
		diag "stderr: $(head -c 300 "$TEST_TMP/case.err")"
	fi
	normal_client "$name"
}

# A normal client must lock at once, without starting a daemon (-d 0).
normal_client() {
	local rc
	"$FLOM_BIN" $CONN -d 0 -o 2000 -- true 2>"$TEST_TMP/normal.err"
	rc=$?
	is "$rc" 0 "$TRANSPORT: after $1: a normal client locks"
	[ "$rc" = 0 ] || diag "stderr: $(cat "$TEST_TMP/normal.err")"
}

the_table() {
	run_case "connect then EOF" refused -S
	run_case "only the trailer" refused -m '</msg>'
	run_case "text that is not XML" refused -m 'hello daemon</msg>'
	run_case "XML declaration and trailer only" refused -m "$H</msg>"
	run_case "empty msg element" refused -m "$H<msg></msg>"
	run_case "truncated lock then EOF" refused -m "$LOCK" -c 70 -S
	run_case "truncated inside an attribute then EOF" refused -m "$LOCK" -c 150 -S
	run_case "unterminated start tag" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\"</msg>"
	run_case "unclosed element" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"$PEER\"><resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
	run_case "mismatched end tag" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\">$SESSION<resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"></session></msg>"
	run_case "unterminated attribute value" refused -m "$H<msg level=\"3 verb=\"1\" step=\"8\">$SESSION</msg>"
	run_case "duplicate attribute" refused -m "$(lock_attrs 'mode="5" mode="0" wait="1" create="1" lifespan="0"')"
	run_case "wrong level 2" refused -m "$(lock_msg "name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"" 1 8 2)"
	run_case "level out of range" refused -m "$(lock_msg "name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"" 1 8 99999999999999999999)"
	run_case "no verb" refused -m "$H<msg level=\"3\" step=\"8\">$SESSION<resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
	run_case "unknown verb 9" refused -m "$(lock_msg "name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"" 9 8)"
	run_case "unknown step 12" refused -m "$(lock_msg "name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"" 1 12)"
	run_case "negative step" refused -m "$(lock_msg "name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"" 1 -8)"
	run_case "daemon-side lock answer (step 16)" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"16\">$SESSION<answer rc=\"0\"/></msg>"
	run_case "daemon-side grant (step 24)" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"24\"><answer rc=\"0\"/></msg>"
	run_case "discovery reply on a stream" refused -m "$H<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"1\"/></msg>"
	run_case "discovery request on a stream" refused -m "$H<msg level=\"3\" verb=\"4\" step=\"8\"></msg>"
	run_case "unlock as first message" refused -m "$UNLOCK"
	run_case "ping (step 16) as first message" refused -m "$H<msg level=\"3\" verb=\"3\" step=\"16\"></msg>"
	run_case "daemon-side ping (step 8)" refused -m "$H<msg level=\"3\" verb=\"3\" step=\"8\"></msg>"
	run_case "management without shutdown element" refused -m "$H<msg level=\"3\" verb=\"5\" step=\"8\">$SESSION</msg>"
	run_case "management with non-numeric immediate" refused -m "$H<msg level=\"3\" verb=\"5\" step=\"8\">$SESSION<shutdown immediate=\"soon\"/></msg>"
	run_case "mode 9" refused -m "$(lock_attrs 'mode="9" wait="1" create="1" lifespan="0"')"
	run_case "mode -1" refused -m "$(lock_attrs 'mode="-1" wait="1" create="1" lifespan="0"')"
	run_case "mode with trailing junk" refused -m "$(lock_attrs 'mode="5x" wait="1" create="1" lifespan="0"')"
	run_case "wait 2" refused -m "$(lock_attrs 'mode="5" wait="2" create="1" lifespan="0"')"
	run_case "create 7" refused -m "$(lock_attrs 'mode="5" wait="1" create="7" lifespan="0"')"
	run_case "negative lifespan" refused -m "$(lock_attrs 'mode="5" wait="1" create="1" lifespan="-1"')"
	run_case "quantity 0 on a numeric resource" refused -m "$(num_attrs 'wait="1" quantity="0" create="1" lifespan="0"')"
	run_case "negative quantity on a numeric resource" refused -m "$(num_attrs 'wait="1" quantity="-5" create="1" lifespan="0"')"
	run_case "quantity beyond 32 bits" refused -m "$(num_attrs 'wait="1" quantity="4294967297" create="1" lifespan="0"')"
	run_case "rollback attribute in a lock" refused -m "$(lock_attrs 'mode="5" wait="1" create="1" lifespan="0" rollback="1"')"
	run_case "name that is not base64" refused -m "$(lock_msg 'name="@@!!**" mode="5" wait="1" create="1" lifespan="0"')"
	run_case "empty name" refusal -S -m "$(lock_msg 'name="" mode="5" wait="1" create="1" lifespan="0"')"
	run_case "name decoding to an invalid resource name" refusal -S -m "$(lock_msg "name=\"$(b64 'a b')\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"")"
	run_case "name decoding to NUL bytes" refused -m "$(lock_msg 'name="AAAA" mode="5" wait="1" create="1" lifespan="0"')"
	run_case "name over 1024 bytes" refused -m "$(lock_msg "name=\"$LONG_NAME\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"")"
	run_case "timestamp resource without a time field" refusal -S -m "$(lock_msg "name=\"$(b64 '_t_zz[1]')\" wait=\"1\" create=\"1\" lifespan=\"0\"")"
	run_case "lock without resource element" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\">$SESSION</msg>"
	run_case "resource without name" refused -m "$(lock_msg 'mode="5" wait="1" create="1" lifespan="0"')"
	run_case "answer element inside a lock request" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\">$SESSION<resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/><answer rc=\"0\"/></msg>"
	run_case "unknown element with attributes" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\">$SESSION<resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/><evil x=\"1\"/></msg>"
	run_case "deeply nested unknown elements" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\">$SESSION$NEST<resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
	run_case "undefined entity in an attribute" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"&evil;\"/><resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
	run_case "NUL byte inside the message" refused -m "$H<msg level=\"3\"\\0 verb=\"1\" step=\"8\">$SESSION<resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
	run_case "invalid UTF-8 in an attribute" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"\\xff\\xfe\\xc0\"/><resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
	run_case "binary garbage ending in the trailer" refused -m "$GARBAGE</msg>"
	run_case "binary garbage then EOF" refused -m "$GARBAGE" -S
	run_case "exactly 4096 bytes (the cap)" granted -S -m "$(padded_lock 4096)"
	run_case "4097 bytes (one over the cap)" refused -m "$(padded_lock 4097)"
	run_case "over the 4 KiB cap without trailer" refused -m A -r 5000
	run_case "over the 4 KiB cap with trailer" refused -m "$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"$BIG_PEER\"/><resource name=\"$RES\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
	run_case "1 MiB in one write" refused -m 'x' -r 1048576
	run_case "two lock requests in one write" closed -m "$LOCK$LOCK"
	run_case "lock and garbage in one write" closed -m "$LOCK<<<>>>garbage</msg>"
	run_case "lock and unlock in one write" granted -m "$LOCK$UNLOCK" -S
}

# The drip and the half-sent messages must not stall the loop: a normal
# client locks while they are in progress.
the_stallers() {
	local pid t0 rc
	"$FLOM_SEND" -d 3 -t 500 -m "$LOCK" "$TARGET" >"$TEST_TMP/drip.out" 2>&1 &
	pid=$!
	wait_for 2 fd_count_at_least "$DPID" $((DAEMON_FDS + 1))
	"$FLOM_BIN" $CONN -d 0 -o 2000 -- true
	rc=$?
	is "$rc" 0 "$TRANSPORT: a normal client locks during a slow drip"
	ok "$TRANSPORT: ... while the drip is still going" pid_alive "$pid"
	wait "$pid"
	ok "$TRANSPORT: the dripped lock request is granted" grep -q 'rc="0"' "$TEST_TMP/drip.out"

	"$FLOM_SEND" -m "$LOCK" -c 100 -t 5000 "$TARGET" >/dev/null 2>&1 &
	pid=$!
	wait_for 2 fd_count_at_least "$DPID" $((DAEMON_FDS + 1))
	t0=$(now_ms)
	"$FLOM_BIN" $CONN -d 0 -o 2000 -- true
	is "$?" 0 "$TRANSPORT: a normal client locks while half a message is held open"
	diag "it took $(( $(now_ms) - t0 )) ms"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null

	"$FLOM_SEND" -n 200 -m "$LOCK" -c 100 "$TARGET" >"$TEST_TMP/idle.out" 2>&1 &
	pid=$!
	wait_for 10 file_has "$TEST_TMP/idle.out" "ready 200"
	"$FLOM_BIN" $CONN -d 0 -o 2000 -- true
	is "$?" 0 "$TRANSPORT: a normal client locks while 200 clients hold half a message"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}

# A holder others wait for has its messages peeked, acted on, and only then
# taken from the socket (daemon_conn.c): an unlock that arrives byte by byte
# still frees the lock once, for the one waiting, and closes the holder.
the_dripping_holder() {
	local holder rc
	"$FLOM_SEND" -d 10 -t 10000 -m "$LOCK$UNLOCK" "$TARGET" >"$TEST_TMP/dholder.out" 2>&1 &
	holder=$!
	wait_for 10 sh -c "'$FLOM_BIN' $CONN --status 2>/dev/null | grep -q '^robust '"
	"$FLOM_BIN" $CONN -d 0 -r robust -o 10000 -- true
	rc=$?
	wait "$holder"
	is "$?" 0 "$TRANSPORT: a holder dripping its unlock has its connection closed"
	ok "$TRANSPORT: ... after its grant" grep -q 'rc="0"' "$TEST_TMP/dholder.out"
	is "$rc" 0 "$TRANSPORT: the client queued behind it locks once it unlocked"
}

GARBAGE=$(garbage 1500 42)

run_transport() {
	local rc
	"$FLOM_BIN" $CONN -d -1 -- true
	rc=$?
	is "$rc" 0 "$TRANSPORT: start a daemon"
	DPID=$(listener_pid $LISTENER)
	if [ "$rc" != 0 ] || [ -z "$DPID" ]; then
		diag "no daemon listening on $LISTENER; skipping the $TRANSPORT table"
		return
	fi
	DAEMON_FDS=$(fd_count "$DPID")
	the_table
	the_stallers
	the_dripping_holder
	is "$(listener_pid $LISTENER)" "$DPID" "$TRANSPORT: the same daemon still listens"
	wait_for 5 fd_count_at_most "$DPID" "$DAEMON_FDS"
	is "$(fd_count "$DPID")" "$DAEMON_FDS" "$TRANSPORT: every connection of the table was closed"
	kill "$DPID"
	wait_for 5 pid_gone "$DPID"
}

SOCK=$TEST_TMP/robust.sock
TRANSPORT=unix CONN="-s $SOCK" TARGET=$SOCK LISTENER="unix $SOCK" run_transport

PORT=$(free_tcp_port)
TRANSPORT=tcp CONN="-a 127.0.0.1 -p $PORT" TARGET=127.0.0.1:$PORT LISTENER="tcp $PORT" run_transport

# ---- garbage datagrams on the discovery port (private network only) ----
udp_case() {
	local name=$1 rc
	shift
	"$FLOM_SEND" -u -t 150 "$@" "224.0.0.1:$UPORT" >"$TEST_TMP/udp.out" 2>&1
	rc=$?
	"$FLOM_SEND" -u -t 50 "$@" "127.0.0.1:$UPORT" >>"$TEST_TMP/udp.out" 2>&1
	rc=$rc$?
	is "$rc" 11 "udp: $name: dropped without a reply"
	"$FLOM_BIN" -a 127.0.0.1 -p "$TPORT" -d 0 -o 2000 -- true
	is "$?" 0 "udp: after $name: a TCP client locks"
}

if [ -n "${FLOM_ISOLATED:-}" ]; then
	ip link set lo multicast on
	ip route add 224.0.0.0/4 dev lo src 127.0.0.1
	TPORT=$(free_tcp_port)
	UPORT=$(free_tcp_port)
	"$FLOM_BIN" -a 127.0.0.1 -p "$TPORT" -A 224.0.0.1 -P "$UPORT" -d -1 -- true
	is "$?" 0 "udp: start a daemon with discovery"
	DPID=$(listener_pid tcp "$TPORT")
	DISCOVER="$H<msg level=\"3\" verb=\"4\" step=\"8\"></msg>"
	"$FLOM_SEND" -u -t 1000 -m "$DISCOVER" "224.0.0.1:$UPORT" >"$TEST_TMP/disc.out"
	ok "udp: a discovery request is answered" grep -q "port=\"$TPORT\"" "$TEST_TMP/disc.out"

	udp_case "an empty datagram"
	udp_case "binary garbage" -m "$GARBAGE"
	udp_case "text that is not XML" -m 'hello</msg>'
	udp_case "a datagram over 1 KiB" -m "$DISCOVER" -m "$(chars ' ' 1500)"
	udp_case "a 60000-byte datagram" -m "$(chars x 60000)"
	udp_case "a truncated discovery request" -m "${DISCOVER:0:60}"
	udp_case "a discovery request of level 2" -m "$H<msg level=\"2\" verb=\"4\" step=\"8\"></msg>"
	udp_case "a discovery reply (daemon side)" -m "$H<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"1\"/></msg>"
	udp_case "a lock request as a datagram" -m "$LOCK"
	udp_case "a management request as a datagram" -m "$H<msg level=\"3\" verb=\"5\" step=\"8\">$SESSION<shutdown immediate=\"1\"/></msg>"
	udp_case "an unknown verb" -m "$H<msg level=\"3\" verb=\"9\" step=\"8\"></msg>"
	udp_case "a discovery request with an unknown element" -m "$H<msg level=\"3\" verb=\"4\" step=\"8\"><evil x=\"1\"/></msg>"
	udp_case "two messages in one datagram" -m "$DISCOVER$DISCOVER"
	udp_case "a flood of 2000 garbage datagrams" -m "$GARBAGE" -r 2000

	"$FLOM_SEND" -u -t 1000 -m "$DISCOVER" "224.0.0.1:$UPORT" >"$TEST_TMP/disc.out"
	ok "udp: discovery still answered after the garbage" grep -q "port=\"$TPORT\"" "$TEST_TMP/disc.out"
	"$FLOM_BIN" -A 224.0.0.1 -P "$UPORT" -d 0 -o 2000 -- true
	is "$?" 0 "udp: a client that discovers the daemon locks"
	is "$(listener_pid tcp "$TPORT")" "$DPID" "udp: the same daemon still listens"
	[ -n "$DPID" ] && kill "$DPID"
else
	skip "udp: garbage datagrams need a private network (root)"
fi

done_testing
