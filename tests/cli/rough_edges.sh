#!/bin/bash
# The rough edges a new user meets (issue 17, items 8-10): each answer is
# clear, on stderr, with the documented exit status.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

export HOME="$TEST_TMP/home" FLOM_SYSTEM_CONFIG="$TEST_TMP/no-system.conf"
mkdir -p "$HOME"

# err_of ARGS...: flom's stderr, its exit status on the last line.
err_of() { timeout 30 "$FLOM_BIN" "$@" 2>&1 >/dev/null; echo "rc=$?"; }

# ---- -A GROUP -d 0 that finds no daemon points to the probes and the page ----
if [ -n "${FLOM_ISOLATED:-}" ]; then
	# Only lo, made able to carry the group: the query leaves, nobody answers.
	ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo
	out=$(err_of -A 224.0.0.1 -d 0 -D 1 -I 100 -- true)
	ok "-A -d 0 without a daemon: status 99" grep -qx "rc=99" <<<"$out"
	ok "... names the probes" grep -q -- "--debug-feature=ipv4.multicast.server.*ipv4.multicast.client" <<<"$out"
	ok "... and the troubleshooting page" grep -q "/troubleshooting.md" <<<"$out"
	is "$(grep -c . <<<"$out")" 2 "... in one line"
else
	skip "needs root: a private network namespace whose lo carries multicast"
fi

# ---- trace files and FLOM_TRACE_MASK bits ----
# -t FILE alone traces the daemon's lock traffic into FILE (it was empty).
unset FLOM_TRACE_MASK
flom_local -t "$TEST_TMP/d.trace" -r alone -- true
ok "-t FILE alone: the daemon traces its lock traffic" \
	wait_for 10 file_has "$TEST_TMP/d.trace" "owner [0-9]* holds 'alone'"
flom_local -X >/dev/null 2>&1
wait_for 10 no_live_daemon
# -T FILE alone traces this client's requests and answers.
flom_local -T "$TEST_TMP/c.trace" -r alone -- true
ok "-T FILE alone: the client traces what it sends and receives" \
	grep -q 'client_send: -> .*<resource name=' "$TEST_TMP/c.trace"
flom_local -X >/dev/null 2>&1
wait_for 10 no_live_daemon
# 0x10, the daemon bit, shows its connections and its lock table.
FLOM_TRACE_MASK=0x10 flom_local -t "$TEST_TMP/d10.trace" -r ten -- true
ok "FLOM_TRACE_MASK=0x10: the daemon's lock traffic" \
	wait_for 10 file_has "$TEST_TMP/d10.trace" "owner [0-9]* holds 'ten'"
ok "... and its connections" grep -q "conn [0-9]* from" "$TEST_TMP/d10.trace"
flom_local -X >/dev/null 2>&1
wait_for 10 no_live_daemon
# An explicit mask still rules: 0 traces nothing, even with -t.
FLOM_TRACE_MASK=0 flom_local -t "$TEST_TMP/d0.trace" -r zero -- true
flom_local -X >/dev/null 2>&1
ok "FLOM_TRACE_MASK=0 with -t: an empty trace" [ ! -s "$TEST_TMP/d0.trace" ]

done_testing
