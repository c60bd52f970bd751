#!/usr/bin/env bash
# flom --etcd against a 3-member etcd cluster on loopback: mutual exclusion,
# modes and strict FIFO, a numeric pool, -o 0 / -o N (no key left behind),
# increasing tokens, sets and sequences, refused types, bad input, and
# etcd's own lock service (`etcdctl lock`) excluding flom and back.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"
. "$FLOM_SRCDIR/tests/lib/etcd.sh"
etcd_require
etcd_start || { echo "Bail out! the etcd cluster did not become healthy"; exit 1; }

usecase_setup
F=(--etcd="$ETCD_ENDPOINTS")
QUEUED_RE='queued: '
fl() { timeout -k 5 30 "$FLOM_BIN" "${F[@]}" "$@"; }

# ---- mutual exclusion: 3 writers x 20 increments ----
: >"$TEST_TMP/count"
writer() {
	local i
	for i in $(seq 20); do
		fl -r counter -- sh -c 'echo in >>"$1/xlog"; v=$(cat "$1/count"); echo $((v + 1)) >"$1/count"; echo out >>"$1/xlog"' sh "$TEST_TMP" || echo "writer rc $?" >>"$TEST_TMP/xerr"
	done
}
echo 0 >"$TEST_TMP/count"
t0=$(now_ms)
writer & w1=$!
writer & w2=$!
writer & w3=$!
wait $w1 $w2 $w3
diag "60 lock/run/unlock cycles by 3 writers in $(( $(now_ms) - t0 )) ms"
is "$(cat "$TEST_TMP/count")" 60 "3 writers x 20 increments under flom --etcd: 60"
is "$(uniq "$TEST_TMP/xlog" | wc -l | tr -d ' ')" 120 "never two writers inside at once (in/out alternate)"
is "$(cat "$TEST_TMP/xerr" 2>/dev/null)" "" "every writer's flom exited 0"

# ---- modes and strict FIFO ----
new_scenario
hold 1 0 -l PR -r m
wait_in 1
hold 2 0 -l PR -r m
wait_in 2
hold 3 0 -l EX -r m
ok "EX waits behind two PR holders" wait_queued 3
hold 4 0 -l PR -r m
ok "a later PR waits behind the queued EX (strict FIFO)" wait_queued 4
is "$(release 1 2)" "0 0" "the PR holders end"
wait_in 3
ok "EX is granted after both PR left, the PR behind it still waits" not_in 4
release 3 >/dev/null
wait_in 4
release 4 >/dev/null
is "$(events)" "1 in,2 in,1 out,2 out,3 in,3 out,4 in,4 out" "grants in FIFO order by create revision"

# ---- numeric pool[2] ----
new_scenario
hold 1 0 -r 'pool[2]'
hold 2 0 -r 'pool[2]'
wait_in 1 2
hold 3 0 -r 'pool[2]'
ok "a third request on pool[2] waits" wait_queued 3
hold 4 0 -r 'pool[2]' -q 2
ok "two units wait too" wait_queued 4
release 1 >/dev/null
wait_in 3
ok "the freed unit goes to the first waiter" not_in 4
release 2 3 >/dev/null
wait_in 4
release 4 >/dev/null
is "$(fl -r 'pool[2]' -q 3 -- true 2>&1; echo "rc=$?")" \
	"Resource will never satisfy the request, the lock cannot be obtained
rc=99" "-q 3 on pool[2]: never (99)"

# ---- -o 0, -o 300: statuses, and no key left behind ----
new_scenario
hold 1 0 -r busy
wait_in 1
is "$(fl -r busy -o 0 -- true 2>&1; echo "rc=$?")" \
	"Resource already locked, the lock cannot be obtained
rc=98" "-o 0 on a held resource: 98"
t0=$(now_ms)
is "$(fl -r busy -o 300 -- true 2>&1; echo "rc=$?")" \
	"The lock was not obtained because timeout (300 milliseconds) expired
rc=98" "-o 300 on a held resource: 98"
el=$(( $(now_ms) - t0 ))
diag "-o 300 gave up after $el ms"
ok "-o 300 gives up in time (< 3000 ms)" test "$el" -lt 3000
is "$(etcd_keys /flom/busy/ | wc -l | tr -d ' ')" 1 "only the holder's key is left under /flom/busy/"
release 1 >/dev/null
is "$(etcd_keys /flom/busy/)" "" "no key left after the release"
is "$(fl -r busy -o 0 -- true; echo $?)" 0 "-o 0 on a free resource: 0"
is "$(fl -r ghost -e no -o 0 -- true 2>/dev/null; echo $?)" 96 "-e no -o 0 on a resource nobody uses: 96"
is "$(etcd_keys /flom/ghost/)" "" "... and no key left"
is "$(fl -r busy -- sh -c 'exit 7'; echo $?)" 7 "the command's status is flom's"

# ---- tokens: the create revision, increasing across the cluster ----
toks=""
for i in 1 2 3 4 5; do
	toks="$toks $(fl -r "tok$((i % 2))" -- sh -c 'echo "$FLOM_LOCK_TOKEN"')"
done
inc=yes prev=0
for t in $toks; do num_gt "$t" "$prev" || inc=no; prev=$t; done
diag "tokens:$toks"
is "$inc" yes "FLOM_LOCK_TOKEN strictly increases, across resources too"
is "$(fl -r envr -- sh -c 'echo "$FLOM_RESOURCE_NAME"')" envr "FLOM_RESOURCE_NAME"
ok "the command inherits no descriptor of flom's (etcd connections, keeper pipes)" \
	test "$(fl -r fds -- sh -c 'ls /proc/$$/fd | wc -l')" -le "$(sh -c 'ls /proc/$$/fd | wc -l')"

# ---- sets and sequences ----
new_scenario
hold 1 0 -r red.green
hold 2 0 -r red.green
wait_in 1 2
is "$(printf '%s\n' "$(element_of 1)" "$(element_of 2)" | sort | paste -sd,)" "green,red" \
	"two holders of red.green get the two elements"
is "$(env_of 1 FLOM_LOCKED_ELEMENT)" "$(element_of 1)" "FLOM_LOCKED_ELEMENT names the element"
hold 3 0 -r red.green
ok "a third waits for an element" wait_queued 3
release 1 >/dev/null
wait_in 3
is "$(element_of 3)" "$(grep -q '^1 in red' "$TEST_TMP/events" && echo red || echo green)" \
	"the freed element goes to the waiter"
release 2 3 >/dev/null
s1=$(fl -r '_s_sq[1]' -- sh -c 'echo "$FLOM_LOCKED_ELEMENT"')
s2=$(fl -r '_s_sq[1]' -- sh -c 'echo "$FLOM_LOCKED_ELEMENT"')
is "$s1,$s2" "1,2" "a sequence hands out 1, then 2"
t1=$(fl -r '_S_tq[1]' -- sh -c 'echo "$FLOM_LOCKED_ELEMENT"; exit 1')
t2=$(fl -r '_S_tq[1]' -- sh -c 'echo "$FLOM_LOCKED_ELEMENT"')
t3=$(fl -r '_S_tq[1]' -- sh -c 'echo "$FLOM_LOCKED_ELEMENT"')
is "$t1,$t2,$t3" "1,1,2" "a transactional sequence gives a rolled-back value again"

# ---- flom --status --etcd: holders and waiters from the keys ----
new_scenario
hold 1 0 -r st -l PR
wait_in 1
hold 2 0 -r st -l EX
ok "an EX request waits behind the PR holder" wait_queued 2
json=$(fl --status=json); rc=$?
is "$rc" 0 "--status=json --etcd: 0"
printf '%s\n' "$json" >"$TEST_TMP/st.json"
"$JSON_FLAT" "$TEST_TMP/st.json" >"$TEST_TMP/st.flat" || diag "--status=json --etcd: not a strict JSON document"
# sv PATH...: the values at PATH... in the first resource named st ("-": none).
ST=$(sed -n 's/^\(\.\[[0-9]*\]\)\.name="st"$/\1/p' "$TEST_TMP/st.flat" | head -n 1)
sv() { local p; for p; do json_value "$TEST_TMP/st.flat" "$ST$p" | grep . || echo -; done | paste -sd' ' -; }
host=$(sv '.holders[0].host') peer=$(sv '.holders[0].peer')
is "$(sv .holders '.holders[0].mode' '.holders[0].pid' '.holders[0].token') \
$([ "$host" = null ] || [ "$host" = - ] || echo host) ${peer:0:7} \
$(sv .waiters '.waiters[0].mode' '.waiters[0].state' '.waiters[0].pid' '.waiters[0].token')" \
	"[1] \"PR\" $(cat "$TEST_TMP/pid.1") $(env_of 1 FLOM_LOCK_TOKEN) host \"lease  [1] \"EX\" \"waiting\" $(cat "$TEST_TMP/pid.2") null" \
	"the holder (mode, pid, token = FLOM_LOCK_TOKEN, host, lease) and the waiter in line"
table=$(fl --status -r st); rc=$?
is "$rc" 0 "--status --etcd -r st: 0"
is "$(awk 'NR > 1 { print $1, $3, $4 }' <<<"$table" | paste -sd,)" "st holding PR,st waiting EX" \
	"the table: one line for the holder, then one for the waiter"
is "$(fl --status -r nobody | wc -l | tr -d ' ')" 1 "a resource without keys: the header alone"
release 1 2 >/dev/null
out=$("$FLOM_BIN" --etcd=http://127.0.0.1:1 --status 2>&1); rc=$?
is "$rc" 99 "--status with no etcd member reachable: 99"
ok "with the reason" grep -q 'no etcd endpoint answered' <<<"$out"

# ---- refused and bad input ----
out=$(fl -r /a/b -- true 2>&1); rc=$?
is "$rc" 99 "hierarchical resources: 99 with --etcd"
ok "with a reason" grep -q 'not supported with --etcd' <<<"$out"
out=$(fl -r '_t_%H[1]' -- true 2>&1); rc=$?
is "$rc" 99 "timestamp resources: 99 with --etcd"
out=$("$FLOM_BIN" --etcd=ftp://127.0.0.1:1 -- true 2>&1); rc=$?
is "$rc" 99 "an endpoint that is not http(s): 99"
ok "named in the message" grep -q "ftp://127.0.0.1:1" <<<"$out"
out=$("$FLOM_BIN" --etcd="$ETCD_ENDPOINTS" -s /tmp/x.sock -- true 2>&1); rc=$?
is "$rc" 99 "--etcd with -s: 99"
printf '[Etcd]\nEndpoints=%s\nPrefix=/site/\n' "$ETCD_ENDPOINTS" >"$TEST_TMP/site.conf"
is "$(timeout 20 "$FLOM_BIN" -c "$TEST_TMP/site.conf" -r cf -- sh -c 'etcdctl --endpoints="$ETCD_ENDPOINTS" get --prefix --keys-only /site/cf/ | grep -c .')" 1 \
	"[Etcd] Endpoints and Prefix from a configuration file"

# ---- etcd's lock service: etcdctl lock and flom exclude each other ----
new_scenario
# etcdctl holds /flom/ix: flom cannot have it, then waits for it.
etcdctl_ lock /flom/ix -- sh -c "echo e in >>$TEST_TMP/events; $FLOM_SRCDIR/tests/lib/wait_file.sh $TEST_TMP/go.e 60; echo e out >>$TEST_TMP/events" &
STARTED_PIDS="$STARTED_PIDS $!" ectl=$!
wait_in e
is "$(fl -r ix -o 0 -- true 2>/dev/null; echo $?)" 98 "flom -o 0 on a resource etcdctl holds: 98"
key=$(etcd_keys /flom/ix/)
lease=$(etcd_lease /flom/ix/ --prefix)
is "$key" "/flom/ix/$lease" "etcdctl's key is <Prefix><resource>/<lease in hex>"
hold 1 0 -r ix
ok "flom waits while etcdctl holds" wait_queued 1
flomkey=$(etcd_keys /flom/ix/ | grep -v "^$key\$")
flomlease=$(etcd_lease "$flomkey")
is "$flomkey" "/flom/ix/$flomlease" "flom's key has the same layout: <Prefix><resource>/<lease in hex>"
go e
wait $ectl
wait_in 1
# flom holds: etcdctl waits until flom releases.
etcdctl_ lock /flom/ix -- sh -c "echo e2 in >>$TEST_TMP/events" &
STARTED_PIDS="$STARTED_PIDS $!" ectl=$!
ok "etcdctl lock waits while flom holds" wait_for 10 sh -c "etcdctl --endpoints=$ETCD_ENDPOINTS get --prefix --keys-only /flom/ix/ | grep -c . | grep -qx 2"
not_in e2 && ok "etcdctl's command has not run" true || ok "etcdctl's command has not run" false
release 1 >/dev/null
wait_for 10 is_in e2
wait $ectl
is "$(events)" "e in,e out,1 in,1 out,e2 in" "etcdctl, flom, etcdctl: one at a time, in order"

done_testing
