#!/bin/bash
# The rough edges a new user meets (issue 17, items 8-10): each answer is
# clear, on stderr, with the documented exit status.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

export HOME="$TEST_TMP/home" FLOM_SYSTEM_CONFIG="$TEST_TMP/no-system.conf"
mkdir -p "$HOME"

# err_of ARGS...: flom's stderr, its exit status on the last line.
# shellcheck disable=SC2069 # stderr only, stdout dropped
err_of() { timeout 30 "$FLOM_BIN" "$@" 2>&1 >/dev/null; echo "rc=$?"; }

# ---- words after -x, -X, --foreground and --debug-feature are refused ----
for opt in -x -X --foreground --debug-feature=ipv6.multicast.client; do
	out=$(err_of $opt extra words)
	is "$out" "flom: ${opt%%=*} $(case $opt in
		-x | -X) echo "asks the daemon to exit" ;;
		--foreground) echo "runs a daemon" ;;
		*) echo "runs a self-test" ;;
		esac) and takes no command (got 'extra words')
rc=99" "flom $opt extra words: refused, status 99"
done

# ---- --ignore-signal: INT and SIGINT; SIGKILL refused with its reason ----
for sig in INT SIGINT int 2; do
	line=$(timeout 30 "$FLOM_BIN" -V --ignore-signal="$sig" -s "$TEST_TMP/none" -d 0 -- true 2>/dev/null |
		grep IgnoredSignals)
	is "$line" "[Monitor]/IgnoredSignals='SIGINT'" "--ignore-signal=$sig is SIGINT"
done
is "$(err_of --ignore-signal=SIGKILL -- true)" "flom: option --ignore-signal: 'SIGKILL': SIGKILL cannot be ignored (the kernel never lets a process ignore SIGKILL or SIGSTOP)
rc=99" "--ignore-signal=SIGKILL: refused with the reason"

# ---- -o with a unit; plain numbers stay milliseconds ----
# dump KEY ARGS...: the [Resource]/KEY line of flom -V ARGS.
dump() {
	local key=$1
	shift
	timeout 30 "$FLOM_BIN" -V "$@" -s "$TEST_TMP/none" -d 0 -- true 2>/dev/null | grep -F "[Resource]/$key="
}
is "$(dump Timeout -o 1.5s)" "[Resource]/Timeout=1500" "-o 1.5s is 1500 ms"
is "$(dump Timeout -o 500ms)" "[Resource]/Timeout=500" "-o 500ms is 500 ms"
is "$(dump Timeout -o 500)" "[Resource]/Timeout=500" "-o 500 stays 500 ms"
spawn_flom -r busy -- sh -c 'echo held >"$0"; sleep 30' "$TEST_TMP/held"
holder=$!
wait_for 10 test -s "$TEST_TMP/held"
t0=$(now_ms)
rc=$(status_of flom_local -r busy -o 0.3s -- true 2>/dev/null)
took=$(($(now_ms) - t0))
is "$rc" 98 "-o 0.3s on a busy resource: 98"
ok "... after about 300 ms (took $took ms)" test "$took" -ge 300 -a "$took" -lt 10000
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
flom_local -X >/dev/null 2>&1
wait_for 10 no_live_daemon

# ---- a misspelled key: one warning naming file, line and key; flom goes on ----
printf '[Resource]\n# comment\nTimout=5000\n[Daemon]\nTimeout=1\n[Resouce]\nName=x\n' >"$HOME/.flom"
out=$(err_of -s "$TEST_TMP/typo.sock" -- true)
is "$out" "flom: $HOME/.flom:3: unknown key 'Timout' in [Resource], ignored (did you mean 'Timeout'?)
flom: $HOME/.flom:5: unknown key 'Timeout' in [Daemon], ignored (did you mean 'Timeout' in [Resource]?)
flom: $HOME/.flom:6: unknown group [Resouce], its keys are ignored
rc=0" "misspelled keys and groups: warned once each, the command runs"
"$FLOM_BIN" -s "$TEST_TMP/typo.sock" -X >/dev/null 2>&1
rm -f "$HOME/.flom"
is "$(FLOM_SYSTEM_CONFIG=$FLOM_SRCDIR/etc/flom.conf err_of -V -s "$TEST_TMP/none" -d 0 -- true 2>&1 | grep -c 'unknown')" 0 \
	"the sample configuration has no unknown key"

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
