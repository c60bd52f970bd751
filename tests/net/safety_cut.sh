#!/bin/bash
# The holder always stops first (issue 11, items 1 and 2), across hosts.
# - kill -9 of a holder's flom that found its daemon by discovery: the lock
#   stays until its command ends.
# - The link between the holder's host H and the daemon's host D is cut (nft
#   drop, both ways): with the daemon's keepalive shorter than the client's,
#   longer, and equal (three daemons on D), every holder's command (half of
#   them trapping SIGTERM, so SIGKILL ends them) is gone at least 1 s before
#   the waiter of its resource, on host W, runs. SAFETY_ROUNDS (default 10)
#   rounds of each configuration run at once, on as many resources, under one
#   cut: each connection is at its own point of its keepalive cycle.
# - One way only: what D sends to host O is lost, what O sends arrives. O's
#   holders hear nothing and stop their commands (trapping SIGTERM: the
#   whole grace period) while their connections stay open: the lock is
#   released only once each command is gone (no reset from O's kernel while
#   the command still runs).
# - A waiter whose host (V) vanished (link deleted while it was queued) and
#   is then granted does not keep the resource past the daemon's bound + 2 s.
# Each part prints its measured margins.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
. "$FLOM_SRCDIR/tests/lib/overlap.sh"
have_nft || skip_all "nft is not installed"
T0=$(now_ms)
netns_setup D H W V O
ov_init "$NETNS_SHARED_HERE/ov"
export OV_HOST_DIR=$NETNS_SHARED/ov
# Many jobs at once: they look for their go file twice a second, and a
# loaded machine may take minutes to set them all up.
OV_POLL_MS=500
OV_JOB_LIMIT=300
IPD=$(netns_ipv4 D)
N=${SAFETY_ROUNDS:-10}
GRACE=1000

# Established TCP connections to PORT on host D.
conns_on_d() {
	ip netns exec "$(netns_name D)" ss -Htn state established "( sport = :$1 )" | wc -l
}
conns_at_least() { [ "$(conns_on_d "$1")" -ge "$2" ]; }
# How many of the IDs have run, in one pass over the events.
count_in() { awk -v ids=" $* " '$2 == "in" && index(ids, " " $4 " ") { n++ } END { print n + 0 }' "$OV_DIR/events"; }
all_in() { [ "$(count_in "$@")" -ge $# ]; }
never_within() { ! wait_for "$@"; }
# wait_slow SECONDS CMD...: wait_for, looking four times a second (these
# conditions enter a namespace or read every event; sixty jobs run).
wait_slow() { WAIT_STEP=0.25 wait_for "$@"; }
# on_many HOST TEXT...: the ov_cmd texts at once, from one entry into HOST.
on_many() {
	local h=$1 IFS='&'
	shift
	spawn_on "$h" sh -c "$* & wait" >/dev/null 2>&1
}
ka() { IFS=/ read -r t i p <<<"$1"; echo "--tcp-keepalive-time=$t --tcp-keepalive-intvl=$i --tcp-keepalive-probes=$p"; }

# ---- kill -9 of a holder's flom, daemon found by discovery ----
DISC=(-A ff02::1 -P 28200)
on_host D "$FLOM_BIN" "${DISC[@]}" -d -1 -- true
is "$?" 0 "a dynamic-mode daemon on D"
on_many W "$(ov_cmd disc hd "${DISC[@]}" -d 0 -r disc)"
diag "hosts set up in $(( $(now_ms) - T0 )) ms"
ok "discovery: the holder on W runs" wait_for 20 ov_is_in hd
on_many W "$(ov_cmd disc wd "${DISC[@]}" -d 0 -r disc)"
ok "discovery: the waiter is queued" wait_slow 20 sh -c \
	"[ \$(ip netns exec $(netns_name D) ss -Htn state established | wc -l) -ge 2 ]"
kill -9 "$(cat "$OV_DIR/flom.hd")"
ok "discovery: kill -9 of the holder's flom, the waiter does not run (1 s)" never_within 1 ov_is_in wd
touch "$OV_DIR/go.hd"
ok "discovery: once the command ended, the waiter runs" wait_for 20 ov_is_in wd
diag "discovery: the waiter ran $(( $(ov_time in wd) - $(ov_time out hd) )) ms after the holder's command ended"
touch "$OV_DIR/go.wd"

# ---- the cut: three daemons on D, holders on H, waiters on W ----
# NAME PORT "DAEMON KEEPALIVE" "CLIENT KEEPALIVE" CLIENT-GRACE
CONFIGS=(
	"shorter 28101 1/1/2 10/5/6 5000"
	"longer 28102 2/1/4 1/1/1 $GRACE"
	"equal 28103 1/1/2 1/1/2 $GRACE"
)
HOLDERS="" WAITERS=""
for c in "${CONFIGS[@]}"; do
	read -r name port dka cka cgrace <<<"$c"
	# shellcheck disable=SC2046
	on_host D "$FLOM_BIN" -a "$IPD" -p "$port" -d -1 --grace-period=$GRACE $(ka "$dka") -- true
	is "$?" 0 "$name: daemon on D port $port, keepalive $dka"
	texts=()
	for r in $(seq 1 "$N"); do
		# shellcheck disable=SC2046
		texts+=("$(OV_TRAP=$((r % 2)) ov_cmd "$name$r" "h$name$r" -a "$IPD" -p "$port" -d 0 \
			--grace-period="$cgrace" $(ka "$cka") -r "$name$r")")
		HOLDERS="$HOLDERS h$name$r" WAITERS="$WAITERS w$name$r"
	done
	on_many H "${texts[@]}"
done
# One way: a fourth daemon on D. O's holders end by themselves 300 ms into
# their grace period and write when (the overlap detector's "out" waits for
# flom's own exit, which may follow its release: under LeakSanitizer it does).
cat >"$OV_DIR/oneway_job" <<'JOB'
#!/bin/sh
d=$1 res=$2 id=$3
echo "$(date +%s%N) in $res $id" >>"$d/events"
trap 'sleep 0.3; echo "$(date +%s%N) end $res $id" >>"$d/events"; exit 0' TERM
sh "$FLOM_SRCDIR/tests/lib/wait_file.sh" "$d/go.all" 300 &
wait
JOB
# shellcheck disable=SC2046
on_host D "$FLOM_BIN" -a "$IPD" -p 28104 -d -1 --grace-period=$GRACE $(ka 1/1/2) -- true
is "$?" 0 "oneway: daemon on D port 28104, keepalive 1/1/2"
texts=()
for r in 1 2 3; do
	texts+=("$FLOM_BIN -a $IPD -p 28104 -d 0 --grace-period=$GRACE $(ka 1/1/2) -r oneway$r -- sh $OV_HOST_DIR/oneway_job $OV_HOST_DIR oneway$r honeway$r 2>$OV_HOST_DIR/err.honeway$r")
	HOLDERS="$HOLDERS honeway$r" ONEWAY_WAITERS="${ONEWAY_WAITERS:-} woneway$r"
done
on_many O "${texts[@]}"
diag "daemons and holders started $(( $(now_ms) - T0 )) ms after the start"
# shellcheck disable=SC2086
ok "all $((3 * N + 3)) holders on H and O run" wait_slow 120 all_in $HOLDERS
for c in "${CONFIGS[@]}"; do
	read -r name port _ <<<"$c"
	texts=()
	for r in $(seq 1 "$N"); do
		texts+=("$(ov_cmd "$name$r" "w$name$r" -a "$IPD" -p "$port" -d 0 -r "$name$r")")
	done
	on_many W "${texts[@]}"
done
for c in "${CONFIGS[@]}"; do
	read -r name port _ <<<"$c"
	ok "$name: the $N waiters on W are queued" wait_slow 120 conns_at_least "$port" $((2 * N)) ||
		diag "$name: $(conns_on_d "$port") connections on D; ran: $(cut -d' ' -f2- "$OV_DIR/events" | grep "$name" | tr '\n' ,)"
done
texts=()
for r in 1 2 3; do
	texts+=("$(ov_cmd "oneway$r" "woneway$r" -a "$IPD" -p 28104 -d 0 -r "oneway$r")")
done
on_many W "${texts[@]}"
ok "oneway: the 3 waiters on W are queued" wait_slow 120 conns_at_least 28104 6

diag "waiters queued $(( $(now_ms) - T0 )) ms after the start"
# The dead waiter, on the "equal" daemon: held from W, V queued behind, then
# a live waiter from W; V's link goes, then W's holder ends. Client traces
# time the holder's unlock and the live waiter's grant.
on_many W "FLOM_TRACE_MASK=0x8 $(ov_cmd dw dwh -a "$IPD" -p 28103 -d 0 -r dw -T "$OV_HOST_DIR/trace.dwh")"
ok "dead waiter: the holder on W runs" wait_for 20 ov_is_in dwh
on_many V "$(ov_cmd dw dwv -a "$IPD" -p 28103 -d 0 -r dw)"
wait_slow 20 conns_at_least 28103 $((2 * N + 2))
on_many W "FLOM_TRACE_MASK=0x8 $(ov_cmd dw dww -a "$IPD" -p 28103 -d 0 -r dw -T "$OV_HOST_DIR/trace.dww")"
ok "dead waiter: V and then W are queued" wait_slow 20 conns_at_least 28103 $((2 * N + 3))

# The cut: one atomic ruleset, both directions at once.
T_CUT=$(now_ms)
ip netns exec "$(netns_name H)" nft -f - <<NFT
table inet cut {
	chain in { type filter hook input priority 0; ip saddr $IPD drop; }
	chain out { type filter hook output priority 0; ip daddr $IPD drop; }
}
NFT
is "$?" 0 "the link between H and D is cut ($((T_CUT - T0)) ms after the start)"
ip netns exec "$(netns_name O)" nft -f - <<NFT
table inet cut {
	chain in { type filter hook input priority 0; ip saddr $IPD drop; }
}
NFT
is "$?" 0 "what D sends to O is lost"
ip -n "$(netns_name V)" link del eth0
touch "$OV_DIR/go.dwh"

# shellcheck disable=SC2086
ok "every waiter runs in the end" wait_slow 120 all_in $WAITERS $ONEWAY_WAITERS
diag "the last waiter ran $(( $(now_ms) - T_CUT )) ms after the cut"
for c in "${CONFIGS[@]}"; do
	read -r name port dka cka cgrace <<<"$c"
	res=$(ov_check "$name")
	first=$(for r in $(seq 1 "$N"); do ov_time in "w$name$r"; done | sort -n | head -n 1)
	last=$(for r in $(seq 1 "$N"); do ov_time out "h$name$r"; done | sort -n | tail -n 1)
	diag "$name (daemon $dka, client $cka, client grace $cgrace ms): $res;" \
		"last holder gone $((last - T_CUT)) ms, first waiter ran $((first - T_CUT)) ms after the cut"
	is "${res%% *}" "overlaps=0" "$name: no overlap in $N rounds"
	gap=${res##*=}
	ok "$name: each holder's command was gone at least 1 s before its waiter ran (min $gap ms)" \
		test "$gap" -ge 1000
	ok "$name: the holders said the lock was lost" \
		grep -q "^flom: lock on ${name}1 lost: " "$OV_DIR/err.h${name}1"
done
for r in 1 2 3; do
	end=$(ov_time end "honeway$r") in=$(ov_time in "woneway$r")
	diag "oneway$r: the holder ended $((end - T_CUT)) ms after the cut, the waiter ran $((in - end)) ms later"
	ok "oneway$r: the waiter ran after the holder's command ended" test -n "$end" -a "${in:-0}" -gt "${end:-0}"
done
ok "oneway: the holders said the lock was lost" grep -q "^flom: lock on oneway1 lost: " "$OV_DIR/err.honeway1"
diag "a lost-lock line: $(head -n 1 "$OV_DIR/err.hshorter1")"

ok "dead waiter: the live waiter runs" wait_for 30 ov_is_in dww
# trace_ms FILE PATTERN: the time (ms) of the first trace line with PATTERN.
trace_ms() { date -d "$(grep -m1 -- "$2" "$1" | cut -d' ' -f1-2)" +%s%3N; }
held=$(( $(trace_ms "$OV_DIR/trace.dww" 'client_recv: <- .*rc="0"') -
	$(trace_ms "$OV_DIR/trace.dwh" 'client_send: -> .*verb="2"') ))
# The "equal" daemon: keepalive 1/1/2, grace 1000: TCP_USER_TIMEOUT 7000 ms.
diag "dead waiter: from the holder's unlock to the next grant $held ms (daemon's bound 7000 ms)"
ok "dead waiter: not kept past the daemon's bound + 2 s ($held < 9000 ms)" test "$held" -lt 9000
ok "dead waiter: its command never ran" never_within 0 ov_is_in dwv

: >"$OV_DIR/go.all"
ip netns exec "$(netns_name H)" nft delete table inet cut
diag "wall time $(( $(now_ms) - T0 )) ms"
done_testing
