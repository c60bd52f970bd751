# flom test library: a 3-member etcd cluster on loopback, for the --etcd
# scenarios. Source after common.sh and `isolate` (as root the members then
# live in the scenario's own network namespace and private /tmp):
#   . "$FLOM_SRCDIR/tests/lib/etcd.sh"; etcd_require; etcd_start
# Members are started and stopped by PID (ETCD_PIDS[i]); clients reach them at
# ETCD_ENDPOINTS (comma-separated http URLs, 127.0.0.1) or ETCD_ENDPOINTS_ALT
# (127.0.0.2, root only). Ports are fixed: the namespace
# is private. Not root: random ports, still loopback only.

ETCD_BIN=${ETCD_BIN:-$(command -v etcd 2>/dev/null)}
ETCDCTL_BIN=${ETCDCTL_BIN:-$(command -v etcdctl 2>/dev/null)}
export ETCDCTL_API=3

# Skip the whole script (TAP) when etcd, etcdctl or the etcd backend is missing.
etcd_require() {
	[ -n "$ETCD_BIN" ] || skip_all "the etcd binary is missing (Debian package etcd-server)"
	[ -n "$ETCDCTL_BIN" ] || skip_all "etcdctl is missing (Debian package etcd-client)"
	"$FLOM_BIN" --etcd=http://127.0.0.1:1 -o 0 -- true 2>&1 |
		grep -q 'built without etcd' && skip_all "flom was built --without-etcd"
	return 0
}

etcd_ports() {
	local base
	if [ -n "${FLOM_ISOLATED:-}" ]; then
		ETCD_CLIENT_PORTS=(12379 22379 32379)
		ETCD_PEER_PORTS=(12380 22380 32380)
	else
		base=$((20000 + RANDOM % 30000))
		ETCD_CLIENT_PORTS=($base $((base + 2)) $((base + 4)))
		ETCD_PEER_PORTS=($((base + 1)) $((base + 3)) $((base + 5)))
	fi
}

# etcd_member I: start member I (0..2) in the background; its PID in ETCD_PIDS[I].
etcd_member() {
	local i=$1 cluster="" j
	for j in 0 1 2; do
		cluster="$cluster${cluster:+,}m$j=http://127.0.0.1:${ETCD_PEER_PORTS[j]}"
	done
	"$ETCD_BIN" --name "m$i" --data-dir "$TEST_TMP/etcd.m$i" \
		--listen-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORTS[i]},http://127.0.0.2:${ETCD_CLIENT_PORTS[i]}" \
		--advertise-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORTS[i]}" \
		--listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[i]}" \
		--initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[i]}" \
		--initial-cluster "$cluster" --initial-cluster-state new \
		--initial-cluster-token "flomtest" \
		--heartbeat-interval 100 --election-timeout 1000 \
		--log-level error >"$TEST_TMP/etcd.m$i.log" 2>&1 &
	ETCD_PIDS[i]=$!
	STARTED_PIDS="$STARTED_PIDS $!"
}

etcd_healthy() {
	"$ETCDCTL_BIN" --endpoints="$ETCD_ENDPOINTS" --command-timeout=2s \
		endpoint health >/dev/null 2>&1
}

# etcd_start: three members, healthy (bounded wait); 1 when they are not.
etcd_start() {
	local i
	etcd_ports
	ETCD_ENDPOINTS="" ETCD_ENDPOINTS_ALT=""
	for i in 0 1 2; do
		ETCD_ENDPOINTS="$ETCD_ENDPOINTS${ETCD_ENDPOINTS:+,}http://127.0.0.1:${ETCD_CLIENT_PORTS[i]}"
		ETCD_ENDPOINTS_ALT="$ETCD_ENDPOINTS_ALT${ETCD_ENDPOINTS_ALT:+,}http://127.0.0.2:${ETCD_CLIENT_PORTS[i]}"
	done
	# The same members at a second loopback address: a firewall rule on it
	# cuts off the clients that use it, and only them (tests/net/etcd_faults.sh).
	export ETCD_ENDPOINTS ETCD_ENDPOINTS_ALT
	for i in 0 1 2; do etcd_member "$i"; done
	CLEANUP_HOOKS="${CLEANUP_HOOKS:-} etcd_stop"
	wait_for 30 etcd_healthy
}

# etcd_kill I: SIGKILL member I (a member without quorum is slow to stop on TERM).
etcd_kill() {
	kill -9 "${ETCD_PIDS[$1]}" 2>/dev/null
	wait "${ETCD_PIDS[$1]}" 2>/dev/null
	ETCD_PIDS[$1]=""
}
etcd_stop() { local i; for i in 0 1 2; do [ -z "${ETCD_PIDS[i]:-}" ] || etcd_kill "$i"; done; }

# etcd_leader: index (0..2) of the current leader member, or nothing.
etcd_leader() {
	local i st
	for i in 0 1 2; do
		st=$("$ETCDCTL_BIN" --endpoints="http://127.0.0.1:${ETCD_CLIENT_PORTS[i]}" \
			--command-timeout=2s endpoint status -w fields 2>/dev/null) || continue
		# IDs are 64-bit: compared as strings, not as awk's doubles.
		echo "$st" | awk '$1 == "\"MemberID\"" { m = $3 } $1 == "\"Leader\"" { l = $3 }
			END { exit !(l != "" && l != "0" && (l "") == (m "")) }' && { echo "$i"; return 0; }
	done
	return 1
}

# etcdctl_ ARGS...: etcdctl against this cluster, bounded.
etcdctl_() { timeout -k 2 90 "$ETCDCTL_BIN" --endpoints="$ETCD_ENDPOINTS" "$@"; }
# etcd_keys PREFIX: the keys under PREFIX, one a line.
etcd_keys() { etcdctl_ get --prefix --keys-only "$1" | sed '/^$/d'; }
# etcd_lease KEY [GET-OPTIONS...]: the lease of the first key found, in hex
# (etcdctl prints it in decimal; bash's printf keeps all 64 bits, awk would not).
etcd_lease() {
	local id
	id=$(etcdctl_ get "$@" -w fields | awk '$1 == "\"Lease\"" { print $3; exit }')
	[ -n "$id" ] && printf '%x\n' "$id"
}
etcd_has_leader() { etcd_leader >/dev/null; }
