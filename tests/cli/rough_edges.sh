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

done_testing
