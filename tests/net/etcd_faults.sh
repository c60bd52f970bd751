#!/usr/bin/env bash
# flom --etcd under faults, on one 3-member cluster: the leader member killed
# while a command holds the lock; flom itself killed (kill -9); holders cut
# off from the cluster by a firewall (their commands are stopped before the
# next holders start); every member down.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"
need_root "etcd fault scenarios (nft, a second loopback address)"
. "$FLOM_SRCDIR/tests/lib/etcd.sh"
etcd_require
command -v nft >/dev/null || skip_all "nft is not installed"
etcd_start || { echo "Bail out! the etcd cluster did not become healthy"; exit 1; }

usecase_setup
F=(--etcd="$ETCD_ENDPOINTS")
QUEUED_RE='queued: '

# ---- the leader member killed while a command holds the lock ----
# A long TTL: on this shared machine an election can take seconds, and the
# point here is that the lock survives it, not how short the TTL can be.
hold 1 0 -r lead --etcd-lease-ttl=30
wait_in 1
hold 2 0 -r lead --etcd-lease-ttl=30
ok "a waiter queues" wait_queued 2
leader=$(etcd_leader)
diag "killing the leader, member m$leader"
etcd_kill "$leader"
ok "a new leader is elected" wait_for 60 etcd_has_leader
# Keepalives and the watch move to the other members; the lock stays. Give
# the holder's keeper more than a keepalive interval (TTL/4 = 2.5 s) to pass.
ok "the holder keeps the lock through keepalives after the election" \
	wait_for 60 sh -c "grep -q 'lease/keepalive.*-> 0/200' $TEST_TMP/trace.1 && \
		[ \$(grep -c 'lease/keepalive.*-> 0/200' $TEST_TMP/trace.1) -ge 2 ]"
ok "the waiter still waits" not_in 2
is "$(release 1)" 0 "the holder ends normally (0, lock not lost)"
[ -s "$TEST_TMP/err.1" ] && diag "holder's stderr: $(tr '\n' ' ' <"$TEST_TMP/err.1")"
wait_in 2
is "$(release 2)" 0 "the waiter gets the lock only after the release"
is "$(events)" "1 in,1 out,2 in,2 out" "no overlap across the leader's death"
etcd_member "$leader"
ok "the member rejoins" wait_for 30 etcd_healthy

# ---- kill -9 of flom: its command is stopped before the next holder ----
new_scenario
cat >"$TEST_TMP/trapper" <<'SH'
#!/bin/sh
# trapper ID: "ID in", heartbeats, "ID out" when terminated.
trap 'echo "$1 out" >>"$D/events"; exit 0' TERM
echo "$1 in" >>"$D/events"
while :; do sleep 0.05; done
SH
chmod +x "$TEST_TMP/trapper"
export D=$TEST_TMP
run_bg 1 "$FLOM_BIN" "${F[@]}" -r killed -- "$TEST_TMP/trapper" 1
wait_in 1
hold 2 0 -r killed
ok "a waiter queues" wait_queued 2
t0=$(now_ms)
kill -9 "$(cat "$TEST_TMP/pid.1")"
wait_in 2
diag "the waiter got the lock $(( $(now_ms) - t0 )) ms after kill -9 of the holder's flom"
release 2 >/dev/null
is "$(events)" "1 in,1 out,2 in,2 out" "the killed flom's command ended before the next one started"

# ---- holders cut off from the cluster (nft): stopped before the next ----
new_scenario
ROUNDS=10
cat >"$TEST_TMP/beater" <<'SH'
#!/bin/sh
# beater ID [trap]: heartbeats (ns timestamps) until killed; with "trap" it
# ignores SIGTERM, so only SIGKILL stops it.
[ "$2" = trap ] && trap '' TERM
while :; do date +%s%N >>"$D/hb.$1"; sleep 0.05; done
SH
chmod +x "$TEST_TMP/beater"
for i in $(seq $ROUNDS); do
	mode=; [ $((i % 2)) = 0 ] && mode=trap
	run_bg "c$i" "$FLOM_BIN" --etcd="$ETCD_ENDPOINTS_ALT" --etcd-lease-ttl=3 \
		--grace-period=500 -r "cut$i" -- "$TEST_TMP/beater" "$i" $mode
done
for i in $(seq $ROUNDS); do wait_for 10 test -s "$TEST_TMP/hb.$i"; done
for i in $(seq $ROUNDS); do
	run_bg "w$i" env FLOM_TRACE_MASK=8 "$FLOM_BIN" "${F[@]}" -T "$TEST_TMP/trace.w$i" -r "cut$i" \
		-- sh -c 'date +%s%N >"$D/in.$1"' sh "$i"
done
for i in $(seq $ROUNDS); do wait_for 10 queued "w$i"; done
nft add table inet flomcut
nft add chain inet flomcut out '{ type filter hook output priority 0; }'
nft add rule inet flomcut out ip daddr 127.0.0.2 drop
nft add rule inet flomcut out ip saddr 127.0.0.2 drop
t0=$(now_ms)
overlaps=0 minmargin=999999
for i in $(seq $ROUNDS); do
	if ! wait_for 30 test -s "$TEST_TMP/in.$i"; then overlaps=$((overlaps + 1)); continue; fi
	last=$(tail -n1 "$TEST_TMP/hb.$i") in=$(cat "$TEST_TMP/in.$i")
	margin=$(( (in - last) / 1000000 ))
	[ "$margin" -gt 0 ] || overlaps=$((overlaps + 1))
	[ "$margin" -lt "$minmargin" ] && minmargin=$margin
done
diag "cut: all waiters in after $(( $(now_ms) - t0 )) ms; smallest gap between a holder's last heartbeat and its successor's start: $minmargin ms"
is "$overlaps" 0 "zero overlaps in $ROUNDS cut-off holders (half of them ignore SIGTERM)"
lost=0
for i in $(seq $ROUNDS); do
	if [ "$(rc_of "c$i")" = 99 ] && grep -q "lock on cut$i lost" "$TEST_TMP/err.c$i"; then
		lost=$((lost + 1))
	else
		diag "cut-off holder $i: status $(rc_of "c$i"): $(tr '\n' ' ' <"$TEST_TMP/err.c$i")"
	fi
done
is "$lost" "$ROUNDS" "every cut-off flom says the lock on its resource was lost, and exits 99"
nft delete table inet flomcut

# ---- every member down ----
new_scenario
run_bg h "$FLOM_BIN" "${F[@]}" --etcd-lease-ttl=3 --grace-period=500 -r down -- "$TEST_TMP/beater" down
wait_for 10 test -s "$TEST_TMP/hb.down"
etcd_stop
t0=$(now_ms)
is "$(rc_of h)" 99 "the holder exits 99 when every member is down"
el=$(( $(now_ms) - t0 ))
diag "holder stopped $el ms after the cluster died"
ok "within the lease TTL (3 s) plus a margin" test "$el" -lt 6000
ok "naming the lost lock" grep -q "lock on down lost" "$TEST_TMP/err.h"
t0=$(now_ms)
out=$(timeout 30 "$FLOM_BIN" "${F[@]}" -r down -- true 2>&1); rc=$?
el=$(( $(now_ms) - t0 ))
is "$rc" 99 "a new flom exits 99 when no member answers"
ok "with a clear message" grep -q "no etcd endpoint answered" <<<"$out"
diag "$out ($el ms)"
ok "within the request timeouts (< 10 s)" test "$el" -lt 10000

done_testing
