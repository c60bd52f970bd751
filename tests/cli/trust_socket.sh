#!/bin/bash
# Check before trusting, no following links (issue 12, items 1 and 2), as
# two local users: V (victim) and M (another user of the host).
# - M listens at V's default socket path: V's flom refuses it before
#   sending anything (exit 99, one line naming the path, M, what to do).
# - M's file, stale socket or held .lock at V's default path: V's flom
#   exits 99 at once with that line, and leaves M's file alone.
# - V's own stale socket is still cleaned up; /tmp that is not sticky is
#   refused for the default path.
# - Links planted by M (in a world-writable directory without the sticky
#   bit, where fs.protected_symlinks does not help): the start lock and the
#   trace files are never opened through them, and V's file is not chmod-ed.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/users.sh"

need_users 2 || skip_all "$USERS_SKIP"
[ -x "$FAKE_DAEMON" ] || skip_all "fake_daemon not built ($FAKE_DAEMON)"
V=$USER_1 M=$USER_2
VSOCK=/tmp/flom-$V
CMD="touch $TEST_TMP/ran"
chmod 1777 /tmp

# v_flom ARGS...: V's flom; exit status in RC, stderr in v.err, duration in MS.
v_flom() {
	local t0
	rm -f "$TEST_TMP/ran"
	t0=$(now_ms)
	as_user "$V" timeout 30 "$FLOM_BIN" "$@" 2>"$TEST_TMP/v.err"
	RC=$?
	MS=$(( $(now_ms) - t0 ))
}
one_line() { [ "$(wc -l <"$TEST_TMP/v.err")" = 1 ]; }
not_run() { [ ! -e "$TEST_TMP/ran" ]; }

# ---- M squats V's default socket path with a forged daemon ----
as_user "$M" "$FAKE_DAEMON" --ready "$TEST_TMP/fake.ready" --log "$TEST_TMP/fake.log" \
	--unix "$VSOCK" --element=--from-attacker &
FAKE_PID=$!
STARTED_PIDS="$STARTED_PIDS $FAKE_PID"
wait_for 30 test -e "$TEST_TMP/fake.ready"
v_flom -- sh -c "$CMD"
is "$RC" 99 "M listening at $VSOCK: V's flom exits 99"
ok "... without running the command" not_run
ok "... in one line" one_line
ok "... naming the path, its owner and what to do" \
	grep -q "^flom: $VSOCK is a socket of user $M (uid [0-9]*), not yours or root's: flom does not trust it; remove it, or choose another path with -s PATH" "$TEST_TMP/v.err"
diag "$(cat "$TEST_TMP/v.err")"
ok "... and the forged daemon received nothing" test ! -s "$TEST_TMP/fake.log"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null
ok "M's socket file is left alone (now stale)" test -S "$VSOCK"
v_flom -- sh -c "$CMD"
is "$RC" 99 "M's stale socket at V's path: 99 (${MS} ms)"
ok "... at once (under 5 s, not after a 10 s wait)" test "$MS" -lt 5000
ok "... and it is still there, M's" test "$(stat -c %U "$VSOCK")" = "$M"
rm -f "$VSOCK"

# ---- M's regular file, and M's held .lock ----
as_user "$M" sh -c "echo mine >$VSOCK"
v_flom -- sh -c "$CMD"
is "$RC" 99 "M's regular file at V's path: 99"
ok "... saying what it is" grep -q "is a regular file of user $M" "$TEST_TMP/v.err"
is "$(cat "$VSOCK")" "mine" "... and M's file is untouched"
rm -f "$VSOCK"

as_user "$M" sh -c "echo lock >$VSOCK.lock"
as_user "$M" flock "$VSOCK.lock" sleep 60 &
STARTED_PIDS="$STARTED_PIDS $!"
v_flom -- sh -c "$CMD"
is "$RC" 99 "M's held lock file at $VSOCK.lock: 99 (${MS} ms)"
ok "... at once (under 5 s)" test "$MS" -lt 5000
ok "... naming it and its owner" grep -q "$VSOCK.lock is a regular file of user $M" "$TEST_TMP/v.err"
is "$(cat "$VSOCK.lock")" "lock" "... and M's lock file is untouched"
kill $! 2>/dev/null; rm -f "$VSOCK.lock"

# ---- V's own stale socket is cleaned up as before ----
as_user "$V" "$FAKE_DAEMON" --stale --unix "$VSOCK"
ok "V's own stale socket" test -S "$VSOCK"
v_flom -d 0 -- true
v_flom -- sh -c "$CMD"
is "$RC" 0 "V's flom starts a daemon over its own stale socket"
ok "... and runs the command" test -e "$TEST_TMP/ran"
as_user "$V" "$FLOM_BIN" -X >/dev/null 2>&1

# ---- a default path in a directory anyone may change ----
chmod 0777 /tmp
v_flom -- sh -c "$CMD"
is "$RC" 99 "/tmp without the sticky bit: the default path is refused"
ok "... saying why" grep -q "^flom: /tmp is a directory of user root (uid 0), which others may write and is not sticky" "$TEST_TMP/v.err"
chmod 1777 /tmp

# ---- an explicit path in a world-writable directory: M's daemon is not
# trusted for locks ----
mkdir -m 1777 /tmp/shared
as_user "$M" "$FLOM_BIN" -s /tmp/shared/s -d -1 -- true
v_flom -s /tmp/shared/s -- sh -c "$CMD"
is "$RC" 99 "M's daemon on an explicit -s path: V does not lock through it"
ok "... saying whose it is" grep -q "/tmp/shared/s is a socket of user $M" "$TEST_TMP/v.err"
as_user "$M" "$FLOM_BIN" -s /tmp/shared/s -X >/dev/null 2>&1
# ... unless the directory admits nobody else (not world-writable): the
# users it admits chose to share the daemon (README: a shared daemon).
mkdir -m 0755 /tmp/ops && chown "$M" /tmp/ops
as_user "$M" "$FLOM_BIN" -s /tmp/ops/s -d -1 -- true
v_flom -s /tmp/ops/s -- sh -c "$CMD"
is "$RC" 0 "M's daemon in a directory others cannot write: V locks through it"
as_user "$M" "$FLOM_BIN" -s /tmp/ops/s -X >/dev/null 2>&1

# ---- links planted by M in a directory without the sticky bit ----
mkdir -m 0777 /tmp/pub
mkdir -m 0700 "$TEST_TMP/home.$V/private" && chown "$V" "$TEST_TMP/home.$V/private"
SECRET=$TEST_TMP/home.$V/private/secret
as_user "$V" sh -c "umask 077; echo secret >$SECRET"
as_user "$M" ln -s "$SECRET" /tmp/pub/s.lock
v_flom -s /tmp/pub/s -- sh -c "$CMD"
is "$RC" 99 "a start lock that is M's symbolic link: 99"
ok "... naming it" grep -q "/tmp/pub/s.lock is a symbolic link of user $M" "$TEST_TMP/v.err"
is "$(stat -c %a "$SECRET")" 600 "... and V's file it points to stays 0600"

ROOTFILE=$TEST_TMP/rootfile
echo "root's data" >"$ROOTFILE"
as_user "$M" ln -s "$ROOTFILE" /tmp/pub/cmd.trc
as_user "$M" ln -s "$ROOTFILE" /tmp/pub/daemon.trc
"$FLOM_BIN" -T /tmp/pub/cmd.trc -s "$TEST_TMP/r.sock" -- true 2>"$TEST_TMP/r.err"
is "$?" 99 "root's command trace file is M's symbolic link: 99"
ok "... saying so" grep -q "/tmp/pub/cmd.trc is a symbolic link of user $M" "$TEST_TMP/r.err"
"$FLOM_BIN" -t /tmp/pub/daemon.trc -s "$TEST_TMP/r.sock" -- true 2>"$TEST_TMP/r.err"
is "$(cat "$ROOTFILE")" "root's data" "root's file behind both links is not truncated"
"$FLOM_BIN" -s "$TEST_TMP/r.sock" -X >/dev/null 2>&1

# A trace file of another user is not truncated by root either.
as_user "$M" sh -c "echo m-data >/tmp/pub/m.trc"
"$FLOM_BIN" -T /tmp/pub/m.trc -s "$TEST_TMP/r.sock" -- true 2>"$TEST_TMP/r.err"
is "$?" 99 "root's trace file is M's regular file: 99"
is "$(cat /tmp/pub/m.trc)" "m-data" "... and M's file is untouched"

done_testing
