#!/bin/bash
# make install / uninstall into a DESTDIR: an edited flom.conf is never
# overwritten nor removed, the sample and the documents land in docdir, the
# man page and the unit name the configured paths, the completion is where
# bash-completion looks.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

D=$TEST_TMP/root
# The build's own make, without the job server and variables of the make
# check that runs this test.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$FLOM_BUILDDIR" DESTDIR="$D" "$@"; }
# installed PATTERN: the one installed file whose path ends with PATTERN.
installed() { find "$D" -path "*$1" | head -n 1; }

mk install >"$TEST_TMP/install.1" 2>&1
ok "make install into DESTDIR" [ $? = 0 ]
conf=$(installed /etc/flom.conf)
doc=$(dirname "$(installed /doc/flom/README)")
ok "sample configuration installed as SYSCONFDIR/flom.conf" cmp -s "$conf" "$FLOM_SRCDIR/etc/flom.conf"
ok "sample configuration also in docdir" cmp -s "$doc/flom.conf" "$FLOM_SRCDIR/etc/flom.conf"
missing=""
for f in "$FLOM_SRCDIR"/doc/*.md; do
	[ -f "$doc/$(basename "$f")" ] || missing="$missing $(basename "$f")"
done
is "$missing" "" "every doc/*.md is installed in docdir"

man=$(installed /man1/flom.1)
unit=$(installed /systemd/system/flom.service)
comp=$(installed /bash-completion/completions/flom)
ok "man page, unit and completion installed" test -f "$man" -a -f "$unit" -a -f "$comp"
# The paths inside are the installed ones, minus DESTDIR.
sysconf=$(dirname "${conf#"$D"}")
bin=$(dirname "$(installed /bin/flom)")
bin=${bin#"$D"}
ok "no @...@ placeholder is left in the man page or the unit" \
	sh -c '! grep -n "@[a-z]*@" "$0" "$1"' "$man" "$unit"
ok "man page names $sysconf/flom.conf" grep -qF "$sysconf/flom.conf" "$man"
ok "unit runs $bin/flom" grep -qx "ExecStart=$bin/flom .*" "$unit"

echo "# edited" >>"$conf"
mk install >"$TEST_TMP/install.2" 2>&1
ok "install again keeps an edited flom.conf" grep -qx "# edited" "$conf"
ok "... and says so" grep -q "keeping" "$TEST_TMP/install.2"

mk uninstall >"$TEST_TMP/uninstall.1" 2>&1
ok "uninstall keeps an edited flom.conf" grep -qx "# edited" "$conf"
ok "uninstall removes the binary, man page and docs" \
	sh -c '[ -z "$(find "$0" -type f ! -name flom.conf)" ]' "$D"

cp "$FLOM_SRCDIR/etc/flom.conf" "$conf"
mk uninstall >/dev/null 2>&1
ok "uninstall removes an unedited flom.conf" [ ! -e "$conf" ]

done_testing
