#!/usr/bin/env bash
# bench/run.sh FLOM BENCH-BIN-DIR: `make bench`. Every figure of the
# performance targets, side by side with its reference in the same run:
# median, min and max of BENCH_REPS repetitions, and the ratio of medians.
#
#   P1  flom -- true (warm daemon)          / flock FILE true
#   P7  16 shells x 30 flom -r R -- true     / the same with flock (throughput)
#   P2  lock/unlock cycles, one C client     / the limit server (bench/limit_server.c)
#   P3  the same with 16 client processes    / the limit server; FIFO violations counted;
#       also the limit server in FIFO queue mode (one lock handed from client to client)
#   P4  8000 distinct locks on 8000 connections, default settings: time, bytes each
#   P6  cold start flom -d 500 -- true       / a warm run
#   P8  first lock in dynamic mode on a lone host (root: a private network namespace)
#   P9  flom -- true over TLS (RSA 2048, mutual authentication) / the same over plain TCP
#   E1  flom --etcd -r R -- true             / etcdctl lock R true (3-member loopback cluster)
#
# The daemons it uses are its own (own socket directory), started in the
# foreground and stopped by PID. Bounded: about two minutes.
# BENCH_ONLY=E1 (or a comma-separated list: P1,P3,E1...) measures only those
# figures: `make bench BENCH_ONLY=E1`. P1, P6 and P7 are measured together.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -uo pipefail

FLOM=${1:-./flom}
BIN=${2:-$(dirname "$FLOM")/bench}
case "$FLOM" in /*) ;; *) FLOM=$(pwd)/$FLOM ;; esac
[ -x "$FLOM" ] || { echo "bench: no flom binary at $FLOM" >&2; exit 2; }
for t in limit_server load_client; do
	[ -x "$BIN/$t" ] || { echo "bench: no $BIN/$t (make bench builds it)" >&2; exit 2; }
done
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (./setup.sh installs it)" >&2; exit 2; }
REPS=${BENCH_REPS:-5}        # repetitions of every figure
RUNS=${BENCH_RUNS:-100}      # invocations per latency repetition
WIRE_S=${BENCH_WIRE_SECONDS:-1}
HELD=${BENCH_HELD:-8000}
ONLY=${BENCH_ONLY:-}

DIR=$(mktemp -d "${TMPDIR:-/tmp}/flom-bench.XXXXXX")
SOCK=$DIR/flom.sock
PIDS=""
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

now_ns() { date +%s%N; }
wait_for() { # SECONDS CMD...: poll CMD every 10 ms until it succeeds
	local limit=$(($1 * 100)) i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -lt "$limit" ] || return 1
		sleep 0.01
	done
}
spawn() { "$@" </dev/null >>"$DIR/spawned.out" 2>&1 & PID=$!; PIDS="$PIDS $PID"; }
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$DIR"
}
trap cleanup EXIT
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# want FIG...: whether any of these figures is to be measured.
want() {
	local f
	[ -z "$ONLY" ] && return 0
	for f in "$@"; do [[ ",$ONLY," == *",$f,"* ]] && return 0; done
	return 1
}

# record FIG VALUE: one repetition's value of a figure.
record() { echo "$2" >>"$DIR/fig.$1"; }
# stats FIG: "median min max" of its values.
stats() { sort -g "$DIR/fig.$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { stats "$1" | awk '{ print $1 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# row LABEL FIG UNIT [REF-FIG [TARGET]]: one line of the table.
row() {
	local s r=""
	[ -s "$DIR/fig.$2" ] || return 0 # not measured in this run
	read -r -a s <<<"$(stats "$2")"
	[ $# -ge 4 ] && r="$(ratio "${s[0]}" "$(median "$4")")x${5:+ (target $5)}"
	printf '  %-46s %10s %10s %10s %-6s %s\n' "$1" "${s[0]}" "${s[1]}" "${s[2]}" "$3" "$r"
}

# hf_median CMD: median seconds of RUNS invocations, in ms.
hf_ms() {
	hyperfine -N --style none --warmup 5 --runs "$RUNS" --export-csv "$DIR/hf.csv" "$@" \
		>/dev/null 2>"$DIR/hf.err" || { cat "$DIR/hf.err" >&2; return 1; }
	awk -F, 'NR > 1 { printf "%.3f\n", $4 * 1000 }' "$DIR/hf.csv"
}

# shells N M CMD...: N shells, each running CMD M times; completions per second.
shells() {
	local n=$1 m=$2 t0 i
	shift 2
	t0=$(now_ns)
	for ((i = 0; i < n; i++)); do
		(for ((j = 0; j < m; j++)); do "$@" >/dev/null 2>&1; done) &
	done
	wait
	awk -v c=$((n * m)) -v ns=$(($(now_ns) - t0)) 'BEGIN { printf "%.0f\n", c / (ns / 1e9) }'
}

start_flom() { # ARGS...: a foreground daemon, PID in $PID
	spawn "$FLOM" --foreground -d -1 "$@"
}

p1_p6_p7() {
	local r v
	: >"$DIR/x"
	for ((r = 0; r < REPS; r++)); do
		mapfile -t v < <(hf_ms "true" "flock $DIR/x true" "$FLOM -s $SOCK -d 0 -- true")
		record true "${v[0]}"
		record flock "${v[1]}"
		record p1 "${v[2]}"
		# P6: every run meets no daemon (a socket of its own), then a warm one.
		v=$(hyperfine -N --style none --runs 1 -P i 1 10 --export-csv "$DIR/cold.csv" \
			"$FLOM -s $DIR/cold$r-{i}.sock -d 500 -- true" >/dev/null 2>&1 &&
			awk -F, 'NR > 1 { print $4 * 1000 }' "$DIR/cold.csv" | sort -g |
			awk '{ v[NR] = $1 } END { printf "%.3f\n", v[int((NR + 1) / 2)] }')
		record p6 "${v:-0}"
		record p7_flock "$(shells 16 30 flock "$DIR/x" true)"
		record p7 "$(shells 16 30 "$FLOM" -s "$SOCK" -d 0 -r R -- true)"
	done
}

p2_p3() {
	local r v lim=$DIR/limit.sock limq=$DIR/limitq.sock
	spawn "$BIN/limit_server" "$lim"
	LIMIT_PID=$PID
	spawn "$BIN/limit_server" --queue "$limq"
	LIMITQ_PID=$PID
	wait_for 5 test -S "$lim" -a -S "$limq" ||
		{ echo "bench: the limit server did not start" >&2; return; }
	for ((r = 0; r < REPS; r++)); do
		record p2_limit "$("$BIN/load_client" cycle "$lim" "$WIRE_S" 1 | awk '{ print $1 }')"
		record p2 "$("$BIN/load_client" cycle "$SOCK" "$WIRE_S" 1 | awk '{ print $1 }')"
		record p3_limit "$("$BIN/load_client" cycle "$lim" "$WIRE_S" 16 | awk '{ print $1 }')"
		record p3_queue "$("$BIN/load_client" cycle "$limq" "$WIRE_S" 16 | awk '{ print $1 }')"
		v=$("$BIN/load_client" cycle "$SOCK" "$WIRE_S" 16)
		record p3 "${v% *}"
		record p3_fifo "${v#* }"
	done
	stop "$LIMIT_PID"
	stop "$LIMITQ_PID"
}

p4() { # a daemon with default settings, HELD locks on HELD connections
	local sock=$DIR/p4.sock idle held out
	start_flom -s "$sock"
	local pid=$PID
	wait_for 5 test -S "$sock" || return
	"$FLOM" -s "$sock" -d 0 -- true
	idle=$(rss_kib "$pid")
	"$BIN/load_client" hold "$sock" "$HELD" >"$DIR/hold.out" 2>"$DIR/hold.err" &
	local holder=$!
	if wait_for 30 grep -qs '^held' "$DIR/hold.out"; then
		held=$(rss_kib "$pid")
		out=$(awk '{ print $4 }' "$DIR/hold.out")
		record p4_ms "$out"
		record p4_bytes $(((held - idle) * 1024 / HELD))
	else
		echo "  P4: $(tail -n 1 "$DIR/hold.err")"
	fi
	stop "$holder"
	stop "$pid"
}

# P8 needs a network with multicast and nobody else on it: a private network
# namespace with one veth pair, as root. And a /tmp of its own: a
# .serving file a killed daemon of an earlier run left there would (rightly)
# make the next daemon of that group wait out the lock delay.
p8_inner() {
	mount -t tmpfs tmpfs /tmp || exit 1
	ip link set lo up && ip link add v0 type veth peer name v1 &&
		ip link set v0 up && ip link set v1 up &&
		ip route add 224.0.0.0/4 dev v0 || exit 1
	local r t0
	for ((r = 0; r < REPS; r++)); do
		t0=$(now_ns)
		"$FLOM" -A 224.0.0.1 -P $((30000 + r)) -n v0 -d -1 -- true >/dev/null 2>&1 || exit 1
		echo $((($(now_ns) - t0) / 1000000))
	done
}
p8() {
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
		echo "  P8 skipped: needs root for a private network namespace"
		return
	fi
	FLOM=$FLOM REPS=$REPS unshare --pid --fork --net --mount-proc \
		bash -c "$(declare -f now_ns p8_inner); p8_inner" >"$DIR/p8.out" 2>&1 ||
		{ echo "  P8 failed: $(tail -n 1 "$DIR/p8.out")"; return; }
	while read -r v; do record p8 "$v"; done <"$DIR/p8.out"
}

# P9: the cost of TLS on one lock. Two warm TCP daemons on loopback, one with
# TLS; certificates made here with the openssl command (CN = our unique id).
free_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8; do
		p=$((30000 + RANDOM % 30000))
		grep -q ":$(printf '%04X' "$p") 00000000:0000 0A" /proc/net/tcp 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}
p9_certs() {
	local c=$DIR/certs
	mkdir -p "$c" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" \
			-keyout "$c/ca.key" -out "$c/ca.pem" &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$("$FLOM" --unique-id)" \
			-keyout "$c/peer.key" -out "$c/peer.csr" &&
		openssl x509 -req -in "$c/peer.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" \
			-CAcreateserial -days 2 -out "$c/peer.pem"
}
p9() {
	local r v tcp tls tcp_pid tls_pid
	local opts="--tls-certificate=$DIR/certs/peer.pem --tls-private-key=$DIR/certs/peer.key"
	opts="$opts --tls-ca-certificate=$DIR/certs/ca.pem --tls-check-peer-id=yes"
	command -v openssl >/dev/null || { echo "  P9 skipped: no openssl command"; return; }
	p9_certs >"$DIR/certs.log" 2>&1 || { echo "  P9 skipped: $(tail -n 1 "$DIR/certs.log")"; return; }
	tcp=$(free_port) && tls=$(free_port) || { echo "  P9 skipped: no free port"; return; }
	start_flom -a 127.0.0.1 -p "$tcp"
	tcp_pid=$PID
	# shellcheck disable=SC2086
	start_flom -a 127.0.0.1 -p "$tls" $opts
	tls_pid=$PID
	# shellcheck disable=SC2086
	if wait_for 5 "$FLOM" -a 127.0.0.1 -p "$tcp" -d 0 -- true &&
		wait_for 5 "$FLOM" -a 127.0.0.1 -p "$tls" -d 0 $opts -- true; then
		for ((r = 0; r < REPS; r++)); do
			mapfile -t v < <(hf_ms "$FLOM -a 127.0.0.1 -p $tcp -d 0 -- true" \
				"$FLOM -a 127.0.0.1 -p $tls -d 0 $opts -- true")
			record p9_tcp "${v[0]}"
			record p9_tls "${v[1]}"
		done
	else
		echo "  P9: the TCP or TLS daemon does not answer"
	fi
	stop "$tcp_pid"
	stop "$tls_pid"
}

# E1: a 3-member etcd cluster on loopback ports (random, high), its data in
# DIR; lock/unlock cycles of flom --etcd and of etcd's own client, the same
# runs, side by side. Skipped when etcd or etcdctl is missing.
e1_cluster() {
	local base=$1 i cluster=""
	for i in 0 1 2; do cluster="$cluster${cluster:+,}e$i=http://127.0.0.1:$((base + 10 * i + 1))"; done
	for i in 0 1 2; do
		spawn etcd --name "e$i" --data-dir "$DIR/etcd$i" \
			--listen-client-urls "http://127.0.0.1:$((base + 10 * i))" \
			--advertise-client-urls "http://127.0.0.1:$((base + 10 * i))" \
			--listen-peer-urls "http://127.0.0.1:$((base + 10 * i + 1))" \
			--initial-advertise-peer-urls "http://127.0.0.1:$((base + 10 * i + 1))" \
			--initial-cluster "$cluster" --initial-cluster-state new \
			--heartbeat-interval 100 --election-timeout 1000 --log-level error
		ETCD_PIDS="${ETCD_PIDS:-} $PID"
	done
}
e1() {
	local base=$((20000 + RANDOM % 20000)) r v ep="" i
	if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
		echo "  E1 skipped: etcd and etcdctl are needed (./setup.sh installs them)"
		return
	fi
	for i in 0 1 2; do ep="$ep${ep:+,}http://127.0.0.1:$((base + 10 * i))"; done
	e1_cluster "$base"
	if ! wait_for 30 env ETCDCTL_API=3 etcdctl --endpoints="$ep" endpoint health >/dev/null 2>&1; then
		echo "  E1 skipped: the etcd cluster did not become healthy"
	elif ! "$FLOM" --etcd="$ep" -r bench -- true 2>"$DIR/e1.err"; then
		echo "  E1 skipped: $(tail -n 1 "$DIR/e1.err")"
	else
		local fl="$FLOM --etcd=$ep -r bench -- true"
		local ctl="env ETCDCTL_API=3 etcdctl --endpoints=$ep lock bench true"
		for ((r = 0; r < REPS; r++)); do
			# Each goes first in every other repetition: a load that
			# changes during the run weighs on both alike.
			if ((r % 2 == 0)); then
				mapfile -t v < <(RUNS=${BENCH_ETCD_RUNS:-30} hf_ms "$fl" "$ctl")
			else
				mapfile -t v < <(RUNS=${BENCH_ETCD_RUNS:-30} hf_ms "$ctl" "$fl")
				v=("${v[1]}" "${v[0]}")
			fi
			record e1 "${v[0]}"
			record e1_etcdctl "${v[1]}"
		done
	fi
	for i in $ETCD_PIDS; do kill -9 "$i" 2>/dev/null; wait "$i" 2>/dev/null; done
}

echo "flom bench: $FLOM"
echo "host: $(nproc) CPU(s), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg); $REPS repetitions${ONLY:+; only $ONLY}"
start_flom -s "$SOCK"
wait_for 5 test -S "$SOCK" || { echo "bench: the daemon did not start" >&2; cat "$DIR/spawned.out" >&2; exit 1; }
"$FLOM" -s "$SOCK" -d 0 -- true || { echo "bench: flom cannot lock" >&2; exit 1; }
want P1 P6 P7 && p1_p6_p7
want P2 P3 && p2_p3
want P4 && p4
want P8 && p8
want P9 && p9
want E1 && e1

echo
printf '  %-46s %10s %10s %10s %-6s %s\n' "figure" "median" "min" "max" "unit" "ratio of medians"
row "true" true ms
row "flock FILE true" flock ms
row "P1 flom -- true, warm daemon (UNIX)" p1 ms flock "<= 1.15"
row "P6 flom -d 500 -- true, no daemon (cold)" p6 ms p1 "<= 1.5"
row "P7 flock, 16 shells x 30, one file" p7_flock "/s"
row "P7 flom, 16 shells x 30, one resource" p7 "/s" p7_flock ">= 0.9"
row "P2 limit server, 1 client" p2_limit "/s"
row "P2 flom daemon, 1 client" p2 "/s" p2_limit ">= 0.9"
row "P3 limit server, 16 clients" p3_limit "/s"
row "P3 flom daemon, 16 clients, one resource" p3 "/s" p3_limit ">= 0.8"
row "P3 FIFO violations seen by the clients" p3_fifo "grants"
row "P3 limit server, FIFO queue mode, 16 clients" p3_queue "/s" p3_limit
row "P3 flom daemon / the queue mode" p3 "/s" p3_queue
[ -s "$DIR/fig.p4_ms" ] && row "P4 $HELD locks held, time to hold all" p4_ms ms &&
	row "P4 daemon memory per held lock" p4_bytes bytes
[ -s "$DIR/fig.p8" ] && row "P8 first lock, dynamic mode, lone host" p8 ms
[ -s "$DIR/fig.p9_tls" ] && row "P9 flom -- true, warm daemon, TCP loopback" p9_tcp ms &&
	row "P9 the same over TLS (RSA 2048, peer-id check)" p9_tls ms p9_tcp "cost of TLS"
[ -s "$DIR/fig.e1" ] && row "E1 etcdctl lock R true, 3-member cluster" e1_etcdctl ms &&
	row "E1 flom --etcd -r R -- true, same cluster" e1 ms e1_etcdctl "<= 1.0"
exit 0
