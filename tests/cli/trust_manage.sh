#!/bin/bash
# Management by owner, on every transport (issue 12, item 4). Over TCP from
# this host (loopback, ::1, or another address of the host) the daemon asks
# the kernel's socket table which user owns the peer's socket: its own user
# and root may stop it, another local user may not. Another host may not,
# unless the daemon runs with AllowRemoteManagement. A refusal is one line
# that says why and how to allow it, without a raw return code.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/users.sh"

need_users 2 || skip_all "$USERS_SKIP"
V=$USER_1 M=$USER_2
chmod 1777 /tmp

# manage WHO ADDR PORT -x|-X: flom's exit status in RC, stderr in m.err.
manage() {
	local who=$1 addr=$2 port=$3 opt=$4
	if [ "$who" = root ]; then
		timeout 20 "$FLOM_BIN" -a "$addr" -p "$port" "$opt" >/dev/null 2>"$TEST_TMP/m.err"
	else
		as_user "$who" timeout 20 "$FLOM_BIN" -a "$addr" -p "$port" "$opt" >/dev/null 2>"$TEST_TMP/m.err"
	fi
	RC=$?
}
# start_tcp WHO ADDR: a TCP daemon of WHO on ADDR; its port in PORT, PID in TPID.
start_tcp() {
	PORT=$(free_tcp_port)
	if [ "$1" = root ]; then
		"$FLOM_BIN" -a "$2" -p "$PORT" -d -1 -- true
	else
		as_user "$1" "$FLOM_BIN" -a "$2" -p "$PORT" -d -1 -- true
	fi
	TPID=$(listener_pid tcp "$PORT")
	[ -n "$TPID" ]
}
refused_locally() {
	[ "$(wc -l <"$TEST_TMP/m.err")" = 1 ] &&
		grep -q "refused the shutdown request: only the user who started it, or root, may stop it; run flom -x as that user or as root" "$TEST_TMP/m.err" &&
		! grep -q "rc=" "$TEST_TMP/m.err"
}

ip addr add 192.0.2.1/32 dev lo
for addr in 127.0.0.1 ::1 192.0.2.1; do
	ok "root's daemon on $addr" start_tcp root "$addr"
	manage "$M" "$addr" "$PORT" -X
	is "$RC" 99 "$addr: another local user cannot stop root's daemon"
	ok "... one line saying why and how, no raw rc" refused_locally
	[ "$addr" = 127.0.0.1 ] && diag "refusal: $(cat "$TEST_TMP/m.err")"
	ok "... and the daemon still runs" pid_alive "$TPID"
	manage root "$addr" "$PORT" -x
	is "$RC" 0 "$addr: root (its owner) may quiesce it"
	ok "... and it exits" wait_for 5 pid_gone "$TPID"
done

ok "M's daemon on 127.0.0.1" start_tcp "$M" 127.0.0.1
manage "$V" 127.0.0.1 "$PORT" -X
is "$RC" 99 "V cannot stop M's daemon"
ok "... and it still runs" pid_alive "$TPID"
manage "$M" 127.0.0.1 "$PORT" -X
is "$RC" 0 "M (its owner) may stop it"
ok "... and it exits" wait_for 5 pid_gone "$TPID"
ok "M's daemon again" start_tcp "$M" 127.0.0.1
manage root 127.0.0.1 "$PORT" -X
is "$RC" 0 "root may stop another user's daemon"
ok "... and it exits" wait_for 5 pid_gone "$TPID"

# ---- another host ----
. "$FLOM_SRCDIR/tests/lib/netns.sh"
netns_setup A B
P=28123
on_host A "$FLOM_BIN" -a "$NETNS_IPV4_A" -p "$P" -d -1 -- true
APID=$(netns_daemon_pids A)
ok "a daemon on host A" test -n "$APID"
on_host B timeout 20 "$FLOM_BIN" -a "$NETNS_IPV4_A" -p "$P" -X >/dev/null 2>"$TEST_TMP/m.err"
is "$?" 99 "host B cannot stop it"
ok "... saying how to allow it, in one line" grep -q "refused the shutdown request: it takes management from other hosts only when started with --allow-remote-management (AllowRemoteManagement=yes in \[Daemon\]); run flom -x on its host instead" "$TEST_TMP/m.err"
diag "refusal: $(cat "$TEST_TMP/m.err")"
is "$(netns_daemon_pids A)" "$APID" "... and the daemon still runs"
on_host B timeout 20 "$FLOM_BIN" -a "$NETNS_IPV4_A" -p "$P" -d 0 -- true
is "$?" 0 "... and serves B's locks"
on_host A "$FLOM_BIN" -a "$NETNS_IPV4_A" -p "$P" -X >/dev/null
is "$?" 0 "its owner on A stops it through A's own address"

on_host A "$FLOM_BIN" --allow-remote-management=yes -a "$NETNS_IPV4_A" -p "$P" -d -1 -- true
on_host B timeout 20 "$FLOM_BIN" -a "$NETNS_IPV4_A" -p "$P" -X >/dev/null 2>"$TEST_TMP/m.err"
is "$?" 0 "with --allow-remote-management, host B may stop it"
ok "... and it exits" wait_for 5 netns_no_daemon A

done_testing
