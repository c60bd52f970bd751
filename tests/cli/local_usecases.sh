#!/bin/bash
# Reference §10.9, use cases 1, 3, 4 and 6: the default resource over a UNIX
# socket. The original ordered its events with sleeps; here every step waits
# for the event before it (a holder keeps its lock until the test creates its
# release file, and a waiter is seen blocked before the holder is released),
# and the order is read from the log the clients and commands write.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

L=$(flom_local_opts) # words: used unquoted
# flom, bounded like flom_local, with the socket options given explicitly.
flom_t() { timeout -k 5 20 "$FLOM_BIN" "$@"; }
# Clients still running at the end (a failed scenario) go with the test.
kill_clients() { for p in pid.*; do [ -s "$p" ] && kill "$(cat "$p")"; done 2>/dev/null; }
CLEANUP_HOOKS="${CLEANUP_HOOKS:-} kill_clients"

# client ID [FLOM-OPTIONS...]: like the original's flom_test_exec scripts:
# " ID locking" before flom, the command logs " ID in" and " ID out" around
# its wait for release.ID, " ID ending" after flom, which ran in the
# background (PID in pid.ID; its status in rc.ID, its stderr in err.ID).
client() {
	local id=$1
	shift
	(
		echo " $id locking" >>log
		# shellcheck disable=SC2086
		"$FLOM_BIN" "$@" -- bash -c 'echo " $0 in" >>log
			. "$FLOM_SRCDIR/tests/lib/common.sh"; wait_for 20 test -e "release.$0"
			echo " $0 out" >>log' "$id" 2>"err.$id" &
		echo $! >"pid.$id"
		wait $!
		rc=$?
		echo " $id ending" >>log
		echo $rc >"rc.$id"
	) &
	STARTED_PIDS="$STARTED_PIDS $!"
	wait_for 5 test -s "pid.$id"
}
pid_of() { cat "pid.$1"; }
ended() { test -s "rc.$1"; }
rc_of() { wait_for 20 ended "$1" && cat "rc.$1"; }
is_in() { file_has log "^ $1 in"; }
not_in() { ! is_in "$1"; }
blocked() { flom_blocked "$(pid_of "$1")"; }
release() { touch "release.$1"; }
log_line() { paste -sd, log; }
reset() { rm -f log pid.* rc.* err.* release.*; }

# ---- UC1: 1 waits for 2 ----
# shellcheck disable=SC2086
client 2 $L
ok "UC1: 2 holds the lock" wait_for 5 is_in 2
# shellcheck disable=SC2086
client 1 $L
ok "UC1: 1 waits for it" wait_for 5 blocked 1
release 2
release 1
is "$(rc_of 2) $(rc_of 1)" "0 0" "UC1: both exit 0"
# " 2 ending" may come before or after " 1 in" (2's unlock reaches the
# daemon before 2's flom returns): leave it out of the order.
is "$(grep -v ' 2 ending' log | paste -sd,)" " 2 locking, 2 in, 1 locking, 2 out, 1 in, 1 out, 1 ending" \
	"UC1: 1 entered after 2 left"
reset

# ---- UC3 (1/2): -o 0 while 2 holds, then 3 waits ----
# shellcheck disable=SC2086
client 2 $L
ok "UC3: 2 holds the lock" wait_for 5 is_in 2
# shellcheck disable=SC2086
client 1 $L -o 0
is "$(rc_of 1)" 98 "UC3: 1 with -o 0 exits 98 at once"
ok "UC3: 1's command never ran" not_in 1
# shellcheck disable=SC2086
client 3 $L
ok "UC3: 3 waits" wait_for 5 blocked 3
release 2
release 3
is "$(rc_of 2) $(rc_of 3)" "0 0" "UC3: 2 and 3 exit 0"
is "$(grep -v ' [23] ending' log | paste -sd,)" \
	" 2 locking, 2 in, 1 locking, 1 ending, 3 locking, 2 out, 3 in, 3 out" \
	"UC3: 1 gave up at once, 3 entered after 2 left"
reset

# ---- UC3 (2/2): -o 0 on a busy resource, its stderr ----
# shellcheck disable=SC2086
client 2 $L
ok "UC3b: 2 holds the lock" wait_for 5 is_in 2
# shellcheck disable=SC2086
rc=$(status_of flom_t $L -o 0 -- true 2>err)
is "$rc" 98 "UC3b: -o 0 exits 98"
is "$(cat err)" "Resource already locked, the lock cannot be obtained" "UC3b: the busy line"
release 2
is "$(rc_of 2)" 0 "UC3b: the holder exits 0"
reset

# ---- UC4 (1/2): -o 1000 expires while 2 holds ----
# shellcheck disable=SC2086
client 2 $L
ok "UC4: 2 holds the lock" wait_for 5 is_in 2
t0=$(now_ms)
# shellcheck disable=SC2086
client 1 $L -o 1000
rc=$(rc_of 1)
dt=$(($(now_ms) - t0))
is "$rc" 98 "UC4: 1 with -o 1000 exits 98"
ok "UC4: after its timeout (${dt} ms >= 1000)" test "$dt" -ge 1000
is "$(cat err.1)" "The lock was not obtained because timeout (1000 milliseconds) expired" \
	"UC4: the timeout line is its whole stderr"
release 2
is "$(rc_of 2)" 0 "UC4: 2 exits 0"
is "$(log_line)" " 2 locking, 2 in, 1 locking, 1 ending, 2 out, 2 ending" \
	"UC4: 1 gave up while 2 held the lock"
reset

# ---- UC4 (2/2): -o 1000 on a free resource ----
# shellcheck disable=SC2086
is "$(status_of flom_t $L -o 1000 -- true)" 0 "UC4b: -o 1000 on a free resource: 0"

# ---- UC6: -s PATH: one daemon per socket ----
if [ -n "${FLOM_ISOLATED:-}" ]; then
	FOO=/tmp/foo BAR=/tmp/bar # the scenario's private /tmp
else
	FOO=$TEST_TMP/foo BAR=$TEST_TMP/bar
fi
stop_daemons() { flom_t -s "$FOO" -X; flom_t -s "$BAR" -X; } >/dev/null 2>&1
CLEANUP_HOOKS="${CLEANUP_HOOKS:-} stop_daemons"

client 2 -s "$FOO"
ok "UC6: 2 holds the lock on $FOO" wait_for 5 is_in 2
client 1 -s "$FOO" -o 0
is "$(rc_of 1)" 98 "UC6: -o 0 on the same socket: 98"
client 3 -s "$FOO"
ok "UC6: 3 waits" wait_for 5 blocked 3
release 2
release 3
is "$(rc_of 2) $(rc_of 3)" "0 0" "UC6: 2 and 3 exit 0"
is "$(grep -v ' [23] ending' log | paste -sd,)" \
	" 2 locking, 2 in, 1 locking, 1 ending, 3 locking, 2 out, 3 in, 3 out" \
	"UC6: on -s $FOO, 1 gave up at once, 3 entered after 2 left"
reset

# UC6 (2/2): foo and bar are different daemons: bar's lock is free while
# foo's is held.
client 2 -s "$FOO"
ok "UC6b: 2 holds the lock on $FOO" wait_for 5 is_in 2
is "$(status_of flom_t -s "$BAR" -o 0 -- true)" 0 "UC6b: -o 0 on $BAR succeeds meanwhile"
is "$(status_of flom_t -s "$FOO" -o 0 -- true 2>/dev/null)" 98 "UC6b: and on $FOO it does not"
foo_pid=$(listener_pid unix "$FOO")
bar_pid=$(listener_pid unix "$BAR")
ok "UC6b: two daemons, one per socket ($foo_pid, $bar_pid)" \
	test -n "$foo_pid" -a -n "$bar_pid" -a "$foo_pid" != "$bar_pid"
release 2
is "$(rc_of 2)" 0 "UC6b: 2 exits 0"

done_testing
