#!/usr/bin/env bash
# bench/run.sh FLOM: `make bench`. Side by side in one run, medians, ratios:
#   latency of one command: true, flock(1), flom over the UNIX socket (warm
#     daemon), flom over TCP 127.0.0.1;
#   throughput: sequential flock(1)/flom processes, and wire-level lock/unlock
#     cycles against the daemon (sequential, and concurrent on one resource);
#   memory of the daemon (VmRSS): idle, with 1000 held locks, idle again.
# Bounded: well under two minutes. BENCH_TOOL=loop: shell loops even when
# hyperfine is installed. The daemons it uses are its own (own socket
# directory, own TCP port), started in the foreground and stopped by PID.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -uo pipefail

FLOM=${1:-./flom}
case "$FLOM" in /*) ;; *) FLOM=$(pwd)/$FLOM ;; esac
[ -x "$FLOM" ] || { echo "bench: no flom binary at $FLOM" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${BENCH_RUNS:-200}        # invocations per latency figure
LOOP_RUNS=${BENCH_LOOP_RUNS:-5} # repetitions in the no-hyperfine fallback
SECONDS_WIRE=${BENCH_WIRE_SECONDS:-2}
HELD=${BENCH_HELD:-1000}
CONC=${BENCH_CONC:-8}

DIR=$(mktemp -d "${TMPDIR:-/tmp}/flom-bench.XXXXXX")
SOCK=$DIR/flom.sock
DAEMON_PIDS=""

# The daemon may hold one descriptor per held lock.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 4096 2>/dev/null || true

now_ns() { date +%s%N; }

wait_for() {
	local limit_ms=$(($1 * 1000)) t0
	shift
	t0=$(now_ns)
	while ! "$@"; do
		[ $((($(now_ns) - t0) / 1000000)) -lt "$limit_ms" ] || return 1
		sleep 0.01
	done
}

# start_daemon ARGS...: a daemon in the foreground of a background job, so its
# PID is known (in $DAEMON_PID); it lives until stop_daemon.
start_daemon() {
	"$FLOM" --foreground -d -1 "$@" </dev/null >>"$DIR/daemon.out" 2>&1 &
	DAEMON_PID=$!
	DAEMON_PIDS="$DAEMON_PIDS $DAEMON_PID"
}

stop_daemon() { # PID ARGS...: ask it to exit (-X), then make sure by PID
	local pid=$1
	shift
	"$FLOM" "$@" -X >/dev/null 2>&1
	wait_for 3 sh -c "! kill -0 $pid 2>/dev/null" || kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

cleanup() {
	local p
	for p in $DAEMON_PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$DIR"
}
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

free_port() {
	local p
	for p in $(shuf -i 20000-29999 -n 50); do
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
	echo 28015
}

# ---- latency ---------------------------------------------------------------
# latency NAME CMD...: median seconds of one invocation of CMD.
LAT_NAMES=()
LAT_MEDIANS=()
latency_hyperfine() {
	local csv=$DIR/hf.csv
	hyperfine -N --style none --warmup 10 --runs "$RUNS" --export-csv "$csv" \
		"$@" >/dev/null 2>"$DIR/hf.err" || { cat "$DIR/hf.err" >&2; return 1; }
	# columns: command,mean,stddev,median,user,system,min,max
	awk -F, 'NR > 1 { print $4 }' "$csv"
}
latency_loop() { # one command, median of LOOP_RUNS loops of RUNS/LOOP_RUNS
	local n=$((RUNS / LOOP_RUNS)) r i t0 argv
	# The program itself, as hyperfine runs it (not a shell builtin).
	read -r -a argv <<<"$1"
	argv[0]=$(type -P "${argv[0]}")
	for ((r = 0; r < LOOP_RUNS; r++)); do
		t0=$(now_ns)
		for ((i = 0; i < n; i++)); do
			"${argv[@]}" >/dev/null 2>&1
		done
		echo "$((($(now_ns) - t0) / n))"
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.9f\n", v[int((NR + 1) / 2)] / 1e9 }'
}
measure_latency() {
	local names=("$@") c
	if [ "${BENCH_TOOL:-}" != loop ] && command -v hyperfine >/dev/null; then
		mapfile -t LAT_MEDIANS < <(latency_hyperfine "${names[@]}")
		LATENCY_TOOL="hyperfine $(hyperfine --version | awk '{ print $2 }'), median of $RUNS runs"
	else
		LAT_MEDIANS=()
		for c in "${names[@]}"; do LAT_MEDIANS+=("$(latency_loop "$c")"); done
		LATENCY_TOOL="shell loop (no hyperfine), median of $LOOP_RUNS loops of $((RUNS / LOOP_RUNS))"
	fi
	LAT_NAMES=("${names[@]}")
}

# ---- throughput of processes -------------------------------------------------
# per_second SECONDS CMD...: how many times CMD completes, one after the other.
per_second() {
	local limit_ns=$(($1 * 1000000000)) n=0 t0 t
	shift
	t0=$(now_ns)
	while :; do
		"$@" >/dev/null 2>&1 || return 1
		n=$((n + 1))
		t=$(($(now_ns) - t0))
		[ "$t" -lt "$limit_ns" ] || break
	done
	echo $((n * 1000000000 / t))
}
# concurrent SECONDS P CMD...: P loops of CMD at once; total completions/s.
concurrent() {
	local secs=$1 p=$2 i total=0 t0 t pids=""
	shift 2
	t0=$(now_ns)
	for ((i = 0; i < p; i++)); do
		(per_second "$secs" "$@" >"$DIR/conc.$i") &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	t=$(($(now_ns) - t0))
	for ((i = 0; i < p; i++)); do
		total=$((total + $(cat "$DIR/conc.$i" 2>/dev/null || echo 0)))
	done
	# each loop reported its own rate over about the same wall time
	echo "$total"
}

fmt_ms() { awk -v s="$1" 'BEGIN { printf "%8.3f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%7.2f", a / b; else printf "%7s", "-" }'; }

# ---- run -------------------------------------------------------------------
echo "flom bench: $FLOM"
echo "host: $(nproc) CPU(s), $(uname -sr); run directory $DIR"

start_daemon -s "$SOCK"
UNIX_PID=$DAEMON_PID
if ! wait_for 5 test -S "$SOCK"; then
	echo "bench: the daemon did not start on $SOCK:" >&2
	cat "$DIR/daemon.out" >&2
	exit 1
fi
FRESH=$(rss_kib "$UNIX_PID")
PORT=$(free_port)
start_daemon -a 127.0.0.1 -p "$PORT"
TCP_PID=$DAEMON_PID
wait_for 5 sh -c "ss -Hltn 'sport = :$PORT' | grep -q ." ||
	echo "bench: the TCP daemon is not listening on 127.0.0.1:$PORT" >&2

: >"$DIR/x"
# Warm both daemons, and fail early if flom cannot lock at all.
"$FLOM" -s "$SOCK" -d 0 -- true || { echo "bench: flom -s $SOCK -- true failed" >&2; exit 1; }
"$FLOM" -a 127.0.0.1 -p "$PORT" -d 0 -- true ||
	echo "bench: flom over TCP failed" >&2

measure_latency \
	"true" \
	"flock $DIR/x true" \
	"$FLOM -s $SOCK -d 0 -- true" \
	"$FLOM -a 127.0.0.1 -p $PORT -d 0 -- true"
LABELS=("true" "flock(1) FILE true" "flom -- true (UNIX socket)" "flom -a 127.0.0.1 -- true (TCP)")

echo
echo "latency of one command ($LATENCY_TOOL)"
printf '  %-34s %11s %8s %8s\n' "command" "median" "x true" "x flock"
for i in "${!LABELS[@]}"; do
	printf '  %-34s %11s %8s %8s\n' "${LABELS[$i]}" "$(fmt_ms "${LAT_MEDIANS[$i]:-0}")" \
		"$(ratio "${LAT_MEDIANS[$i]:-0}" "${LAT_MEDIANS[0]:-0}")" \
		"$(ratio "${LAT_MEDIANS[$i]:-0}" "${LAT_MEDIANS[1]:-0}")"
done

echo
echo "throughput (lock/unlock cycles per second)"
printf '  %-52s %9s %9s\n' "what" "per s" "x flock"
FLOCK_SEQ=$(per_second 2 flock "$DIR/x" true)
FLOM_SEQ=$(per_second 2 "$FLOM" -s "$SOCK" -d 0 -- true || echo 0)
FLOCK_CONC=$(concurrent 2 "$CONC" flock "$DIR/x" true)
FLOM_CONC=$(concurrent 2 "$CONC" "$FLOM" -s "$SOCK" -d 0 -- true)
printf '  %-52s %9s %9s\n' "flock(1) processes, sequential" "$FLOCK_SEQ" "$(ratio "$FLOCK_SEQ" "$FLOCK_SEQ")"
printf '  %-52s %9s %9s\n' "flom processes, sequential" "$FLOM_SEQ" "$(ratio "$FLOM_SEQ" "$FLOCK_SEQ")"
printf '  %-52s %9s %9s\n' "flock(1) processes, $CONC concurrent, one file" "$FLOCK_CONC" "$(ratio "$FLOCK_CONC" "$FLOCK_CONC")"
printf '  %-52s %9s %9s\n' "flom processes, $CONC concurrent, one resource" "$FLOM_CONC" "$(ratio "$FLOM_CONC" "$FLOCK_CONC")"
if command -v python3 >/dev/null; then
	W_SEQ=$(python3 "$HERE/wire.py" seq "$SOCK" "$SECONDS_WIRE" 2>"$DIR/wire.err" || echo "failed")
	W_CONC=$(python3 "$HERE/wire.py" conc "$SOCK" "$SECONDS_WIRE" "$CONC" 2>>"$DIR/wire.err" || echo "failed")
	printf '  %-52s %9s\n' "daemon, wire level, sequential (1 connection/lock)" "$W_SEQ"
	printf '  %-52s %9s\n' "daemon, wire level, $CONC clients on one resource" "$W_CONC"
	[ -s "$DIR/wire.err" ] && sed 's/^/  wire.py: /' "$DIR/wire.err" | tail -n 3
else
	echo "  (wire-level figures need python3)"
fi

echo
echo "memory of the daemon (VmRSS, UNIX socket daemon, pid $UNIX_PID)"
IDLE=$(rss_kib "$UNIX_PID")
printf '  %-34s %8s KiB\n' "idle, just started" "$FRESH"
printf '  %-34s %8s KiB\n' "idle, after the runs above" "$IDLE"
if command -v python3 >/dev/null; then
	python3 "$HERE/wire.py" hold "$SOCK" "$HELD" "$DIR/release" >"$DIR/hold.out" 2>"$DIR/hold.err" &
	HOLD=$!
	if wait_for 30 grep -qs "^held $HELD" "$DIR/hold.out"; then
		FULL=$(rss_kib "$UNIX_PID")
		printf '  %-34s %8s KiB  (%s bytes per held lock)\n' "$HELD held locks" "$FULL" \
			"$(((FULL - IDLE) * 1024 / HELD))"
	else
		echo "  could not hold $HELD locks: $(tail -n 1 "$DIR/hold.err")"
	fi
	: >"$DIR/release"
	wait "$HOLD"
	# Released resources linger a moment (idle lifespan), then go.
	wait_for 5 sh -c "[ \$(ls /proc/$UNIX_PID/fd | wc -l) -lt 20 ]"
	printf '  %-34s %8s KiB\n' "after the locks were released" "$(rss_kib "$UNIX_PID")"
else
	echo "  (the held-locks figure needs python3)"
fi

stop_daemon "$TCP_PID" -a 127.0.0.1 -p "$PORT"
stop_daemon "$UNIX_PID" -s "$SOCK"
