# flom test library: several "hosts" on one machine, for multi-host scenarios.
#
#   . "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
#   . "$FLOM_SRCDIR/tests/lib/netns.sh"
#   netns_setup A B            # hosts A and B, or skip the whole script
#   on_host A flom ...         # run a command on host A
#
# Each host is a network namespace with one interface, eth0, plugged into a
# bridge that lives in a hub namespace, so multicast sent by one host reaches
# every other. eth0 has only its IPv6 link-local address (as in the seeds'
# transcripts) plus a private IPv4 address 10.77.0.N/24 and a route for
# 224.0.0.0/4. Duplicate address detection is off, so addresses are usable at
# once. Each host has its own /tmp (a daemon's default UNIX socket lives
# there); $NETNS_SHARED (/tmp/shared on every host) is one directory that all
# hosts and the script see.
#
# The script runs inside isolate's PID and mount namespace: /run/netns is a
# private tmpfs there, names carry the script's PID, and everything is killed
# and deleted at exit (and dies with the PID namespace anyway).

NETNS_PREFIX="flom$$"
NETNS_HUB="${NETNS_PREFIX}hub"
NETNS_HOSTS=""
NETNS_N=0

# The network of the hosts.
NETNS_IPV4_NET=10.77.0

# Directories as this script sees them, and the shared one as hosts see it.
NETNS_ROOT="$TEST_TMP/netns"
NETNS_SHARED_HERE="$NETNS_ROOT/shared"
# shellcheck disable=SC2034 # for the scripts
NETNS_SHARED=/tmp/shared

netns_name() { echo "${NETNS_PREFIX}$1"; }

# As root the hosts must work: a broken setup is an error, not a skip.
netns_fail_setup() {
	echo "Bail out! multi-host setup failed: $*"
	exit 1
}

netns_init() {
	need_root "multi-host scenario"
	case "$FLOM_BIN" in
	/tmp/*) skip_all "the flom binary lives in /tmp, which every simulated host replaces" ;;
	esac
	for c in ip unshare mount; do
		command -v "$c" >/dev/null || skip_all "$c is not installed"
	done
	mkdir -p /run/netns || netns_fail_setup "cannot create /run/netns"
	# Private to this mount namespace: names never collide with other runs
	# and nothing is left on the real /run when the script dies.
	mount -t tmpfs -o mode=0755 tmpfs /run/netns || netns_fail_setup "cannot mount /run/netns"
	mkdir -p "$NETNS_SHARED_HERE" && chmod 0777 "$NETNS_SHARED_HERE"
	CLEANUP_HOOKS="${CLEANUP_HOOKS:-} netns_cleanup"
	ip netns add "$NETNS_HUB" 2>"$NETNS_ROOT/err" ||
		netns_fail_setup "ip netns add: $(cat "$NETNS_ROOT/err")"
	ip -n "$NETNS_HUB" link set lo up
	# No snooping: the bridge floods every group to every host, as a plain
	# switch without an IGMP/MLD querier does.
	ip -n "$NETNS_HUB" link add br0 type bridge mcast_snooping 0 stp_state 0 ||
		netns_fail_setup "cannot create a bridge"
	ip -n "$NETNS_HUB" link set br0 up
}

netns_link_ready() {
	ip -n "$1" -6 addr show dev eth0 scope link 2>/dev/null | grep -q 'inet6 fe80' &&
		! ip -n "$1" -6 addr show dev eth0 2>/dev/null | grep -q tentative
}

# netns_add_host NAME: a host with eth0 on the bridge.
netns_add_host() {
	local h=$1 ns
	ns=$(netns_name "$h")
	NETNS_N=$((NETNS_N + 1))
	ip netns add "$ns" || netns_fail_setup "ip netns add $ns"
	NETNS_HOSTS="$NETNS_HOSTS $h"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 || netns_fail_setup "sysctl in $ns"
	ip -n "$ns" link set lo up
	ip -n "$NETNS_HUB" link add "p$h" type veth peer name eth0 netns "$ns" ||
		netns_fail_setup "cannot create a veth pair for $h"
	ip -n "$NETNS_HUB" link set "p$h" master br0 up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" addr add "$NETNS_IPV4_NET.$NETNS_N/24" dev eth0
	ip -n "$ns" route add 224.0.0.0/4 dev eth0
	wait_for 5 netns_link_ready "$ns" || netns_fail_setup "no link-local address on $h"
	# The host's /tmp, with the shared directory inside it.
	mkdir -p "$NETNS_ROOT/$h/tmp/shared"
	chmod 1777 "$NETNS_ROOT/$h/tmp"
	mount --bind "$NETNS_SHARED_HERE" "$NETNS_ROOT/$h/tmp/shared" ||
		netns_fail_setup "cannot share a directory with $h"
	eval "NETNS_IPV4_$h=$NETNS_IPV4_NET.$NETNS_N"
}

# netns_setup HOST...: the whole network, or the script is skipped.
netns_setup() {
	netns_init
	for h in "$@"; do
		netns_add_host "$h"
	done
}

# on_host HOST CMD...: run CMD on HOST (its network, its /tmp), in the
# directory $NETNS_CWD (default /tmp). ip, unshare and sh all exec, so the
# PID of an on_host started with & is the PID CMD ends up with.
NETNS_RUN='mount --rbind "$0" /tmp && cd "${NETNS_CWD:-/tmp}" && exec "$@"'
on_host() {
	local h=$1
	shift
	ip netns exec "$(netns_name "$h")" unshare --mount --propagation private \
		sh -c "$NETNS_RUN" "$NETNS_ROOT/$h/tmp" "$@"
}

# spawn_on HOST CMD...: CMD on HOST in the background; its PID is in
# $SPAWNED (and in STARTED_PIDS, killed at exit). Redirect with the call.
spawn_on() {
	local h=$1
	shift
	ip netns exec "$(netns_name "$h")" unshare --mount --propagation private \
		sh -c "$NETNS_RUN" "$NETNS_ROOT/$h/tmp" "$@" &
	SPAWNED=$!
	STARTED_PIDS="$STARTED_PIDS $SPAWNED"
}

# Whether PID has ended (gone, or a zombie waiting for the script's wait).
has_exited() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -z "$st" ] || [ "${st#Z}" != "$st" ]
}

# The IPv6 link-local address of HOST's eth0 (no scope).
netns_ll() {
	ip -n "$(netns_name "$1")" -6 addr show dev eth0 scope link |
		sed -n 's/.*inet6 \(fe80[^/]*\)\/.*/\1/p' | head -n 1
}

# The private IPv4 address of HOST.
netns_ipv4() { eval "echo \$NETNS_IPV4_$1"; }

# PIDs of the daemons running on HOST: flom processes outside this script's
# session (a daemon calls setsid; the clients the script starts do not).
# The processes of HOST are found by their network namespace's inode in one
# pass over /proc (`ip netns pids` and a ps per process were seen to miss a
# running daemon on a loaded machine).
netns_daemon_pids() {
	local ino sid f p
	ino=$(stat -L -c %i "/run/netns/$(netns_name "$1")" 2>/dev/null) || return 0
	sid=$(awk '{ print $6 }' /proc/$$/stat)
	for f in $(find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' \
		-lname "net:\[$ino\]" 2>/dev/null); do
		p=${f#/proc/}
		cat "/proc/${p%%/*}/stat" 2>/dev/null
	done | awk -v s="$sid" '$2 == "(flom)" && $6 != s { print $1 }'
}
netns_count_daemons() { netns_daemon_pids "$1" | wc -l | tr -d ' '; }
netns_no_daemon() { [ "$(netns_count_daemons "$1")" = 0 ]; }

# Whether something on HOST is bound to UDP PORT (e.g. a server is ready).
netns_udp_bound() {
	local hex
	hex=$(printf ':%04X' "$2")
	ip netns exec "$(netns_name "$1")" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
		awk '{ print $2 }' | grep -q -- "$hex\$"
}

# Kill PIDS (SIGTERM, then SIGKILL after a bounded wait).
netns_kill() {
	[ -n "$*" ] || return 0
	kill "$@" 2>/dev/null
	wait_for 2 pid_gone "$@" || kill -9 "$@" 2>/dev/null
}

# Stop the daemons of HOST and wait (bounded) until they are gone.
netns_kill_daemons() {
	# shellcheck disable=SC2046
	netns_kill $(netns_daemon_pids "$1")
	wait_for 5 netns_no_daemon "$1"
}

netns_kill_host() {
	# shellcheck disable=SC2046
	netns_kill $(ip netns pids "$(netns_name "$1")" 2>/dev/null)
}

netns_cleanup() {
	local h
	for h in $NETNS_HOSTS; do
		netns_kill_host "$h"
		umount "$NETNS_ROOT/$h/tmp/shared" 2>/dev/null
		ip netns del "$(netns_name "$h")" 2>/dev/null
	done
	NETNS_HOSTS=""
	ip netns del "$NETNS_HUB" 2>/dev/null
}

# Firewall of HOST: drop incoming UDP to PORT (nft, inside the namespace).
netns_drop_udp() {
	local ns
	ns=$(netns_name "$1")
	ip netns exec "$ns" nft add table inet flomtest &&
		ip netns exec "$ns" nft add chain inet flomtest in \
			'{ type filter hook input priority 0; }' &&
		ip netns exec "$ns" nft add rule inet flomtest in udp dport "$2" drop
}
netns_flush_firewall() {
	ip netns exec "$(netns_name "$1")" nft delete table inet flomtest 2>/dev/null
}
have_nft() { command -v nft >/dev/null; }
