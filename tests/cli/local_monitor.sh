#!/bin/bash
# The monitor: flom runs the command while it holds the lock, passes its exit
# status through (128+N when signal N killed it), forwards SIGINT, SIGTERM
# and SIGHUP to it unless told to ignore them, and gives it the lock in its
# environment.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

L=$(flom_local_opts) # words: used unquoted
LONG=30              # seconds: a command that outlives the test's checks

# ---- exit statuses ----
for st in 0 1 42; do
	is "$(status_of flom_local -- sh -c "exit $st")" "$st" "the command's status $st is flom's"
done
out=$(flom_local -- echo hello 2>err)
is "$out" "hello" "stdout is the command's only: flom prints nothing there"
is "$(cat err)" "" "and nothing on stderr"

rc=$(status_of flom_local -- no-such-command-flomtest 2>err)
is "$rc" 97 "a command that does not exist: 97"
ok "the message names it" grep -q 'no-such-command-flomtest' err
diag "$(cat err)"
rc=$(status_of flom_local -- "$TEST_TMP" 2>err)
is "$rc" 97 "a command that is a directory: 97"

rc=$(status_of flom_local 2>err)
is "$rc" 97 "no command: 97"
is "$(cat err)" "No command to execute!" "with the original's line, alone"
rc=$(status_of flom_local -r abc 2>/dev/null)
is "$rc" 97 "options but no command: 97"

rc=$(status_of flom_local -- sh -c 'kill -KILL $$')
is "$rc" 137 "a command killed by SIGKILL: 128+9"
rc=$(status_of flom_local -- sh -c 'kill -TERM $$')
is "$rc" 143 "a command killed by SIGTERM: 128+15"
is "$(status_of flom_local -o 0 -- true)" 0 "the lock was released after each of them"

# ---- signals sent to flom reach the command ----
# env --default-signal: a background job starts with SIGINT ignored (bash does
# that), so reset it; what the command then sees is flom's doing. The command
# records each signal it traps, and runs until the file "stop" exists.
TRAPPER='for s in INT TERM HUP; do trap "echo $s >>sigs" $s; done; touch ready
	n=0; while [ ! -e stop ] && [ $n -lt 3000 ]; do n=$((n + 1)); sleep "$0"; done'
# shellcheck disable=SC2086
spawn env --default-signal=INT,TERM,HUP "$FLOM_BIN" $L -- sh -c "$TRAPPER" 0.01
f=$!
ok "the command runs" wait_for 5 test -e ready
for s in INT TERM HUP; do
	kill -s "$s" "$f"
	ok "SIG$s sent to flom reaches the command" wait_for 5 file_has sigs "^$s\$"
done
ok "flom lives on while its command runs" pid_alive "$f"
touch stop
wait_exit 30 "$f"
is "$?" 0 "flom exits with the command's status (0: it trapped them)"

# ---- --ignore-signal ----
# SIGTERM to flom is ignored, not passed on: after it, a SIGHUP and a SIGINT
# (sent one after the other, each waited for) reach the command, and the
# command never records a SIGTERM.
rm -f stop ready sigs
# shellcheck disable=SC2086
spawn env --default-signal=INT,TERM,HUP "$FLOM_BIN" $L --ignore-signal=SIGTERM \
	-- sh -c "$TRAPPER" 0.01
f=$!
ok "the command runs" wait_for 5 test -e ready
kill -TERM "$f"
kill -HUP "$f"
ok "SIGHUP still reaches the command" wait_for 5 file_has sigs '^HUP$'
kill -INT "$f"
ok "SIGINT still reaches the command" wait_for 5 file_has sigs '^INT$'
ok "flom survived the SIGTERM" pid_alive "$f"
touch stop
wait_exit 30 "$f"
is "$?" 0 "flom exits with its command's status"
is "$(tr '\n' ' ' <sigs)" "HUP INT " "--ignore-signal=SIGTERM: the command never got SIGTERM"

# Reference §10.8, with our 128+signal: SIGTERM to flom (ignored) and to the
# command (which dies of it): 143 (the original said 0).
# shellcheck disable=SC2086
spawn env --default-signal=TERM "$FLOM_BIN" $L --ignore-signal=SIGTERM -- sleep "$LONG"
f=$!
has_child() { [ -n "$(child_pids "$1")" ]; }
ok "the command runs" wait_for 5 has_child "$f"
cmd=$(child_pids "$f")
kill -TERM "$f"
kill -TERM "$cmd"
wait_exit 30 "$f"
is "$?" 143 "SIGTERM to flom (ignored) and to the command: 143"

# ---- the command's environment ----
out=$(flom_local -r envres -- sh -c 'echo "$FLOM_RESOURCE_NAME $FLOM_LOCK_TOKEN"')
tok1=${out#* }
is "${out% *}" envres "FLOM_RESOURCE_NAME is the resource"
is_number() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
ok "FLOM_LOCK_TOKEN is a number ($tok1)" is_number "$tok1"
tok2=$(flom_local -r envres -- sh -c 'echo "$FLOM_LOCK_TOKEN"')
ok "the next lock of it gets a greater token ($tok1 < $tok2)" test "$tok2" -gt "$tok1"
is "$(flom_local -- sh -c 'echo "$FLOM_RESOURCE_NAME"')" _RESOURCE \
	"without -r: FLOM_RESOURCE_NAME=_RESOURCE"
is "$(flom_local -- sh -c 'echo "${FLOM_LOCKED_ELEMENT-unset}"')" unset \
	"no FLOM_LOCKED_ELEMENT for a simple resource"

# ---- nested flom ----
# shellcheck disable=SC2086
out=$(flom_local -r a -- "$FLOM_BIN" $L -r b -- sh -c 'echo "$FLOM_RESOURCE_NAME"; exit 42')
rc=$?
is "$out" b "flom -r a -- flom -r b -- cmd: cmd runs with b"
is "$rc" 42 "and its status comes through both"
# shellcheck disable=SC2086
rc=$(status_of flom_local -r a -- "$FLOM_BIN" $L -r b -- "$FLOM_BIN" $L -r a -o 0 -- true 2>/dev/null)
is "$rc" 98 "an inner flom -r a -o 0 finds a held by the outer one: 98"

done_testing
