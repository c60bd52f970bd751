#!/bin/bash
# Options that cannot go together, and commands that cannot run (reference
# §10.3, with our messages): the -V dump comes first, then the consistency
# check refuses with 99 and one "flom: " line, and no daemon is started.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

export HOME="$TEST_TMP/home"
export FLOM_SYSTEM_CONFIG="$TEST_TMP/no-system.conf"
mkdir -p "$HOME"
T=$TEST_TMP

# refused DESC NEEDLE ARGS...: flom ARGS exits 99 with one stderr line that
# contains NEEDLE, and did not create the socket $T/foo.
refused() {
	local desc=$1 needle=$2 rc
	shift 2
	timeout 30 "$FLOM_BIN" "$@" >out 2>err
	rc=$?
	is "$rc" 99 "$desc: exit 99"
	is "$(wc -l <err | tr -d ' ')" 1 "$desc: one stderr line"
	ok "$desc: it says why" grep -qF -- "$needle" err
	ok "$desc: no daemon socket" test ! -e "$T/foo"
}

# ---- a command that does not exist ----
# shellcheck disable=SC2046 # the options are words
timeout 30 "$FLOM_BIN" $(flom_local_opts) -V -- abcdefghijklmnop >out 2>err
is "$?" 97 "-V -- abcdefghijklmnop exits 97"
ok "the dump was printed first" grep -qxF "[Resource]/Name='_RESOURCE'" out

# ---- local and network at once ----
MIX="local (UNIX socket) and network (TCP-UDP/IP)"
refused "-s with -a" "$MIX" -V -s "$T/foo" -a 192.0.2.1 -- ls
ok "-s with -a: the dump came before the refusal" grep -qxF "[Daemon]/UnicastAddress='192.0.2.1'" out
refused "-s with -A" "$MIX" -V -s "$T/foo" -A 239.255.0.1 -- ls
ok "-s with -A: the dump came before the refusal" grep -qxF "[Daemon]/MulticastAddress='239.255.0.1'" out
refused "-s with -a and -A" "$MIX" -s "$T/foo" -a 127.0.0.1 -A 239.255.0.1 -- ls
# The layers meet before the check: a socket from ~/.flom and -a on the line.
printf '[Daemon]\nSocketName=%s\n' "$T/foo" >"$HOME/.flom"
refused "SocketName in ~/.flom with -a" "$MIX" -a 127.0.0.1 -- ls
rm "$HOME/.flom"

# ---- "--" as the value of a string option (GOption takes it), then ls ----
refused "--tls-check-peer-id -- ls" "option --tls-check-peer-id: '--' is an invalid value" \
	-V --tls-check-peer-id -- ls
ok "--tls-check-peer-id -- ls: no dump for a refused command line" test ! -s out

# ---- TLS: the three files or none; files OpenSSL cannot use ----
touch "$T/cert.pem" "$T/key.pem" "$T/ca.pem"
refused "--tls-check-peer-id=yes without the files" "tls-check-peer-id needs" \
	-s "$T/foo" --tls-check-peer-id=yes -- ls
refused "three TLS files that are empty" "cannot use certificate file '$T/cert.pem'" -s "$T/foo" \
	--tls-certificate="$T/cert.pem" --tls-private-key="$T/key.pem" --tls-ca-certificate="$T/ca.pem" -- ls

# ---- our own options ----
refused "--foreground with a command" "--foreground runs a daemon and takes no command" \
	-s "$T/foo" --foreground -- ls

# ---- no command at all ----
# shellcheck disable=SC2046
timeout 30 "$FLOM_BIN" $(flom_local_opts) >out 2>err
is "$?" 97 "no command exits 97"
is "$(cat err)" "No command to execute!" "with the original's line"
# shellcheck disable=SC2046
timeout 30 "$FLOM_BIN" $(flom_local_opts) -r abc -- >out 2>err
is "$?" 97 "an empty command after -- exits 97"

done_testing
