#!/bin/bash
# -o (resource timeout): 0 does not wait, N waits at most N ms, and a free
# resource is granted whatever the timeout.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

WAITER='. "$FLOM_SRCDIR/tests/lib/common.sh"; wait_for 20 test -e'
BUSY_LINE='Resource already locked, the lock cannot be obtained'
TIMEOUT_LINE='The lock was not obtained because timeout (300 milliseconds) expired'

spawn_flom -r held -- bash -c "touch holding; $WAITER release"
holder=$!
ok "a holder takes the resource" wait_for 5 test -e holding

# ---- -o 0 on a busy resource ----
t0=$(now_ms)
rc=$(status_of flom_local -r held -o 0 -- touch ran0 2>err0)
dt=$(($(now_ms) - t0))
is "$rc" 98 "-o 0 on a busy resource exits 98"
is "$(cat err0)" "$BUSY_LINE" "with exactly the busy line on stderr"
ok "at once (${dt} ms)" test "$dt" -lt 1000
ok "its command did not run" test ! -e ran0

# ---- -o 300 on a held resource ----
t0=$(now_ms)
rc=$(status_of flom_local -r held -o 300 -- touch ran300 2>err300)
dt=$(($(now_ms) - t0))
is "$rc" 98 "-o 300 on a held resource exits 98"
is "$(cat err300)" "$TIMEOUT_LINE" "the timeout line is the only stderr line"
ok "it waited the timeout (${dt} ms >= 300)" test "$dt" -ge 300
ok "and not much longer (${dt} ms < 1300)" test "$dt" -lt 1300
ok "its command did not run" test ! -e ran300

# The timed-out waiter left the queue: once the holder leaves, the next
# client gets the lock at once.
touch release
wait_exit 30 "$holder"
is "$?" 0 "the holder exits 0"
rc=$(status_of flom_local -r held -o 0 -- true)
is "$rc" 0 "-o 0 after the holder left gets the lock"

# ---- free resources ----
is "$(status_of flom_local -r free -o 0 -- true)" 0 "-o 0 on a free resource exits 0"
is "$(status_of flom_local -r free -o 300 -- true)" 0 "-o 300 on a free resource exits 0"
is "$(status_of flom_local -r free -o 300 -- sh -c 'exit 7')" 7 \
	"-o passes the command's status through"

done_testing
