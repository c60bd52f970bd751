#!/bin/bash
# Elements come from the request (issue 12, item 3): whoever answers in the
# daemon's place (a squatter on the UNIX socket, a TCP listener, a forged
# discovery reply) cannot choose the command's arguments. flom appends an
# element only for set, sequence and timestamp resources, only one the
# request allows; anything else is a protocol error (99, naming the daemon),
# and the command does not run.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

[ -x "$FAKE_DAEMON" ] || skip_all "fake_daemon not built ($FAKE_DAEMON)"
CMD=$TEST_TMP/cmd
printf '#!/bin/sh\necho "args:$*" >>"%s/ran"\necho "env:$FLOM_LOCKED_ELEMENT" >>"%s/ran"\n' \
	"$TEST_TMP" "$TEST_TMP" >"$CMD"
chmod +x "$CMD"

# fake NAME ARGS...: a fake daemon in the background, ready to answer.
fake() {
	local n=$1
	shift
	rm -f "$n.ready"
	spawn "$FAKE_DAEMON" --ready "$n.ready" --log "$n.log" "$@"
	FAKE_PID=$!
	wait_for 30 test -e "$n.ready"
}
stop_fake() { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }
ran() { cat "$TEST_TMP/ran" 2>/dev/null; }
# try DESC EXPECTED-RC FLOM-ARGS...: flom -- cmd; checks rc and that the
# command did not run when the rc is 99.
try() {
	local desc=$1 want=$2
	shift 2
	rm -f "$TEST_TMP/ran"
	timeout 20 "$FLOM_BIN" "$@" -- "$CMD" >out 2>err
	is "$?" "$want" "$desc: exit $want"
	if [ "$want" = 99 ]; then
		is "$(ran)" "" "$desc: the command did not run"
	fi
}

SOCK=$(flom_local_socket)

# ---- UNIX socket ----
fake unix --unix "$SOCK" --element=--from-attacker
try "simple resource granted with an element over UNIX" 99 -s "$SOCK" -d 0
ok "... the message names the daemon and the element" \
	grep -q "protocol error: the daemon at $SOCK granted resource '_RESOURCE' with element '--from-attacker'" err
ok "... the fake daemon did receive the request" grep -q '^request' unix.log
try "numeric resource with an element" 99 -s "$SOCK" -d 0 -r 'foo[3]'
try "hierarchical resource with an element" 99 -s "$SOCK" -d 0 -r /a/b
try "set resource with a foreign element" 99 -s "$SOCK" -d 0 -r red.green.blue
try "sequence with a non-number" 99 -s "$SOCK" -d 0 -r '_s_seq[2]'
try "timestamp with a text off its format" 99 -s "$SOCK" -d 0 -r '_t_%H:%M:%S[2]'
stop_fake; rm -f "$SOCK"

# Raw control bytes are a syntax error of the XML; a character reference
# (&#10; is a newline, &#127; DEL) passes the codec and reaches the check.
fake unix2 --unix "$SOCK" --element='1&#10;&#127;x'
try "sequence with a newline and a DEL" 99 -s "$SOCK" -d 0 -r '_s_seq[2]'
ok "... shown escaped in the one-line message" grep -q "element '1\\\\x0a\\\\x7fx'" err
is "$(wc -l <err)" 1 "... which is one line"
stop_fake; rm -f "$SOCK"

# The same fake with a member of the set: granted, element passed on.
fake unix3 --unix "$SOCK" --element=green
try "set resource with a member of the set" 0 -s "$SOCK" -d 0 -r red.green.blue
is "$(ran | paste -sd' ')" "args:green env:green" "... the command got that element"
stop_fake; rm -f "$SOCK"

fake unix4 --unix "$SOCK" --element=''
try "simple resource with an empty element" 0 -s "$SOCK" -d 0
is "$(ran | paste -sd' ')" "args: env:" "... no argument added, no FLOM_LOCKED_ELEMENT"
stop_fake; rm -f "$SOCK"

# ---- TCP ----
PORT=$(free_tcp_port)
fake tcp --tcp "$PORT" --element=--from-attacker
try "simple resource granted with an element over TCP" 99 -a 127.0.0.1 -p "$PORT" -d 0
ok "... the message names the daemon's address" grep -q "the daemon at 127.0.0.1.*$PORT" err
stop_fake

# ---- a forged discovery reply ----
if [ -z "${FLOM_ISOLATED:-}" ]; then
	skip "discovery on a private loopback needs root (network namespace)"
else
	ip link set lo multicast on
	ip route add 224.0.0.0/4 dev lo
	PORT=$(free_tcp_port)
	fake disc --tcp "$PORT" --udp 224.0.0.1:28015 --element=--injected-by-fake-daemon
	try "a forged discovery reply then a forged grant" 99 -A 224.0.0.1 -D 4 -I 2000 -d 0
	ok "... the client did ask the fake by discovery" grep -q '^discovery' disc.log
	ok "... and was refused as a protocol error" grep -q "protocol error: the daemon at 127.0.0.1" err
	stop_fake
fi

done_testing
