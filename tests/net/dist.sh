#!/bin/bash
# Distributed scenarios across two hosts (issue #3 and reference §10.15):
# mutual exclusion between hosts, IPv4 dynamic and combined modes, no reply,
# a node-local group on one host, IPv4-mapped addresses, and configurations
# refused with 99.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
netns_setup A B

LLA=$(netns_ll A)
V4A=$(netns_ipv4 A)
FAST="-D 1 -I 300" # a quick "nobody answers"

# ---- mutual exclusion: sections run by A and B never overlap ----
on_host A "$FLOM_BIN" -a "$LLA" -n eth0 -A ff02::1 -d -1 -- true
is "$?" 0 "A: daemon on $LLA%eth0 and ff02::1 started"
LOG="$NETNS_SHARED_HERE/log"
: >"$LOG"
chmod 0666 "$LOG"
# Each section writes "in H", works a little, writes "out H" in the file all
# hosts share. Half of the clients find the daemon by discovery, half
# connect to A's address.
section='echo "in $0" >>/tmp/shared/log; i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; echo "out $0" >>/tmp/shared/log'
pids=""
for n in 1 2 3; do
	for h in A B; do
		spawn_on $h "$FLOM_BIN" -A ff02::1 -d 0 -r crossres -- sh -c "$section" "$h$n"
		pids="$pids $SPAWNED"
		spawn_on $h "$FLOM_BIN" -a "$LLA" -n eth0 -d 0 -r crossres -- sh -c "$section" "$h$n-tcp"
		pids="$pids $SPAWNED"
	done
done
failed=0
for p in $pids; do wait "$p" || failed=$((failed + 1)); done
is "$failed" 0 "twelve clients on A and B all succeeded"
is "$(grep -c '^in ' "$LOG")" 12 "every client ran its section"
ok "sections never overlap (in/out strictly alternate, same client)" awk '
	/^in / { if (inside) exit 1; inside = 1; who = $2; next }
	/^out / { if (!inside || $2 != who) exit 1; inside = 0; next }
	{ exit 1 }
	END { if (inside) exit 1 }' "$LOG"
ok "both hosts took part" sh -c "grep -q '^in A' '$LOG' && grep -q '^in B' '$LOG'"
is "$(netns_count_daemons A).$(netns_count_daemons B)" 1.0 "one daemon, on A"

# ---- keepalive on the daemon's IPv6 connections (the original: IPv4 only) ----
spawn_on B "$FLOM_BIN" -a "$LLA" -n eth0 -d 0 -r kares -- sh -c \
	'touch /tmp/shared/holding; sh $FLOM_SRCDIR/tests/lib/wait_file.sh /tmp/shared/release'
HOLDER=$SPAWNED
wait_for 5 test -e "$NETNS_SHARED_HERE/holding"
ka=$(ip netns exec "$(netns_name A)" ss -6 -tnoH state established '( sport = :28015 )')
ok "the daemon's IPv6 connection from B has a keepalive timer" grep -q 'timer:(keepalive' <<<"$ka"
touch "$NETNS_SHARED_HERE/release"
wait "$HOLDER"
is "$?" 0 "the holder ended normally"

netns_kill_daemons A
is "$(netns_count_daemons A)" 0 "A's daemon is gone"

# ---- IPv4, dynamic mode with 224.0.0.1 ----
on_host B "$FLOM_BIN" -A 224.0.0.1 -d 0 -- true 2>v4none.err
is "$?" 99 "IPv4 dynamic: -d 0 without a daemon fails with 99"
on_host A "$FLOM_BIN" -A 224.0.0.1 -d -1 -- true
is "$?" 0 "IPv4 dynamic: daemon started on A"
out=$(on_host B "$FLOM_BIN" -V -A 224.0.0.1 -d 0 -- echo ran 2>v4.err)
is "$?" 0 "IPv4 dynamic: B finds it"
ok "IPv4 dynamic: the reply has an empty address" grep -q \
	"^reply from 224.0.0.1/28015 is '.*<network address=\"\" port=\"[0-9]*\"/></msg>'\$" <<<"$out"
ok "IPv4 dynamic: the command ran" grep -qx ran <<<"$out"
is "$(netns_count_daemons B)" 0 "IPv4 dynamic: nothing started on B"
netns_kill_daemons A

# ---- IPv4, combined mode: -a address and a 239.x group ----
G=239.192.7.7
on_host A "$FLOM_BIN" -a "$V4A" -A "$G" -d -1 -- true
is "$?" 0 "IPv4 combined: daemon on $V4A and $G started on A"
out=$(on_host B "$FLOM_BIN" -V -A "$G" -d 0 -- true 2>/dev/null)
is "$?" 0 "IPv4 combined: B finds it by discovery"
ok "IPv4 combined: the reply names the configured address" grep -q \
	"^reply from $G/28015 is '.*<network address=\"$V4A\" port=\"28015\"/></msg>'\$" <<<"$out"
on_host B "$FLOM_BIN" -a "$V4A" -d 0 -- true
is "$?" 0 "IPv4 combined: B connects to $V4A directly"
on_host B "$FLOM_BIN" -a "::ffff:$V4A" -d 0 -- true
is "$?" 0 "IPv4 combined: B connects through the IPv4-mapped ::ffff:$V4A"
is "$(netns_count_daemons A).$(netns_count_daemons B)" 1.0 "IPv4 combined: one daemon, on A"
t0=$(now_ms)
on_host B "$FLOM_BIN" -A 239.192.7.8 -d 0 $FAST -- true 2>noreply.err
is "$?" 99 "no reply on another group: 99"
ok "no reply: within the discovery time (took $(( $(now_ms) - t0 )) ms)" test $(( $(now_ms) - t0 )) -lt 2000
netns_kill_daemons A

# ---- a daemon on an IPv4-mapped address ----
on_host A "$FLOM_BIN" -a "::FFFF:$V4A" -p 28016 -d -1 -- true
is "$?" 0 "daemon on ::FFFF:$V4A started"
on_host B "$FLOM_BIN" -a "$V4A" -p 28016 -d 0 -- true
is "$?" 0 "reached by its IPv4 address"
netns_kill_daemons A

# ---- ff01::1 (node-local) on one host ----
on_host B "$FLOM_BIN" -A ff01::1 -d -1 -- true
is "$?" 0 "ff01::1: daemon started on B"
on_host B "$FLOM_BIN" -A ff01::1 -d 0 -- true
is "$?" 0 "ff01::1: found from B itself"
on_host A "$FLOM_BIN" -A ff01::1 -d 0 $FAST -- true 2>/dev/null
is "$?" 99 "ff01::1: not found from A (node-local never leaves B)"
is "$(netns_count_daemons A)" 0 "ff01::1: nothing started on A"
netns_kill_daemons B

# ---- limited life in dynamic mode (reference §10.15) ----
# A holds a lock while B looks, so that a slow lookup cannot miss the daemon.
rm -f "$NETNS_SHARED_HERE/holding" "$NETNS_SHARED_HERE/release"
spawn_on A "$FLOM_BIN" -A ff02::1 -d 1000 -r life -- sh -c \
	'touch /tmp/shared/holding; sh $FLOM_SRCDIR/tests/lib/wait_file.sh /tmp/shared/release'
HOLDER=$SPAWNED
ok "dynamic daemon with a 1000 ms lifespan" wait_for 10 test -e "$NETNS_SHARED_HERE/holding"
out=$(on_host B "$FLOM_BIN" -V -A ff02::1 -d 0 -- true 2>/dev/null)
ok "found while alive, with network address=\"\"" grep -q 'network address=""' <<<"$out"
touch "$NETNS_SHARED_HERE/release"
wait "$HOLDER"
is "$?" 0 "the holder ended normally"
ok "it exits by itself once idle" wait_for 8 netns_no_daemon A

# ---- addresses this host does not have, and bad configurations ----
on_host B "$FLOM_BIN" -a "$LLA" -n eth0 -p 28017 -d -1 -- true >notmine.out 2>notmine.err
is "$?" 99 "B cannot start a daemon on A's address"
ok "the error names the address" grep -q "$LLA" notmine.err
is "$(netns_count_daemons B)" 0 "and nothing runs on B"
on_host B "$FLOM_BIN" -a "$LLA" -d 0 -- true >noscope.out 2>noscope.err
is "$?" 99 "a link-local address without -n: 99"
ok "the error asks for an interface" grep -q -- "-n IFACE" noscope.err

on_host A "$FLOM_BIN" -s /tmp/sock -a "$V4A" -- true 2>sa.err
is "$?" 99 "-s with -a: 99"
ok "-s with -a: message" test -s sa.err
on_host A "$FLOM_BIN" -s /tmp/sock -A ff02::1 -- true 2>sA.err
is "$?" 99 "-s with -A: 99"
ok "-s with -A: message" test -s sA.err
on_host A "$FLOM_BIN" -A 192.0.2.3 -d 0 -- true 2>/dev/null
is "$?" 99 "-A with a unicast address, -d 0: 99"
on_host A "$FLOM_BIN" -A 192.0.2.3 -d -1 -- true 2>notgroup.err
is "$?" 99 "-A with a unicast address, -d -1: 99"
ok "-A with a unicast address: the message says it is no group" grep -q "not a multicast group" notgroup.err
is "$(netns_count_daemons A).$(netns_count_daemons B)" 0.0 "no daemon left behind"

done_testing
