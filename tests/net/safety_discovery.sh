#!/bin/bash
# Never hang or give up on a bad discovery reply (issue 11, item 5). A reply
# that names a port where nothing can be reached is like no reply: in
# dynamic mode the client goes on and starts a daemon; when two daemons
# answer, one unreachable, the client gets through to the other. A reply
# that names a server that accepts and never answers costs the answer
# timeout, not for ever.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
have_nft || skip_all "nft is not installed"
[ -x "$FLOM_SEND" ] || skip_all "flom_send not built ($FLOM_SEND)"
netns_setup A B C
IPA=$(netns_ipv4 A)
cd "$TEST_TMP" || exit 99
H='<?xml version="1.0" encoding="UTF-8" ?>'

# ---- a real daemon whose port is closed ----
on_host A "$FLOM_BIN" -a "$IPA" -p 28300 -A ff02::1 -d -1 -- true
is "$?" 0 "a daemon on A answers discovery with $IPA port 28300"
is "$(status_of on_host C "$FLOM_BIN" -A ff02::1 -d 0 -- true)" 0 "C reaches it by discovery"
nsA=$(netns_name A)
ip netns exec "$nsA" nft add table inet closed &&
	ip netns exec "$nsA" nft add chain inet closed in '{ type filter hook input priority 0; }' &&
	ip netns exec "$nsA" nft add rule inet closed in tcp dport 28300 reject with tcp reset
is "$?" 0 "A's port 28300 is closed (reset)"
is "$(status_of on_host C "$FLOM_BIN" -A ff02::1 -d 0 -- true 2>/dev/null)" 99 \
	"-d 0: a reply naming a closed port, and no other: 99"

t0=$(now_ms)
on_host C "$FLOM_BIN" -A ff02::1 -d -1 -- true 2>c.err
is "$?" 0 "dynamic mode: a reply naming a closed port is like no reply, C starts a daemon"
diag "C started its own daemon and ran the command in $(( $(now_ms) - t0 )) ms $(cat c.err)"
is "$(netns_count_daemons C)" 1 "one daemon runs on C"

# Two different replies, one unreachable: both are tried.
fails=0
for i in 1 2 3 4 5; do
	on_host B "$FLOM_BIN" -A ff02::1 -d 0 -- true 2>>b.err || fails=$((fails + 1))
done
is "$fails" 0 "B, 5 times: with A's and C's replies, it always gets through to C"
[ -s b.err ] && diag "B: $(sort b.err | uniq -c | head -n 3)"
ip netns exec "$nsA" nft delete table inet closed
netns_kill_daemons A
netns_kill_daemons C

# ---- a fake responder: a closed port, then a silent server ----
# fake ADDRESS PORT: a host (A) answering every discovery with that daemon.
fake() {
	spawn_on A "$FLOM_SEND" -a -m "$H<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"$1\" port=\"$2\"/></msg>" \
		-r 1000 -t 60000 -i eth0 "[ff02::1]:28015" >/dev/null 2>&1
	FAKE=$SPAWNED
	wait_for 5 netns_udp_bound A 28015
}
fake "$IPA" 1
t0=$(now_ms)
on_host B "$FLOM_BIN" -A ff02::1 -d -1 -- true 2>fake1.err
is "$?" 0 "a fake reply naming a closed port: B starts a daemon of its own (dynamic mode)"
diag "B ran the command in $(( $(now_ms) - t0 )) ms $(cat fake1.err)"
netns_kill "$FAKE"
netns_kill_daemons B

# A daemon on A that nobody finds by discovery, stopped: it accepts (the
# kernel does) and never answers.
on_host A "$FLOM_BIN" -a "$IPA" -p 28301 -d -1 -- true
SILENT=$(netns_daemon_pids A)
ok "a TCP daemon on A, port 28301" test -n "$SILENT"
kill -STOP $SILENT
fake "$IPA" 28301
t0=$(now_ms)
on_host B timeout 60 "$FLOM_BIN" -A ff02::1 -d -1 --answer-timeout=1500 -- true 2>fake2.err
rc=$?
dt=$(( $(now_ms) - t0 ))
diag "a fake reply naming a silent server: exit $rc after $dt ms: $(cat fake2.err)"
is "$rc" 99 "a fake reply naming a silent server: 99, not a hang"
ok "... within the answer timeout plus the settling (< 1500 + 6000 ms)" test "$dt" -lt 7500
ok "... naming the address" grep -q "no answer from the daemon at $IPA" fake2.err
kill -CONT $SILENT
netns_kill "$FAKE"
done_testing
