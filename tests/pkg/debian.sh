#!/bin/bash
# debian/: dpkg-buildpackage -us -uc -b builds the package from a copy of the
# source tree; it installs into /usr with the unit, the completion, the man
# page and /etc/flom.conf as a conffile; lintian (when installed) finds no
# error. Skipped where the Debian build tools are missing (they are not
# needed to build or test flom).
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

command -v dpkg-buildpackage >/dev/null || skip_all "dpkg-buildpackage not installed (package dpkg-dev)"
command -v dh >/dev/null || skip_all "debhelper not installed: the Debian package is not built"
if ! deps=$(cd "$FLOM_SRCDIR" && dpkg-checkbuilddeps 2>&1); then
	skip_all "build dependencies missing: ${deps##*: }"
fi

# A clean copy: the files of the source tree, not its build outputs
# (dpkg-buildpackage writes the packages next to the tree it builds).
src=$TEST_TMP/flom
mkdir -p "$src"
# (git only when the source tree is a work tree's top: make distcheck unpacks
# its tarball inside ours, where git would list none of its files.)
if [ "$(git -C "$FLOM_SRCDIR" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$FLOM_SRCDIR" && pwd -P)" ]; then
	(cd "$FLOM_SRCDIR" && git ls-files -co --exclude-standard |
		while read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
		tar -cf - -T -) | tar -xf - -C "$src"
else
	cp -a "$FLOM_SRCDIR/." "$src"
	chmod -R u+w "$src" # make distcheck leaves its sources read-only
fi

(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" timeout 900 \
	dpkg-buildpackage -us -uc -b) >"$TEST_TMP/build.log" 2>&1
rc=$?
ok "dpkg-buildpackage -us -uc -b" [ $rc = 0 ]
[ $rc = 0 ] || { tail -n 30 "$TEST_TMP/build.log" | sed 's/^/# /'; done_testing; exit; }

deb=$(ls "$TEST_TMP"/flom_*.deb | head -n 1)
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\.||' >"$TEST_TMP/files"
for f in /usr/bin/flom /etc/flom.conf /lib/systemd/system/flom.service \
	/usr/share/bash-completion/completions/flom /usr/share/man/man1/flom.1.gz \
	/usr/share/doc/flom/copyright /usr/share/doc/flom/README; do
	# dh_compress compresses the larger documents
	ok "package has $f" grep -qxE -- "$f(\.gz)?" "$TEST_TMP/files"
done
ok "package has the doc/ pages" grep -q '^/usr/share/doc/flom/design.md' "$TEST_TMP/files"
is "$(dpkg-deb -I "$deb" conffiles 2>/dev/null)" "/etc/flom.conf" "/etc/flom.conf is a conffile"
# Opened at first use (src/dynlib.h), so named in debian/control by hand.
for p in libssl3 libcurl4 libjson-glib-1.0-0; do
	ok "package depends on $p" sh -c 'dpkg-deb -f "$0" Depends | grep -qw -- "$1"' "$deb" "$p"
done
mkdir "$TEST_TMP/x"
dpkg-deb -x "$deb" "$TEST_TMP/x"
ok "the unit runs /usr/bin/flom" grep -q '^ExecStart=/usr/bin/flom ' "$TEST_TMP/x/lib/systemd/system/flom.service"
ok "the man page names /etc/flom.conf" \
	sh -c 'zcat "$0" | grep -q "^\.I /etc/flom.conf"' "$TEST_TMP/x/usr/share/man/man1/flom.1.gz"

if command -v lintian >/dev/null; then
	(cd "$TEST_TMP" && timeout 600 lintian --fail-on error ./*.changes) >"$TEST_TMP/lintian.log" 2>&1
	rc=$?
	sed 's/^/# /' "$TEST_TMP/lintian.log"
	ok "lintian finds no error" [ $rc = 0 ]
else
	skip "lintian not installed: package not checked"
fi

done_testing
