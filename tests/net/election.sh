#!/bin/bash
# Dynamic mode without split brain: hosts that start at the same instant end
# with one daemon per group, and their critical sections never overlap; after
# a partition heals, one of the two serving daemons retires.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
netns_setup A B C
HOSTS="A B C"
ROUNDS=10
HOLD=0.2 # the critical section's own work, not a synchronization

# Daemons on HOST serving the group on PORT: their process title ends with
# "discovery [GROUP]:PORT".
port_daemons() {
	local p
	for p in $(netns_daemon_pids "$1"); do
		tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | grep -Eq -- "discovery .*:$2( |\$)" && echo "$p"
	done
}
count_port_daemons() {
	local h n=0
	for h in $HOSTS; do
		n=$((n + $(port_daemons "$h" "$1" | wc -l)))
	done
	echo "$n"
}
one_daemon_for() { [ "$(count_port_daemons "$1")" = 1 ]; }

# Sections in LOG alternate "H in" / "H out" with the same H, COUNT of them.
sections_ok() {
	awk -v want="$2" '
		NR % 2 == 1 { if ($2 != "in") bad = 1; h = $1 }
		NR % 2 == 0 { if ($2 != "out" || $1 != h) bad = 1 }
		END { exit (bad || NR != 2 * want) }' "$1"
}

# ---- simultaneous starts, each round on a group nobody serves yet ----
BARRIER=$NETNS_SHARED_HERE/barrier
for r in $(seq 1 "$ROUNDS"); do
	port=$((28100 + r))
	log=round$r.log
	exec 9>"$BARRIER"
	flock 9
	pids=""
	for h in $HOSTS; do
		# Every host blocks on the barrier, then all go at once. The daemon
		# outlives the count below by far, even on a loaded machine (it took
		# longer than a 3 s lifespan there: "got 0").
		spawn_on "$h" sh -c "touch $NETNS_SHARED/ready$r$h; flock -s $NETNS_SHARED/barrier true; \
			exec $FLOM_BIN -A ff02::1 -P $port -d 20000 -r X -- sh -c \
			\"echo '$h in' >>$NETNS_SHARED/$log; sleep $HOLD; echo '$h out' >>$NETNS_SHARED/$log\"" \
			2>"err$r$h" 9>&-
		pids="$pids $SPAWNED"
	done
	for h in $HOSTS; do
		wait_for 10 test -e "$NETNS_SHARED_HERE/ready$r$h"
	done
	exec 9>&- # lift the barrier
	fails=0
	for p in $pids; do
		wait "$p" || fails=$((fails + 1))
	done
	is "$fails" 0 "round $r: every host's command succeeded"
	ok "round $r: the three sections never overlapped" sections_ok "$NETNS_SHARED_HERE/$log" 3
	wait_for 5 one_daemon_for "$port"
	is "$(count_port_daemons "$port")" 1 "round $r: one daemon serves the group"
	for h in $HOSTS; do
		[ -s "err$r$h" ] && sed "s/^/# round $r $h: /" "err$r$h"
	done
done

# ---- a healed partition: two serving daemons meet, one retires ----
# A and the others do not hear each other on the group (by source address:
# a host's own datagrams loop back through eth0 and must still arrive). The
# one that retires checks its rival over TCP first (plain, or TLS when the
# daemons speak it).
A_LL=$(netns_ll A)
OTHERS_LL="$(netns_ll B), $(netns_ll C)"
healed() { # PORT NAME FLOM-OPTIONS...
	local port=$1 name=$2 h ns from pids fails p
	shift 2
	for h in $HOSTS; do
		ns=$(netns_name "$h")
		from=$A_LL
		[ "$h" = A ] && from="{ $OTHERS_LL }"
		ip netns exec "$ns" nft add table inet part
		ip netns exec "$ns" nft add chain inet part in '{ type filter hook input priority 0; }'
		ip netns exec "$ns" nft add rule inet part in ip6 saddr "$from" udp dport "$port" drop
	done
	on_host A "$FLOM_BIN" "$@" -A ff02::1 -P "$port" -d -1 -- true
	is "$?" 0 "$name partition: a daemon starts on A"
	on_host B "$FLOM_BIN" "$@" -A ff02::1 -P "$port" -d -1 -- true
	is "$?" 0 "$name partition: another starts on B, which cannot hear A"
	is "$(count_port_daemons "$port")" 2 "$name partition: two daemons serve the two halves"
	for h in $HOSTS; do
		ip netns exec "$(netns_name "$h")" nft delete table inet part
	done
	ok "$name healed: one daemon is left" wait_for 10 one_daemon_for "$port"
	pids=""
	for h in $HOSTS $HOSTS; do
		spawn_on "$h" "$FLOM_BIN" "$@" -A ff02::1 -P "$port" -d 0 -r X -- \
			sh -c "echo '$h in' >>$NETNS_SHARED/$name.log; sleep $HOLD; echo '$h out' >>$NETNS_SHARED/$name.log" \
			2>"$name$h.err"
		pids="$pids $SPAWNED"
	done
	fails=0
	for p in $pids; do
		wait "$p" || fails=$((fails + 1))
	done
	is "$fails" 0 "$name healed: every section after the healing succeeded"
	ok "$name healed: sections started after the healing never overlapped" \
		sections_ok "$NETNS_SHARED_HERE/$name.log" 6
}
healed 28200 plain
. "$FLOM_SRCDIR/tests/lib/tls.sh"
tls_make_certs "$NETNS_SHARED_HERE/tls"
# shellcheck disable=SC2046
healed 28201 tls $(tls_opts ca1 peer1 | sed "s|$NETNS_SHARED_HERE|$NETNS_SHARED|g")

done_testing
