#!/bin/bash
# Start race: many clients released at the same instant on a system with no
# daemon all succeed and leave exactly one daemon (the start lock file
# serializes the starters; the losers connect to the winner's daemon).
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

[ -n "${FLOM_ISOLATED:-}" ] ||
	skip_all "counting daemons needs a private PID namespace (run as root)"

N=50
mkfifo gate
no_daemon || { echo "Bail out! a daemon runs before the race"; exit 1; }

# Each client says it is ready, then blocks opening the FIFO for reading; one
# open for writing releases them all at once.
pids=""
for i in $(seq 1 $N); do
	sh -c 'touch "ready.$1"; : <gate; exec "$FLOM_BIN" -r race -- sh -c "echo \$FLOM_RESOURCE_NAME >>ran"' sh "$i" \
		>"out.$i" 2>"err.$i" &
	pids="$pids $!"
done
STARTED_PIDS="$STARTED_PIDS $pids"
all_ready() { [ "$(ls ready.* 2>/dev/null | wc -l)" -eq $N ]; }
ok "all $N clients wait at the barrier" wait_for 10 all_ready
exec 3>gate # the barrier opens
# shellcheck disable=SC2086
wait_all 30 $pids
failed=$FAILED_JOBS
exec 3>&-

is "$failed" 0 "all $N clients exit 0"
is "$(grep -c race ran 2>/dev/null)" "$N" "every command ran once"
is "$(cat err.* | head -n 5)" "" "no client wrote on stderr"
is "$(count_live_daemons)" 1 "exactly one daemon is left"

# A second wave finds that daemon and starts no other.
pids=""
for i in $(seq 1 10); do
	flom_local -r race -d 0 -- true &
	pids="$pids $!"
done
STARTED_PIDS="$STARTED_PIDS $pids"
# shellcheck disable=SC2086
wait_all 30 $pids
failed=$FAILED_JOBS
is "$failed" 0 "ten more clients with -d 0 use it"
is "$(count_live_daemons)" 1 "still exactly one daemon"

done_testing
