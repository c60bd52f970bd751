#!/bin/bash
# Mutual exclusion: commands on one resource never overlap; commands on
# different resources run at the same time. Orders are read from what the
# commands wrote, never inferred from delays.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"
export TEST_TMP

# A command that waits (bounded) for a file, from inside a flom command (bash:
# common.sh is bash).
WAITER='. "$FLOM_SRCDIR/tests/lib/common.sh"; wait_for 20 test -e'

# ---- a waiter enters only after the holder left ----
spawn_flom -r one -- bash -c "echo 'A in' >>log; $WAITER release; echo 'A out' >>log"
a=$!
ok "A holds the lock" wait_for 5 file_has log 'A in'
spawn_flom -r one -- sh -c "echo 'B in' >>log; echo 'B out' >>log"
b=$!
ok "B waits for it" wait_for 5 flom_blocked "$b"
is "$(cat log)" "A in" "B has not entered while A holds the lock"
touch release
wait_exit 30 "$a"
is "$?" 0 "A exits 0"
wait_exit 30 "$b"
is "$?" 0 "B exits 0"
is "$(tr '\n' ' ' <log)" "A in A out B in B out " "B entered after A left"

# ---- many contenders: every critical section is whole ----
# Each command writes its in line, several lines of work, its out line; any
# overlap would interleave two commands' lines.
N=12
rm -f log
pids=""
for i in $(seq 1 $N); do
	flom_local -r many -- sh -c 'echo "$0 in" >>log
		for k in 1 2 3 4 5 6 7 8; do echo "$0 work" >>log; done
		echo "$0 out" >>log' "c$i" &
	pids="$pids $!"
done
STARTED_PIDS="$STARTED_PIDS $pids"
# shellcheck disable=SC2086
wait_all 30 $pids
failed=$FAILED_JOBS
is "$failed" 0 "$N contenders exit 0"
is "$(wc -l <log | tr -d ' ')" $((N * 10)) "every command wrote all its lines"
ok "no two critical sections overlap" awk '
	$2 == "in" { if (cur != "") bad = 1; cur = $1; next }
	$1 != cur { bad = 1 }
	$2 == "out" { cur = "" }
	END { exit bad || cur != "" }' log

# ---- different resources run concurrently ----
# A, inside its critical section on r1, waits for a file that B creates
# inside its critical section on r2: only possible if both hold at once.
spawn_flom -r rone -- bash -c "touch a_in; $WAITER b_in && echo seen >a_saw"
a=$!
ok "A holds r1" wait_for 5 test -e a_in
rc=$(status_of flom_local -r rtwo -- bash -c "touch b_in; $WAITER a_saw")
is "$rc" 0 "B gets r2 while A holds r1"
wait_exit 30 "$a"
is "$?" 0 "A exits 0"
ok "A saw B inside its own critical section" test -s a_saw

done_testing
