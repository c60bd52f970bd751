#!/bin/bash
# The man page as built: every long option of `flom --help-all` is in it (an
# option added without its documentation fails here), and it renders without
# a warning with groff -ww and with man --warnings at 80 columns.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

MAN=$FLOM_BUILDDIR/man/flom.1
command -v groff >/dev/null || skip_all "groff not installed: cannot render the man page"

# The page as text, hyphens as '-', no overstriking.
groff -t -man -Tascii -P-cbou "$MAN" >"$TEST_TMP/page.txt" 2>/dev/null
"$FLOM_BIN" --help-all | sed -n 's/^ *\(-[[:alnum:]], \)\{0,1\}\(--[[:alnum:]-]*\).*/\2/p' \
	>"$TEST_TMP/options"
ok "--help-all lists options" [ "$(wc -l <"$TEST_TMP/options")" -ge 30 ]
missing=""
while read -r opt; do
	[ "$opt" = --help ] && continue
	grep -qE -- "$opt([^-[:alnum:]]|$)" "$TEST_TMP/page.txt" || missing="$missing $opt"
done <"$TEST_TMP/options"
is "$missing" "" "every long option of --help-all is in the man page"

groff -ww -t -man -Tutf8 -rLL=80n -z "$MAN" >"$TEST_TMP/groff.err" 2>&1
is "$(cat "$TEST_TMP/groff.err")" "" "groff -ww -t -man renders it without a warning"
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$MAN" >/dev/null 2>"$TEST_TMP/man.err"
	is "$(cat "$TEST_TMP/man.err")" "" "man --warnings at 80 columns renders it without a warning"
else
	skip "man not installed (package man-db)"
fi
ok "no @...@ placeholder is left" sh -c '! grep -n "@[a-z]*@" "$0"' "$MAN"

done_testing
