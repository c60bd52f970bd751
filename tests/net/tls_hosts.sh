#!/bin/bash
# TLS across two hosts: a daemon on A, clients on B and A. Locks over TLS with
# and without peer-id checking never overlap; a plain client is refused;
# management from B is accepted only with a certificate whose CN is the
# daemon's own id or one of TlsAllowedManagerIds.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
. "$FLOM_SRCDIR/tests/lib/tls.sh"
netns_setup A B
unset FLOM_TRACE_MASK
tls_make_certs "$NETNS_SHARED_HERE/certs"
chmod -R a+r "$NETNS_SHARED_HERE/certs"
# Every host sees the certificates here.
TLS_DIR=$NETNS_SHARED/certs
ADDR=$(netns_ipv4 A)
PORT=28015
P1=$(tls_opts ca1 peer1)
P2=$(tls_opts ca1 peer2)
P3=$(tls_opts ca1 peer3)
CHECK=--tls-check-peer-id=yes
LOG=$NETNS_SHARED/log

# on HOST ARGS...: a bounded flom on HOST; stderr in err.
on() { local h=$1; shift; on_host "$h" timeout -k 5 20 "$FLOM_BIN" "$@" 2>err; }
start_daemon() { on A -a "$ADDR" -p "$PORT" -d -1 "$@" -- true && DPID=$(netns_daemon_pids A) && [ -n "$DPID" ]; }
stop_daemon() { netns_kill_daemons A; DPID=; }
show() { sed 's/^/# /' "$@"; }

# shellcheck disable=SC2086
ok "A: a TLS daemon on $ADDR" start_daemon $P1
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -d 0 $P2 -- true)" 0 "B: a lock over TLS"
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -d 0 $P2 $CHECK -- true)" 0 "B: a lock over TLS, checking the daemon's id"
is "$(status_of on B -a "$ADDR" -p "$PORT" -d 0 -- true)" 99 "B: a plain client is refused"
ok "... and says the daemon speaks TLS" grep -q "speaks TLS" err

# Three commands from two hosts on one resource: never two "in" in a row.
: >"$NETNS_SHARED_HERE/log"
CMD="echo in >>$LOG; sleep 0.1; echo out >>$LOG"
# shellcheck disable=SC2086
for h in A B B; do
	( on_host "$h" timeout 20 "$FLOM_BIN" -a "$ADDR" -p "$PORT" -d 0 $P2 -r shared -- sh -c "$CMD" ) &
	STARTED_PIDS="$STARTED_PIDS $!"
done
wait_for 20 has_lines "$NETNS_SHARED_HERE/log" 6
is "$(tr '\n' ' ' <"$NETNS_SHARED_HERE/log")" "in out in out in out " \
	"three TLS clients on two hosts: one at a time"

# Management from B: the CN of peer3 is neither the daemon's id nor allowed.
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -X $P3)" 99 "B: -X with a CN that may not manage: 99"
ok "... refused" grep -q "refused" err
show err
ok "... the daemon is alive" pid_alive "$DPID"
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -X $P2)" 0 "B: -X with the daemon's id as CN: 0"
ok "... the daemon is gone" wait_for 10 pid_gone "$DPID"
stop_daemon

# shellcheck disable=SC2086
ok "A: a TLS daemon that lets the fake id manage" start_daemon $P1 --tls-allowed-manager-ids="x;$TLS_FAKE_ID"
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -x $P3)" 0 "B: -x with a CN of TlsAllowedManagerIds: 0"
ok "... the daemon is gone" wait_for 10 pid_gone "$DPID"
stop_daemon

# shellcheck disable=SC2086
ok "A: a TLS daemon that checks peer ids" start_daemon $P1 $CHECK
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -d 0 $P2 $CHECK -- true)" 0 "B: a lock, both sides check"
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -d 0 $P3 -- true)" 99 "B: a client whose CN is not its id: 99"
show err
# shellcheck disable=SC2086
is "$(status_of on B -a "$ADDR" -p "$PORT" -X $P3)" 99 "B: -X with that certificate: 99"
ok "... the daemon is alive" pid_alive "$DPID"
stop_daemon

done_testing
