#!/bin/bash
# flom --status (issue 13): the table and the JSON list holders and waiters in
# order with their pids, users and waits; -r limits to one resource; a
# resource leaves the status after its lifespan; the waiting notice (with -V,
# on a terminal, never otherwise); the daemon's process title; malformed
# status requests cost the daemon nothing; an original daemon (a fake that
# answers and dies as the reference says) gets nothing that hurts it and
# --status says it does not report status; other users see only their own
# resources (root only).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

for tool in "$FLOM_SEND" "$FAKE_DAEMON" "$JSON_FLAT"; do
	[ -x "$tool" ] || skip_all "${tool##*/} not built ($tool)"
done

SOCK=$TEST_TMP/st.sock
F=(-s "$SOCK")
ME=$(id -un)
MYUID=$(id -u)
HOST=$(uname -n)
WAITF="sh $FLOM_SRCDIR/tests/lib/wait_file.sh"
st() { timeout 10 "$FLOM_BIN" "${F[@]}" "$@"; }
# json [ARGS...]: --status=json with ARGS, a strict JSON document, into st.flat
# as json_flat's PATH=VALUE lines (strings quoted, arrays "[N]", objects "{N}").
json() {
	st "$@" --status=json >"$TEST_TMP/st.json" && "$JSON_FLAT" "$TEST_TMP/st.json" >"$TEST_TMP/st.flat"
}
json_valid() { "$JSON_FLAT" "$1" >/dev/null; }
# jhas PATH=VALUE...: the last document has each of these lines.
jhas() {
	local line
	for line; do
		grep -qxF -- "$line" "$TEST_TMP/st.flat" || { diag "no $line in the JSON"; return 1; }
	done
}
# jval PATH: the value at PATH in the last document.
jval() { json_value "$TEST_TMP/st.flat" "$1"; }
# The JSON checks (a document is an array of resources).
json_list() { json && jval . | grep -qx '\[[0-9]*\]'; }
json_empty() { json && jhas '.=[0]'; }
json_holder() {
	json && jhas '.[0].name="db"' '.[0].type="simple"' '.[0].holders=[1]' \
		".[0].holders[0].pid=$HPID" ".[0].holders[0].command_pid=$(cat h.cmd)" \
		".[0].holders[0].user=\"$ME\"" ".[0].holders[0].uid=$MYUID" \
		".[0].holders[0].host=\"$HOST\"" '.[0].holders[0].mode="EX"' \
		'.[0].holders[0].state="holding"' &&
		[ "$(jval '.[0].holders[0].token')" -gt 0 ]
}
json_waiters() {
	json && jhas '.[0].waiters=[2]' ".[0].waiters[0].pid=$W1" '.[0].waiters[0].mode="PR"' \
		".[0].waiters[0].user=\"$ME\"" ".[0].waiters[1].pid=$W2" '.[0].waiters[1].mode="EX"' \
		".[0].waiters[1].user=\"$ME\"" '.[0].waiters[0].since=null' &&
		[ "$(jval '.[0].waiters[0].waited_ms')" -ge "$(jval '.[0].waiters[1].waited_ms')" ] &&
		[ "$(jval '.[0].waiters[1].waited_ms')" -ge 1000 ] &&
		jval '.[0].waiters[0].requested' | grep -qx '".*Z"'
}
json_only_db() { json -r db && jhas '.=[1]' '.[0].name="db"'; }
json_idle() {
	json && jhas '.=[1]' '.[0].holders=[0]' '.[0].waiters=[0]' '.[0].counters.grants=3' &&
		[ "$(jval '.[0].counters.wait_max_ms')" -ge 1000 ] &&
		[ "$(jval '.[0].counters.hold_max_ms')" -ge 1000 ]
}
# Polled: from the table (cheaper than the JSON).
waiters_are() { [ "$(st --status | awk '$3 == "waiting"' | wc -l)" = "$1" ]; }
no_resource() { [ "$(st --status | wc -l)" = 1 ]; }

# ---- no daemon ----
st --status >/dev/null 2>"$TEST_TMP/err"
is "$?" 99 "--status without a daemon exits 99"
ok "... with the usual message" grep -q "no daemon is listening on $SOCK" "$TEST_TMP/err"
ok "... and starts none" test ! -e "$SOCK"

# ---- an empty daemon ----
spawn "$FLOM_BIN" "${F[@]}" -d -1 --foreground
DPID=$!
ok "a daemon in the foreground" wait_for 5 listening unix "$SOCK"
st --status >"$TEST_TMP/out"
is "$?" 0 "--status of an empty daemon exits 0"
is "$(cat "$TEST_TMP/out")" "$(printf 'RESOURCE  TYPE  STATE  MODE  USER  HOST  PID  CMD-PID  SINCE  WAITED  HELD  ELEMENT/QTY  TOKEN')" \
	"... and prints only the header"
ok "--status=json of an empty daemon is an empty list" json_empty
is "$(ps -o args= -p "$DPID")" "flom daemon: $SOCK" "ps -o args shows the daemon's title"
is "$(cat "/proc/$DPID/comm")" flom "... /proc/PID/comm stays flom"
ok "... and ps -C flom finds it" sh -c "ps -C flom -o pid= | grep -qw $DPID"

# ---- a holder and two waiters ----
spawn "$FLOM_BIN" "${F[@]}" -r db -i 2000 -- sh -c "echo \$\$ >h.cmd; $WAITF h.go"
HPID=$!
wait_for 5 test -s h.cmd
spawn "$FLOM_BIN" "${F[@]}" -r db -l PR -- true
W1=$!
wait_for 5 waiters_are 1
spawn "$FLOM_BIN" "${F[@]}" -V -r db -- true >/dev/null 2>w2.err
W2=$!
ok "two waiters queued behind the holder" wait_for 5 waiters_are 2
ok "... the waiter with -V names the holder after a second" \
	wait_for 5 grep -q "^flom: waiting for db, held by $ME@$HOST pid $HPID since [0-9:]*\$" w2.err
st --status >"$TEST_TMP/table"
is "$(awk 'NR > 1 { print $1, $3, $4, $5, $7 }' "$TEST_TMP/table" | tr '\n' ';')" \
	"db holding EX $ME $HPID;db waiting PR $ME $W1;db waiting EX $ME $W2;" \
	"the table lists holder and waiters in order, with modes, users and pids"
is "$(awk 'NR == 2 { print $8 }' "$TEST_TMP/table")" "$(cat h.cmd)" "... and the holder's command pid"
ok "the JSON lists the holder" json_holder
ok "... and the waiters in order, with how long they waited" json_waiters
ok "-r db limits the JSON to db" json_only_db
is "$(st -r other --status | wc -l)" 1 "-r other shows no row"
st -V --status >"$TEST_TMP/verbose"
ok "--status -V adds the counters" grep -q '^RESOURCE  GRANTS  WAIT-TOTAL  WAIT-MAX  HOLD-TOTAL  HOLD-MAX$' "$TEST_TMP/verbose"
ok "... and prints no configuration dump" sh -c "! grep -q '^\[' '$TEST_TMP/verbose'"
st -V --status=json >"$TEST_TMP/verbose.json"
ok "--status=json -V is still one JSON document" json_valid "$TEST_TMP/verbose.json"
touch h.go
wait_all 10 "$HPID" "$W1" "$W2"
is "$FAILED_JOBS" 0 "holder and waiters finish with status 0"
ok "db is idle, with the counters of three grants and their waits" json_idle
ok "after its idle lifespan db is gone from the status" wait_for 10 no_resource
ok "... from the JSON too" json_empty

# ---- the waiting notice: never without -V off a terminal, once on one ----
spawn "$FLOM_BIN" "${F[@]}" -r nb -- $WAITF n.go
NH=$!
wait_for 5 waiters_are 0
spawn "$FLOM_BIN" "${F[@]}" -r nb -- true 2>quiet.err
NQ=$!
wait_for 5 waiters_are 1
if command -v script >/dev/null; then
	spawn script -qfec "$FLOM_BIN -s $SOCK -r nb -- true" "$TEST_TMP/tty.out"
	NT=$!
	ok "on a terminal the waiter says whom it waits for" \
		wait_for 5 grep -q "flom: waiting for nb, held by $ME@$HOST pid $NH since" "$TEST_TMP/tty.out"
else
	skip "script(1) is needed for a terminal"
	NT=
fi
touch n.go
wait_all 10 $NH $NQ $NT
is "$(cat quiet.err)" "" "a waiter whose stderr is no terminal says nothing"
[ -n "$NT" ] && is "$(grep -c 'waiting for' "$TEST_TMP/tty.out")" 1 "... and on a terminal it says it once"

# ---- malformed status requests ----
H='<?xml version="1.0" encoding="UTF-8" ?>'
REQ="$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"x\"/><resource name=\"ZmxvbSBzdGF0dXM=\" mode=\"5\" wait=\"0\" create=\"0\" lifespan=\"0\""
n=0
for bad in \
	"$REQ status=\"2\"/></msg>" \
	"$REQ status=\"x\"/></msg>" \
	"$REQ status=\"1\" filter=\"!!\"/></msg>" \
	"$REQ status=\"1\" filter=\"Zm9v=A==\"/></msg>" \
	"$H<msg level=\"3\" verb=\"6\" step=\"16\"><end rc=\"0\"/></msg>" \
	"$H<msg level=\"3\" verb=\"1\" step=\"40\"><command pid=\"12\"/></msg>" \
	"$H<msg level=\"3\" verb=\"1\" step=\"40\"><command pid=\"-3\"/></msg>" \
	"$REQ status=\"1\"/></msg>$REQ status=\"1\"/></msg>"; do
	n=$((n + 1))
	"$FLOM_SEND" -t 3000 -m "$bad" "$SOCK" >"bad.$n" 2>&1
	[ $? = 0 ] || diag "malformed request $n: the connection stayed open"
done
is "$(listener_pid unix "$SOCK")" "$DPID" "after $n malformed status requests the daemon is the same process"
ok "... and it still reports status" json_list
timeout 10 "$FLOM_BIN" "${F[@]}" -d 0 -o 2000 -- true
is "$?" 0 "... and still serves locks"

# ---- a command pid that is no child of the client is not shown ----
RAWLOCK="$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"x\"/><resource name=\"Zm9yZ2Vk\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
RAWCMD="$H<msg level=\"3\" verb=\"1\" step=\"40\"><command pid=\"1\"/></msg>"
"$FLOM_SEND" -t 10000 -m "$RAWLOCK$RAWCMD" "$SOCK" >forged.out 2>&1 &
FS=$!
STARTED_PIDS="$STARTED_PIDS $FS"
forged_row() { st -r forged --status | awk -v p="$FS" '$7 == p' | grep -q .; }
ok "a raw client holds 'forged' (its pid from the socket's credentials)" wait_for 5 forged_row
is "$(st -r forged --status | awk 'NR == 2 { print $8 }')" "-" "... the command pid 1 it claims (no child of it) is not shown"
kill "$FS"

# ---- status over TCP follows the management rule ----
if [ -n "${FLOM_ISOLATED:-}" ]; then
	ip addr add 192.0.2.7/32 dev lo
	P=$(free_tcp_port)
	"$FLOM_BIN" -a 192.0.2.7 -p "$P" -d -1 -- true
	TPID=$(listener_pid tcp "$P")
	is "$(ps -o args= -p "$TPID")" "flom daemon: 192.0.2.7:$P" "a TCP daemon's title names its address"
	# The management rule of issue 12: its owner on its own host, through
	# any address of the host (other users: tests/cli/trust_manage.sh).
	timeout 10 "$FLOM_BIN" -a 192.0.2.7 -p "$P" --status >/dev/null 2>"$TEST_TMP/tcp.err"
	is "$?" 0 "--status by its owner through the host's own non-loopback address"
	ok "... without a refusal" sh -c "! grep -q refused '$TEST_TMP/tcp.err'"
	kill "$TPID"
else
	skip "status over TCP needs a private network (root)"
	skip "status over TCP needs a private network (root)"
	skip "status over TCP needs a private network (root)"
fi

# ---- another user: only the resources they take part in ----
TUSER=
del_user() {
	[ -n "$TUSER" ] || return 0
	userdel -f "$TUSER" 2>/dev/null || wait_for 5 userdel -f "$TUSER" 2>/dev/null
}
CLEANUP_HOOKS="${CLEANUP_HOOKS:-} del_user"
make_user() { local name=flomt$$s$RANDOM; useradd -M -N -s /bin/sh "$name" 2>/dev/null && TUSER=$name; }
as_user() {
	setpriv --reuid="$TUSER" --regid="$(id -g "$TUSER")" --clear-groups \
		env HOME="$SHARED" USER="$TUSER" LOGNAME="$TUSER" "$@"
}
if [ -z "${FLOM_ISOLATED:-}" ] || ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
	skip "other users' resources: needs root, useradd and setpriv"
	skip "other users' resources: needs root, useradd and setpriv"
elif ! wait_for 5 make_user; then
	skip "other users' resources: useradd failed"
	skip "other users' resources: useradd failed"
else
	SHARED=$TEST_TMP/shared
	mkdir -p "$SHARED" && chmod 1777 "$SHARED"
	S2=$SHARED/root.sock
	spawn "$FLOM_BIN" -s "$S2" -r mine -- $WAITF "$TEST_TMP/u.go"
	U1=$!
	wait_for 5 listening unix "$S2"
	spawn as_user "$FLOM_BIN" -s "$S2" -r theirs -- $WAITF "$TEST_TMP/u.go"
	U2=$!
	wait_for 5 sh -c "timeout 10 '$FLOM_BIN' -s '$S2' --status | grep -q '^theirs '"
	as_user timeout 10 "$FLOM_BIN" -s "$S2" --status >"$TEST_TMP/user.out" 2>&1
	is "$(awk 'NR > 1 { print $1, $5 }' "$TEST_TMP/user.out")" "theirs $TUSER" \
		"another user sees only the resource it holds, not root's"
	is "$(timeout 10 "$FLOM_BIN" -s "$S2" --status | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" "mine theirs " \
		"the daemon's owner (root) sees both"
	touch "$TEST_TMP/u.go"
	wait_all 10 "$U1" "$U2"
fi

# ---- an original daemon: nothing that hurts it; --status says so ----
OS=$TEST_TMP/orig.sock
spawn "$FAKE_DAEMON" --original --unix "$OS" --log "$TEST_TMP/orig.log"
OPID=$!
wait_for 15 listening unix "$OS"
timeout 10 "$FLOM_BIN" -s "$OS" --status >/dev/null 2>"$TEST_TMP/orig.err"
is "$?" 99 "--status against an original daemon exits 99"
ok "... saying this daemon does not report status" grep -q "this daemon does not report status" "$TEST_TMP/orig.err"
timeout 10 "$FLOM_BIN" -s "$OS" -d 0 -r db -- true
is "$?" 0 "a lock through the original daemon works (our attributes ignored)"
LONG=r$(printf 'x%.0s' $(seq 230))
timeout 10 "$FLOM_BIN" -s "$OS" -d 0 -r "$LONG" -- true
is "$?" 0 "... also with a 231-character name (the attributes are left out to stay under 512 bytes)"
ok "the original daemon is still alive" pid_alive "$OPID"
is "$(grep -c KILLED "$TEST_TMP/orig.log")" 0 "... it received nothing that kills the original"
ok "... the status request was a lock request for an invalid name" \
	grep -q 'verb="1" step="8".*name="ZmxvbSBzdGF0dXM=".*wait="0" create="0"' "$TEST_TMP/orig.log"
ok "... and no command pid followed a grant (only ours are told)" sh -c "! grep -q 'step=\"40\"' '$TEST_TMP/orig.log'"

kill "$DPID"
done_testing
