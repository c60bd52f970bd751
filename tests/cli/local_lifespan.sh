#!/bin/bash
# Daemon lifespan (-d): 0 never starts a daemon; N > 0 makes the daemon leave
# N ms after its last client; -1 keeps it until asked to stop.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

SOCK=$(flom_local_socket)
# The daemon of this scenario: found by its listening socket, so this also
# works without a private PID namespace.
daemon_pid() { listener_pid unix "$SOCK" | head -n 1; }
daemon_up() { [ -n "$(daemon_pid)" ]; }
daemon_down() { ! daemon_up; }
stop_daemon() { flom_local -X >/dev/null 2>&1; wait_for 5 daemon_down; }
CLEANUP_HOOKS="${CLEANUP_HOOKS:-} stop_daemon"

# ---- -d 0 without a daemon ----
rc=$(status_of flom_local -d 0 -- true 2>err)
is "$rc" 99 "-d 0 with no daemon exits 99"
ok "the message says there is no daemon and none is started" \
	grep -qi 'no daemon.*does not start' err
diag "$(cat err)"
ok "no daemon was started" daemon_down
[ -n "${FLOM_ISOLATED:-}" ] && is "$(count_live_daemons)" 0 "no flom process left"

# ---- -d N > 0: the daemon leaves N ms after its last client ----
# The released resource lives at least FLOM_RESOURCE_IDLE_MIN_MS (1 s): take
# a lifespan above it, so that the lifespan is what is measured.
N=1500
MARGIN=1000 # this machine is shared and noisy
# The release comes between the client's start and its exit: the lower bound
# counts from the start (a slow exit on a loaded machine must not count),
# the upper bound from the exit.
t_start=$(now_ms)
rc=$(status_of flom_local -d $N -- true)
t_end=$(now_ms)
is "$rc" 0 "-d $N starts a daemon and runs the command"
ok "the daemon is up after its client left" daemon_up
pid=$(daemon_pid)
ok "the daemon leaves by itself" wait_for 10 pid_gone "$pid"
t_gone=$(now_ms)
gone=$((t_gone - t_end))
diag "daemon gone ${gone} ms after its last client (lifespan $N ms)"
ok "it stayed its lifespan ($((t_gone - t_start)) ms since its client started >= $N)" \
	test $((t_gone - t_start)) -ge $N
ok "it left within lifespan + 200 ms (+ $MARGIN ms margin): ${gone} ms" \
	test "$gone" -le $((N + 200 + MARGIN))
ok "its socket is removed" test ! -e "$SOCK"

# A new client arriving within the lifespan uses the same daemon. A long
# lifespan: finding the daemon by its socket took over 1.5 s under load.
flom_local -d 8000 -- true
pid=$(daemon_pid)
flom_local -d 8000 -- true
ok "a second client reuses the same daemon" test "$(daemon_pid)" = "$pid"
flom_local -X >/dev/null
ok "-X stops it at once" wait_for 5 pid_gone "$pid"

# ---- -d -1: the daemon stays ----
rc=$(status_of flom_local -d -1 -- true)
is "$rc" 0 "-d -1 starts a daemon"
pid=$(daemon_pid)
ok "-d -1 started a daemon" test -n "$pid"
# Longer than the resource idle time and any short lifespan: it must not
# leave (a bounded wait that is expected to time out).
stays() { ! wait_for 2 pid_gone "$1"; }
ok "it is still there 2 s after its last client" stays "$pid"
ok "still the same daemon" test "$(daemon_pid)" = "$pid"
rc=$(status_of flom_local -d 0 -- true)
is "$rc" 0 "-d 0 uses the running daemon"
rc=$(status_of flom_local -X)
is "$rc" 0 "-X stops it"
ok "it is gone" wait_for 5 pid_gone "$pid"

done_testing
