#!/bin/bash
# Timestamp resources _t_FORMAT[N] (reference §10.14, use case 19): the
# command gets the time formatted with FORMAT (strftime, plus #f...#ffffff for
# fractions of a second) as its last argument; no two users of one resource
# ever get the same value; a format without a time field fine enough to make
# values unique is invalid (99).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

fl() { "$FLOM_BIN" "${F[@]}" "$@"; }

# ---- valid formats: each gives a value of the expected shape ----
D2='[0-9][0-9]'
while read -r fmt re; do
	v=$(fl -r "_t_$fmt[1]" -- sh -c 'printf %s "$1"' x 2>"$TEST_TMP/e")
	st=$?
	is "$st" 0 "format $fmt: granted"
	ok "format $fmt: value '$v' matches $re" sh -c "printf '%s\n' \"\$1\" | grep -Eqx -- \"\$2\"" x "$v" "$re"
done <<EOF
%S $D2
%M $D2
%H $D2
%S#f $D2\.[0-9]
%M#ff $D2\.[0-9]{2}
%H#fff $D2\.[0-9]{3}
%S#ffffff $D2\.[0-9]{6}
%c .*[0-9]{2}:[0-9]{2}:[0-9]{2}.*
%r .*[0-9]{2}:[0-9]{2}:[0-9]{2}.*
%s [0-9]{9,}
%T $D2:$D2:$D2
%X .*$D2:$D2:$D2.*
%R $D2:$D2
%I $D2
x%H.y%M:z%S x$D2\.y$D2:z$D2
EOF
now=$(date +%s)
v=$(fl -r '_t_b%s[1]' -- echo)
v=${v#b}
ok "%s is the current epoch second ($v vs $now)" test "$v" -ge "$now" -a "$v" -le $((now + 5))

# ---- invalid formats ----
INVALID='_t_invalid%a%A%b%B%d%D%e%E%F%G%g%h%j%m%p%P%u%U%V%w%W%x%y%Y%z%Z[1]'
is "$(status_of fl -r "$INVALID" -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 99 "no time field fine enough (the original's list): 99"
ok "... with a message on stderr" test -s "$TEST_TMP/e"
ok "... and the command did not run" test ! -e "$TEST_TMP/ran"
is "$(status_of fl -r "${INVALID%\[1\]}#f[1]" -- true)" 0 "the same format with #f added is valid"
for name in '_t_%a[1]' '_t_day%d%m%Y[1]' '_t_abc[1]' '_t_%S[0]' '_t_%S' '_t_%S[]' '_t_[1]' '_t_-%S[1]' '_t_%S %M[1]'; do
	is "$(status_of fl -r "$name" -- touch "$TEST_TMP/ran" 2>"$TEST_TMP/e")" 99 "-r '$name': invalid, 99"
	ok "-r '$name': ... with a message on stderr" test -s "$TEST_TMP/e"
done
ok "... no command ran" test ! -e "$TEST_TMP/ran"

# ---- 1/10: sequential users get distinct values ----
vals=$(for i in 1 2 3; do fl -i 1000 -r '_t_tmstmp%S#f[1]' -- echo; done)
is "$(echo "$vals" | sort -u | wc -l | tr -d ' ')" 3 "UC19 1/10: three sequential users of %S#f: three values ($(echo $vals))"

# ---- 2/10: one value per second ----
new_scenario
hold s1 0 -r '_t_tmstmp%S[1]'
wait_in s1
hold s2 0 -r '_t_tmstmp%S[1]'
ok "UC19 2/10: a second user of %S[1] waits while the first holds" wait_queued s2
release s1 >/dev/null
wait_in s2
release s2 >/dev/null
ok "UC19 2/10: ... and gets another second ($(element_of s1) then $(element_of s2))" \
	test "$(element_of s1)" != "$(element_of s2)" -a -n "$(element_of s2)"

# ---- 3/10: five users of %S#ff[4], exit statuses pass through ----
new_scenario
for i in 1 2 3 4 5; do
	run_bg "c$i" "$FLOM_BIN" "${F[@]}" -r '_t_tmstmp%S#ff[4]' -- sh -c 'echo "$1"; exit "$0"' $((i % 3))
done
rcs="" outs=""
for i in 1 2 3 4 5; do rcs="$rcs $(rc_of "c$i")"; outs="$outs$(cat "$TEST_TMP/out.c$i")
"; done
is "${rcs# }" "1 2 0 1 2" "UC19 3/10: each flom exits with its command's status"
is "$(printf %s "$outs" | grep -Ec '^tmstmp[0-9]{2}\.[0-9]{2}$')" 5 "UC19 3/10: five values of the shape tmstmpSS.ff"
is "$(printf %s "$outs" | sort -u | wc -l | tr -d ' ')" 5 "UC19 3/10: all distinct ($(echo $outs))"

# ---- 4/10: %S[3], two at once: distinct seconds ----
new_scenario
run_bg d1 "$FLOM_BIN" "${F[@]}" -r '_t_tmstmp%S[3]' -- echo
run_bg d2 "$FLOM_BIN" "${F[@]}" -r '_t_tmstmp%S[3]' -- echo
is "$(rc_of d1) $(rc_of d2)" "0 0" "UC19 4/10: two users of %S[3] at once both run"
ok "UC19 4/10: ... in different seconds ($(cat "$TEST_TMP/out.d1") $(cat "$TEST_TMP/out.d2"))" \
	test "$(cat "$TEST_TMP/out.d1")" != "$(cat "$TEST_TMP/out.d2")"

# ---- 5/10-10/10: five users each of #f, #ff, #fff, UNIX socket and TCP ----
PORT=$(free_tcp_port)
T=(-a 127.0.0.1 -p "$PORT")
stop_tcp_daemon() { [ -n "${FLOM_ISOLATED:-}" ] || "$FLOM_BIN" "${T[@]}" -X >/dev/null 2>&1; }
CLEANUP_HOOKS="$CLEANUP_HOOKS stop_tcp_daemon"
new_scenario
"$FLOM_BIN" "${T[@]}" -- true # one daemon for the TCP clients below
for tr in unix tcp; do
	[ $tr = unix ] && opts=("${F[@]}") || opts=("${T[@]}")
	for f in f ff fff; do
		for i in 1 2 3 4 5; do
			run_bg "$tr$f$i" "$FLOM_BIN" "${opts[@]}" -r "_t_tmstmp%S#$f[4]" -- echo
		done
	done
done
for tr in unix tcp; do
	for f in f ff fff; do
		rcs="" vals=""
		for i in 1 2 3 4 5; do
			rcs="$rcs$(rc_of "$tr$f$i")"
			vals="$vals$(cat "$TEST_TMP/out.$tr$f$i") "
		done
		is "$rcs" 00000 "UC19: %S#$f[4] over $tr: five users granted"
		is "$(echo $vals | tr ' ' '\n' | sort -u | wc -l | tr -d ' ')" 5 "UC19: %S#$f[4] over $tr: five distinct values ($vals)"
	done
done

done_testing
