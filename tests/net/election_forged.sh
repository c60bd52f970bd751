#!/bin/bash
# No retirement on hearsay: forged election announcements, 10 a second for
# 30 s, to the group and by unicast to the discovery port, from another host,
# claiming a serving daemon with 999999 holders, change nothing. The daemon
# that serves (same pid) keeps its lock holder, queues its waiters and serves
# every client; no second daemon starts anywhere and no two commands on the
# resource overlap.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
. "$FLOM_SRCDIR/tests/lib/overlap.sh"
netns_setup A B C
PORT=28301
FLOOD=300 # rounds of 100 ms: 30 s
DYN="-A ff02::1 -P $PORT"
ov_init "$NETNS_SHARED_HERE/ov"
OV_HOST_DIR=$NETNS_SHARED/ov

# shellcheck disable=SC2086
on_host A "$FLOM_BIN" $DYN -d -1 -- true
is "$?" 0 "a dynamic daemon starts on A"
DPID=$(netns_daemon_pids A)
APORT=$(ip netns exec "$(netns_name A)" ss -Hltnp 2>/dev/null |
	sed -n "s/.*:\([0-9]*\) .*pid=$DPID,.*/\1/p" | head -n 1)
ok "its pid ($DPID) and TCP port ($APORT) are known" test -n "$DPID" -a -n "$APORT"

# The holder on B, and the daemon's only lock.
# shellcheck disable=SC2086
spawn_on B sh -c "$(ov_cmd R h1 $DYN -d 0 -r R)"
ok "B holds R" wait_for 10 ov_is_in h1
FORGED='<?xml version="1.0" encoding="UTF-8" ?><msg level="3" verb="4" step="24"><daemon id="forged" started="1000000" pid="4242" state="1"'

# One datagram, as in the issue: a daemon that believed it would retire, and
# the next client would start a second daemon granting R again.
on_host C "$FLOM_SEND" -u -q -t 0 -i eth0 -m "$FORGED holders=\"999999\"/></msg>" "[ff02::1]:$PORT"
# shellcheck disable=SC2086
spawn_on C sh -c "$(ov_cmd R c0 $DYN -d -1 -V -r R)"
c0_placed() { ov_is_in c0 || file_has "$NETNS_SHARED_HERE/ov/err.c0" 'waiting for R'; }
ok "one forged datagram: the next client is placed" wait_for 10 c0_placed
ok "one forged datagram: the next client waits for R held by B" sh -c \
	"! grep -q ' in R c0' $NETNS_SHARED_HERE/ov/events"

# The forger on C: a serving daemon, elder and holding 999999 locks, to the
# group (the datagram, no port) and by unicast to A's discovery port
# naming A's real TCP port; a third stream claims implausible counts and a
# closed port. Each stream: one datagram every 100 ms for 30 s.
A_LL=$(netns_ll A)
flood() { # TARGET TAIL: in the background on C
	spawn_on C "$FLOM_SEND" -u -q -t 0 -v -r $FLOOD -d 100 -i eth0 -m "$FORGED $2/></msg>" "$1" \
		2>"flood$((++NFLOOD)).err"
}
NFLOOD=0
flood "[ff02::1]:$PORT" 'holders="999999"'
FLOOD_PID=$SPAWNED
flood "[$A_LL%eth0]:$PORT" "holders=\"999999\" port=\"$APORT\""
flood "[$A_LL%eth0]:$PORT" 'holders="4611686018427387904" port="28399"'
flooded() { file_has flood1.err "sent $1\$"; }
ok "the flood runs" wait_for 10 flooded 30

# Waiters that may start a daemon of their own if they find none.
# shellcheck disable=SC2086
spawn_on A sh -c "$(ov_cmd R w1 $DYN -d -1 -r R)"
# shellcheck disable=SC2086
spawn_on C sh -c "$(ov_cmd R w2 $DYN -d -1 -r R)"

# Clients of other resources, one after the other while the flood lasts.
served=0 failed=0 k=0
serve_once() {
	k=$((k + 1))
	# shellcheck disable=SC2086
	if on_host "$1" timeout 20 "$FLOM_BIN" $DYN -d -1 -r "S$k" -- true 2>"serve$k.err"; then
		served=$((served + 1))
	else
		failed=$((failed + 1))
		sed "s/^/# client $k on $1: /" "serve$k.err"
	fi
}
while ! flooded 150; do serve_once B; done
ok "c0, w1 and w2 wait while h1 holds R" sh -c "! grep -q ' in R [cw]' $NETNS_SHARED_HERE/ov/events"
# The overlap check covers what the flood could break: a second grant of R
# while h1 holds it. (After h1, the waiters hand R over at once, and an "out"
# line, written once the previous flom has exited, may land a few ms after
# the next "in" on a loaded machine: those handoffs are the daemon's FIFO,
# shown below, not counted.)
mkdir -p flood_ov && cp "$NETNS_SHARED_HERE/ov/events" flood_ov/events
: >"$NETNS_SHARED_HERE/ov/go.all" # h1 ends; c0, w1 and w2 follow one by one
ran() { ov_is_out "$1" && ov_is_in "$1"; }
ok "w1 ran after h1" wait_for 20 ran w1
ok "w2 ran after h1" wait_for 20 ran w2
ok "c0 ran after h1" wait_for 20 ran c0
while ! has_exited "$FLOOD_PID"; do serve_once C; done
wait "$FLOOD_PID"
diag "flood: $(grep -c sent flood1.err) rounds of 3 datagrams; clients served during it: $served, failed: $failed"
is "$failed" 0 "every client during the flood was served"
ok "clients were served during the flood" test "$served" -ge 5
is "$(netns_daemon_pids A)" "$DPID" "the same daemon serves on A"
is "$(netns_count_daemons B).$(netns_count_daemons C)" 0.0 "no daemon started on B or C"
# shellcheck disable=SC2086
on_host B "$FLOM_BIN" $DYN -d 0 -r after -- true
is "$?" 0 "after the flood a client with -d 0 is served"
res=$(OV_DIR=flood_ov ov_check)
diag "while h1 held R: $res; the whole run: $(ov_check)"
is "${res%% *}" overlaps=0 "no command on R overlapped h1 during the flood" ||
	sort -n "$NETNS_SHARED_HERE/ov/events" | sed 's/^/# /'
ok "h1 was still in when the waiters were released" grep -q ' in R h1$' flood_ov/events
for id in h1 w1 w2; do
	[ -s "$NETNS_SHARED_HERE/ov/err.$id" ] && sed "s/^/# $id: /" "$NETNS_SHARED_HERE/ov/err.$id"
done
ok "h1, w1 and w2 said nothing on stderr" sh -c "! cat $NETNS_SHARED_HERE/ov/err.h1 \
	$NETNS_SHARED_HERE/ov/err.w1 $NETNS_SHARED_HERE/ov/err.w2 | grep -q ."

done_testing
