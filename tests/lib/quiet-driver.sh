#! /bin/sh
# make check's log driver: automake's tap-driver.sh, minus one line per
# passing test case. It prints one line per test program (its result and
# its count of cases), keeps every SKIP, FAIL and ERROR line, and on failure
# the program's whole log, so that a failure can be read on the console.
# The .log and .trs files, and so the final summary, are tap-driver's own.
# make check CHECK_PASS_LINES=yes prints every line as tap-driver does.
#
# Called as tap-driver.sh is; FLOM_TAP_DRIVER names the real driver.
log='' trs='' name='' prev=''
for a; do
	case $prev in
	--log-file) log=$a ;;
	--trs-file) trs=$a ;;
	--test-name) name=$a ;;
	esac
	prev=$a
done
: "${FLOM_TAP_DRIVER:?FLOM_TAP_DRIVER names tap-driver.sh}"

if [ "${FLOM_PASS_LINES:-no}" = yes ]; then
	exec ${SHELL:-/bin/sh} "$FLOM_TAP_DRIVER" "$@"
fi

# Colour codes may wrap the result word: "ESC[0;32mPASSESC[m: name 1 - ...".
esc=$(printf '\033')
{
	${SHELL:-/bin/sh} "$FLOM_TAP_DRIVER" "$@"
	echo $? >"$trs.rc"
} | grep -vE "^($esc\\[[0-9;]*m)?(PASS|XFAIL)($esc\\[m)?: "
rc=$(cat "$trs.rc" 2>/dev/null || echo 99)
rm -f "$trs.rc"

result=$(sed -n 's/^:global-test-result: //p' "$trs" 2>/dev/null)
cases=$(grep -c '^:test-result:' "$trs" 2>/dev/null)
case $result in
PASS) echo "PASS: $name ($cases)" ;;
SKIP | XFAIL) ;; # tap-driver's own line says it, with the reason
*)
	echo "${result:-ERROR}: $name ($cases): its log, $log, follows"
	sed 's/^/  | /' "$log" 2>/dev/null
	;;
esac
exit "$rc"
