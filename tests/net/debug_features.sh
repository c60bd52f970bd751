#!/bin/bash
# The multicast debugger (--debug-feature=...) across two hosts: the seeds'
# transcripts exactly, traces only with FLOM_TRACE_MASK=0x10000, a firewall
# and a node-local group diagnosed instead of a freeze, the IPv4 twins, a
# dynamic-mode daemon's announcements never answered, and bad names or groups
# refused with status 1.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
netns_setup A B
unset FLOM_TRACE_MASK

SEED_SERVER="Arrived datagram is 'HELLO'
Sent datagram is 'WELCOME'"
SEED_CLIENT="Sent datagram is 'HELLO'
Arrived datagram is 'WELCOME'"

# pair TAG SERVER_HOST CLIENT_HOST "SERVER ARGS" "CLIENT ARGS" [ENV]
# Runs a server in the background and a client in the foreground; sets
# SRV_RC, CLI_RC and CLI_MS (the client's duration). Outputs in TAG.{s,c}.{out,err}.
pair() {
	local tag=$1 sh=$2 ch=$3 sargs=$4 cargs=$5 envs=${6:-FLOM_NOTHING=1} t0 spid
	# shellcheck disable=SC2086
	spawn_on "$sh" env $envs "$FLOM_BIN" $sargs >"$tag.s.out" 2>"$tag.s.err"
	spid=$SPAWNED
	wait_for 5 netns_udp_bound "$sh" "${PORT:-28015}" || diag "$tag: server not bound"
	t0=$(now_ms)
	# shellcheck disable=SC2086
	on_host "$ch" env $envs "$FLOM_BIN" $cargs >"$tag.c.out" 2>"$tag.c.err"
	CLI_RC=$?
	CLI_MS=$(( $(now_ms) - t0 ))
	wait_for 3 has_exited "$spid" || kill "$spid" 2>/dev/null
	wait "$spid"
	SRV_RC=$?
}

show() { sed 's/^/# /' "$@"; }

# ---- the seeds: ff02::1 across two hosts, with and without -n ----
pair seed_n B A "--debug-feature=ipv6.multicast.server -A ff02::1 -n eth0" \
	"--debug-feature=ipv6.multicast.client -A ff02::1 -n eth0"
is "$SRV_RC" 0 "ff02::1 -n eth0: server exits 0"
is "$CLI_RC" 0 "ff02::1 -n eth0: client exits 0"
is "$(cat seed_n.s.out)" "$SEED_SERVER" "ff02::1 -n eth0: server stdout is the seed's two lines"
is "$(cat seed_n.c.out)" "$SEED_CLIENT" "ff02::1 -n eth0: client stdout is the seed's two lines"
is "$(cat seed_n.s.err seed_n.c.err)" "" "no trace and no message on stderr without FLOM_TRACE_MASK"

pair seed B A "--debug-feature=IPv6.Multicast.Server -A ff02::1" \
	"--debug-feature=ipv6.multicast.CLIENT -A ff02::1"
is "$SRV_RC.$CLI_RC" 0.0 "ff02::1 without -n, names in any case: both exit 0"
is "$(cat seed.s.out)" "$SEED_SERVER" "seed command without -n: server stdout"
is "$(cat seed.c.out)" "$SEED_CLIENT" "seed command without -n: client stdout"

# ---- traces with 0x10000 ----
pair trace B A "--debug-feature=ipv6.multicast.server -A ff02::1 -n eth0" \
	"--debug-feature=ipv6.multicast.client -A ff02::1 -n eth0" FLOM_TRACE_MASK=0x10000
is "$SRV_RC.$CLI_RC" 0.0 "with tracing: both exit 0"
is "$(cat trace.s.out)" "$SEED_SERVER" "with tracing: server stdout is still the two lines"
is "$(cat trace.c.out)" "$SEED_CLIENT" "with tracing: client stdout is still the two lines"
trace_has() {
	# trace_has FILE PATTERN DESCRIPTION: a trace line (date, [pid/thread]) with PATTERN
	ok "$3" grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ \[[0-9]+/0x[0-9a-f]+\] .*$2" "$1"
}
trace_has trace.s.err "multicast address='ff02::1', multicast port=28015" "server trace: group and port"
trace_has trace.s.err "getaddrinfo\(\) result 1: .*IPv6 address, sin6_port=28015, sin6_flowinfo=0x0, sin6_addr='ff02::1', sin6_scope_id=" \
	"server trace: the getaddrinfo result"
trace_has trace.s.err "setting SO_REUSEADDR to value 1" "server trace: socket option"
trace_has trace.s.err "binding to address: .*sin6_port=28015.*sin6_addr='::'" "server trace: bind address"
trace_has trace.s.err "address returned by getsockname\(\).*sin6_port=28015" "server trace: getsockname"
trace_has trace.s.err "joining group 'ff02::1' on interface eth0" "server trace: the join on -n eth0"
trace_has trace.s.err "arrived datagram 'HELLO'" "server trace: the datagram as text"
trace_has trace.s.err "48 45 4c 4c 4f $" "server trace: the datagram as hex bytes"
trace_has trace.s.err "address returned by recvfrom\(\).*sin6_addr='$(netns_ll A)', sin6_scope_id=[1-9]" \
	"server trace: the peer address with its scope id"
trace_has trace.s.err "sent_bytes=7" "server trace: bytes sent"
trace_has trace.c.err "setting IPV6_MULTICAST_HOPS to value 1" "client trace: hop limit"
trace_has trace.c.err "setting IPV6_MULTICAST_IF to interface eth0" "client trace: outgoing interface"
trace_has trace.c.err "destination address: .*sin6_addr='ff02::1'" "client trace: destination"
trace_has trace.c.err "57 45 4c 43 4f 4d 45 $" "client trace: WELCOME as hex bytes"
trace_has trace.c.err "address returned by recvfrom\(\).*sin6_addr='$(netns_ll B)'" "client trace: the server's address"
ok "trace lines go to stderr only" sh -c "! grep -q '\[[0-9]*/0x' trace.s.out trace.c.out"

# ---- a firewall dropping UDP 28015 on the server's host ----
if have_nft && netns_drop_udp B 28015; then
	pair fw B A "--debug-feature=ipv6.multicast.server -A ff02::1 -n eth0" \
		"--debug-feature=ipv6.multicast.client -A ff02::1 -n eth0 -D 2 -I 500"
	is "$CLI_RC" 1 "firewall: the client gives up with status 1"
	ok "firewall: within attempts x timeout + 1.5 s (took ${CLI_MS} ms)" test "$CLI_MS" -lt 2500
	ok "firewall: it waited for its attempts (took ${CLI_MS} ms)" test "$CLI_MS" -ge 1000
	is "$(cat fw.c.out)" "Sent datagram is 'HELLO'" "firewall: client stdout has only the sent line"
	ok "firewall: the diagnosis names the firewall first" grep -q "1\. a firewall" fw.c.err
	ok "firewall: the diagnosis names the rules to look for" grep -q "ip6tables -L INPUT" fw.c.err
	ok "firewall: and nft" grep -q "nft list ruleset" fw.c.err
	ok "firewall: the diagnosis gives group, port, interface and hop limit" \
		sh -c "grep -q 'group ff02::1 port 28015' fw.c.err && grep -q 'interface: eth0; hop limit: 1' fw.c.err"
	is "$(cat fw.s.out)" "" "firewall: the server saw nothing"
	netns_flush_firewall B
	[ "$CLI_RC" = 1 ] || show fw.c.err
else
	skip "nft is not available: no firewall scenario"
fi

# ---- ff01::1: node-local never leaves the host ----
pair nl B A "--debug-feature=ipv6.multicast.server -A ff01::1" \
	"--debug-feature=ipv6.multicast.client -A ff01::1 -n eth0 -I 300"
is "$CLI_RC" 1 "ff01::1 across two hosts fails"
ok "ff01::1: warning at start because of -n" grep -q "warning: ff01::1 is a node-local group" nl.c.err
ok "ff01::1: the diagnosis explains the scope" grep -q "never leave this host, so only a server on this very host" nl.c.err
is "$(cat nl.s.out)" "" "ff01::1: the other host received nothing"

pair nl1 A A "--debug-feature=ipv6.multicast.server -A ff01::1" \
	"--debug-feature=ipv6.multicast.client -A ff01::1"
is "$SRV_RC.$CLI_RC" 0.0 "ff01::1 on one host works"
is "$(cat nl1.s.out)" "$SEED_SERVER" "ff01::1 on one host: server stdout"
is "$(cat nl1.c.out)" "$SEED_CLIENT" "ff01::1 on one host: client stdout"

# ---- the IPv4 twins ----
pair v4 B A "--debug-feature=ipv4.multicast.server -A 224.0.0.1" \
	"--debug-feature=ipv4.multicast.client -A 224.0.0.1"
is "$SRV_RC.$CLI_RC" 0.0 "IPv4 224.0.0.1: both exit 0"
is "$(cat v4.s.out)" "$SEED_SERVER" "IPv4: server stdout"
is "$(cat v4.c.out)" "$SEED_CLIENT" "IPv4: client stdout"

PORT=28123 pair v4b B A "--debug-feature=ipv4.multicast.server -A 239.192.0.7 -P 28123 -n eth0" \
	"--debug-feature=ipv4.multicast.client -A 239.192.0.7 -P 28123 -n eth0" FLOM_TRACE_MASK=0x10000
is "$SRV_RC.$CLI_RC" 0.0 "IPv4 239.192.0.7 port 28123 with -n: both exit 0"
trace_has v4b.s.err "address returned by recvfrom\(\): addrlen=16; IPv4 address, sin_port=[0-9]+, sin_addr='$(netns_ipv4 A)'" \
	"IPv4 server trace: the peer address"
trace_has v4b.c.err "setting IP_MULTICAST_IF \(ip_mreqn\) to interface eth0" "IPv4 client trace: ip_mreqn"

# ---- a dynamic-mode daemon announcing itself on the group the server uses ----
# Its <daemon/> datagrams (verb 4 step 24) reach the server first: the server
# must skip them (traced, and counted with -V) and answer only HELLO.
on_host A "$FLOM_BIN" -A ff02::1 -I 100 -d -1 -- true >dyn.out 2>dyn.err
is "$?" 0 "a dynamic-mode daemon starts on A (announcing every 100 ms)"
spawn_on B env FLOM_TRACE_MASK=0x10000 "$FLOM_BIN" --debug-feature=ipv6.multicast.server \
	-A ff02::1 -V >ann.s.out 2>ann.s.err
spid=$SPAWNED
wait_for 5 netns_udp_bound B 28015 || diag "announcement: server not bound"
ok "announcement: the server received the daemon's announcement" \
	wait_for 5 file_has ann.s.err "arrived datagram '.*<daemon id="
on_host A "$FLOM_BIN" --debug-feature=ipv6.multicast.client -A ff02::1 >ann.c.out 2>ann.c.err
is "$?" 0 "announcement: the client then gets its answer (exit 0)"
is "$(cat ann.c.out)" "$SEED_CLIENT" "announcement: client stdout is the seed's two lines"
wait_for 3 has_exited "$spid" || kill "$spid" 2>/dev/null
wait "$spid"
is "$?" 0 "announcement: the server exits 0 after answering HELLO"
is "$(grep -v '^\[' ann.s.out | grep -v '^Ignored')" "$SEED_SERVER" \
	"announcement: server stdout holds the seed's two lines (-V dump aside)"
ok "announcement: -V counts the skipped datagrams" \
	grep -Eq "^Ignored [1-9][0-9]* datagram\(s\) other than 'HELLO'$" ann.s.out
ok "announcement: the skip is traced" grep -q "not 'HELLO': ignored" ann.s.err
ok "announcement: the server sent WELCOME only once" \
	test "$(grep -c "sending 'WELCOME'" ann.s.err)" = 1
netns_kill_daemons A

# ---- bad input: status 1 and a clear message ----
on_host A "$FLOM_BIN" --debug-feature=ipv6.multicast.nothing -A ff02::1 >bad.out 2>bad.err
is "$?" 1 "unknown feature: status 1"
ok "unknown feature: the known ones are listed" sh -c \
	"grep -q \"unknown debug feature 'ipv6.multicast.nothing'\" bad.err && grep -q ipv4.multicast.client bad.err"
is "$(cat bad.out)" "" "unknown feature: nothing on stdout"

on_host A "$FLOM_BIN" --debug-feature=ipv6.multicast.client -A 224.0.0.1 >fam.out 2>fam.err
is "$?" 1 "IPv4 group for an ipv6 feature: status 1"
ok "wrong family: the message says so" grep -q "needs an IPv6 multicast group, '224.0.0.1' is an IPv4 address" fam.err
on_host A "$FLOM_BIN" --debug-feature=ipv4.multicast.server -A ff02::1 >fam2.out 2>fam2.err
is "$?" 1 "IPv6 group for an ipv4 feature: status 1"
ok "wrong family (IPv4 server): the message says so" grep -q "needs an IPv4 multicast group" fam2.err

on_host A "$FLOM_BIN" --debug-feature=ipv6.multicast.server -A fe80::1 >nm.out 2>nm.err
is "$?" 1 "not a multicast group: status 1"
ok "not a multicast group: the message says so" grep -q "'fe80::1' is not an IPv6 multicast group" nm.err
on_host A "$FLOM_BIN" --debug-feature=ipv6.multicast.client >na.out 2>na.err
is "$?" 1 "no -A: status 1"
ok "no -A: the message asks for a group" grep -q "needs a multicast group: -A GROUP" na.err

done_testing
