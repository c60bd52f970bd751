#!/bin/bash
# Discovery robustness across hosts (reference §11 bugs 2, 3 and 6, fixed):
# malformed datagrams sent to the daemon's group are dropped and it keeps
# answering; a client ignores answers that are not discovery replies and
# waits for a real one, and does not take garbage for a daemon.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
netns_setup A B C

H='<?xml version="1.0" encoding="UTF-8" ?>'
# send_udp HOST TEXT: one datagram from HOST to ff02::1 port 28015 on eth0.
send_udp() { on_host "$1" bash -c 'printf "%s" "$1" >/dev/udp/ff02::1%eth0/28015' sh "$2"; }

# The daemon traces its network module (0x400000) into a file: it shows
# which datagrams were dropped.
on_host A env FLOM_TRACE_MASK=0x400000 "$FLOM_BIN" -t /tmp/daemon.trace -A ff02::1 -d -1 -- true 2>/dev/null
is "$?" 0 "dynamic daemon started on A"
DPID=$(netns_daemon_pids A)

send_udp B "garbage"
send_udp B "$H<msg level=\"2\" verb=\"4\" step=\"8\"></msg>"
send_udp B "$H<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"1\"/></msg>"
send_udp B "$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"x\"/></msg>"
send_udp B "$H<msg level=\"3\" verb=\"4\" step=\"8\"><network address=\"evil\" port=\"1\"/></msg>"
send_udp B "$H<msg level=\"3\" verb=\"4\" step=\"8\"></msg"
send_udp B "$(head -c 3000 /dev/zero | tr '\0' 'x')"
out=$(on_host B "$FLOM_BIN" -V -A ff02::1 -d 0 -- echo locked 2>junk.err)
is "$?" 0 "after seven malformed datagrams the daemon still answers discovery"
ok "and the client ran its command" grep -qx locked <<<"$out"
is "$(netns_daemon_pids A)" "$DPID" "the daemon survived"
is "$(grep -c 'dropped a [0-9]*-byte datagram' "$NETNS_ROOT/A/tmp/daemon.trace")" 7 \
	"the daemon dropped exactly the seven bad datagrams"

# A well-formed request from a raw socket gets the one reply it deserves.
on_host B bash -c 'exec 3<>/dev/udp/ff02::1%eth0/28015; printf "%s" "$1" >&3' sh \
	"$H<msg level=\"3\" verb=\"4\" step=\"8\"></msg>"
is "$?" 0 "a raw DISCOVER can be sent"

# ---- a host that answers anything with garbage ----
# (Once the multicast debug server; it now answers only HELLO.)
spawn_on C "$FLOM_SEND" -a -m WELCOME -t 10000 -i eth0 "[ff02::1]:28015" >fake.out 2>/dev/null
FAKE=$SPAWNED
wait_for 5 netns_udp_bound C 28015
out=$(on_host B "$FLOM_BIN" -V -A ff02::1 -d 0 -- echo locked 2>mixed.err)
is "$?" 0 "a client that gets garbage and a real reply uses the real one"
ok "the reply it used is the daemon's" grep -q "^reply from ff02::1/28015 is '$H<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"[0-9]*\"/></msg>'\$" <<<"$out"
wait_for 3 has_exited "$FAKE"
is "$(tail -n 1 fake.out)" "answered 1" "the garbage answer was really sent"

netns_kill_daemons A
spawn_on C "$FLOM_SEND" -a -m WELCOME -r 10 -t 10000 -i eth0 "[ff02::1]:28015" >/dev/null 2>&1
wait_for 5 netns_udp_bound C 28015
on_host B "$FLOM_BIN" -A ff02::1 -d 0 -- echo locked >only.out 2>only.err
is "$?" 99 "garbage alone is not a daemon: 99"
is "$(cat only.out)" "" "and the command did not run"

done_testing
