#!/usr/bin/env bash
# setup.sh: make a fresh Debian 12 machine ready to build and test flom, build
# it in this directory, and show it serializing two commands.
#
#   ./setup.sh [CONFIGURE-ARGS...]      e.g. ./setup.sh --enable-werror
#
# Safe to run again: packages already installed are left alone and apt-get
# update runs only when something is missing. Builds in-tree, so `make check`
# runs from this same directory afterwards.
set -euo pipefail

cd "$(dirname "$0")"

# Build tools, the libraries (glib; OpenSSL for TLS; libcurl and json-glib
# for the etcd backend), and every command the tests and the bench call (ip,
# nft, ps, unshare, flock, setpriv; openssl to make test certificates; etcd
# and etcdctl for the --etcd scenarios; hyperfine for the bench; clang and its
# runtime for the libFuzzer targets). The tests' own tools are C programs that
# make check builds (tests/tools/).
PACKAGES="build-essential gcc make autoconf automake libtool pkg-config
	libglib2.0-dev libssl-dev openssl libcurl4-openssl-dev libjson-glib-dev
	iproute2 nftables procps util-linux coreutils
	clang libclang-rt-dev hyperfine etcd-server etcd-client"

say() { printf '== %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "not root and no sudo: install as root: $*"
	fi
}

install_packages() {
	local missing="" p log sim upgrades
	if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
		say "no dpkg/apt-get: not a Debian system, install by hand: $(echo $PACKAGES)"
		return 0
	fi
	for p in $PACKAGES; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		say "build and test dependencies already installed"
		return 0
	fi
	say "installing:$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# What apt will do, said before it does it: the new packages with their
	# dependencies, and any installed package a new one needs upgraded
	# (e.g. a -dev package that wants its library's newer version).
	# shellcheck disable=SC2086 # one word per package
	sim=$(apt-get install -s -qq --no-install-recommends $missing 2>/dev/null || true)
	p=$(awk '$1 == "Inst" && $3 !~ /^\[/ { n++ } END { print n + 0 }' <<<"$sim")
	upgrades=$(awk '$1 == "Inst" && $3 ~ /^\[/ { printf " %s", $2 }' <<<"$sim")
	say "apt-get installs $p new packages (with dependencies)"
	[ -z "$upgrades" ] || say "and upgrades, because the new packages need it:$upgrades"
	# Quiet, and --no-upgrade: nothing already installed is upgraded for its
	# own sake. The full log is shown only when apt fails.
	log=$(mktemp "${TMPDIR:-/tmp}/flom-setup-apt.XXXXXX")
	# shellcheck disable=SC2086
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -qq -y \
		--no-install-recommends --no-upgrade $missing >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		die "apt-get install failed"
	fi
	rm -f "$log"
}

build() {
	say "autoreconf -fi"
	autoreconf -fi
	say "./configure $*"
	./configure --quiet "$@"
	say "make"
	make -j"$(nproc 2>/dev/null || echo 2)"
}

# Two commands on one resource: the second may start only after the first
# left, so the log must read "X in, X out, Y in, Y out". A private socket and
# daemon keep the demo away from any daemon the user already runs.
demo() {
	local dir sock log a b rc=0
	dir=$(mktemp -d "${TMPDIR:-/tmp}/flom-demo.XXXXXX")
	sock=$dir/flom.sock
	log=$dir/log
	say "demo: two commands serialized by flom on resource 'demo'"
	./flom -s "$sock" -r demo -- sh -c 'echo "A in" >>"$0"; sleep 1; echo "A out" >>"$0"' "$log" &
	a=$!
	./flom -s "$sock" -r demo -- sh -c 'echo "B in" >>"$0"; sleep 1; echo "B out" >>"$0"' "$log" &
	b=$!
	wait "$a" || rc=$?
	wait "$b" || rc=$?
	# Stop the demo's daemon through its own socket (never by name).
	./flom -s "$sock" -X >/dev/null 2>&1 || true
	sed 's/^/   /' "$log" 2>/dev/null || true
	if [ "$rc" != 0 ]; then
		say "demo FAILED: flom exited $rc"
	elif awk 'NR % 2 == 1 { who = $1; if ($2 != "in") bad = 1 }
		NR % 2 == 0 { if ($1 != who || $2 != "out") bad = 1 }
		END { exit (bad || NR != 4) }' "$log"; then
		say "demo OK: the two commands never overlapped"
	else
		say "demo FAILED: the commands overlapped or did not run"
		rc=1
	fi
	rm -rf "$dir"
	return "$rc"
}

install_packages
build "$@"
demo
say "done; next: make check"
