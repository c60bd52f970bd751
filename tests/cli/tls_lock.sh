#!/bin/bash
# Locking over TLS on one host (the original's tls.at.in, reference §10.6):
# UNIX socket and TCP, with and without peer-id checking; a daemon whose
# certificate, key or CA does not fit; clients with another CA, a wrong key,
# a fake CN; shutdown over TLS allowed and refused; plain against TLS both
# ways; a silent TLS peer and a garbage peer neither stall nor delay the
# others, and are closed.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/tls.sh"
tls_make_certs "$TEST_TMP/certs"
unset FLOM_TRACE_MASK
export HOME="$TEST_TMP/home"
export FLOM_SYSTEM_CONFIG="$TEST_TMP/no-system.conf"
mkdir -p "$HOME"
T=$TEST_TMP
SOCK=$T/tls.sock
PORT=$(free_tcp_port)
CA1=$(tls_opts ca1 peer1)
CA1_P2=$(tls_opts ca1 peer2)
CA1_P3=$(tls_opts ca1 peer3)
CHECK=--tls-check-peer-id=yes

# fl ARGS...: a bounded flom; its stderr in err.
# shellcheck disable=SC2086,SC2068
fl() { timeout -k 5 20 "$FLOM_BIN" "$@" 2>err; }
# A daemon on the UNIX socket or on TCP port $PORT, started by a client with
# ARGS; DPID is its pid.
start_unix() { fl -s "$SOCK" -d -1 "$@" -- true && DPID=$(listener_pid unix "$SOCK") && [ -n "$DPID" ]; }
start_tcp() { fl -a 127.0.0.1 -p "$PORT" -d -1 "$@" -- true && DPID=$(listener_pid tcp "$PORT") && [ -n "$DPID" ]; }
stop_daemon() {
	[ -n "${DPID:-}" ] || return 0
	kill "$DPID" 2>/dev/null
	wait_for 10 pid_gone "$DPID"
	DPID=
}
alive() { pid_alive "$DPID"; }
show() { sed 's/^/# /' "$@"; }

# ---- UNIX socket ----
# shellcheck disable=SC2086
ok "UNIX socket with TLS: the first client starts a daemon and locks" start_unix $CA1
# shellcheck disable=SC2086
is "$(status_of fl -s "$SOCK" -d 0 $CA1 -- true)" 0 "UNIX socket with TLS: a second client locks"
# shellcheck disable=SC2086
is "$(status_of fl -s "$SOCK" -d 0 $CA1 $CHECK -- true)" 0 "UNIX socket with TLS and peer-id check: 0"
is "$(status_of fl -s "$SOCK" -d 0 -- true)" 99 "a plain client against a TLS daemon: 99"
ok "... it says that the daemon speaks TLS" grep -q "the daemon speaks TLS and this flom does not" err
show err
# Two TLS clients on one resource never overlap.
# shellcheck disable=SC2086
for i in 1 2 3; do
	( fl -s "$SOCK" -d 0 $CA1_P2 -r excl -- sh -c "echo in >>$T/ex; sleep 0.1; echo out >>$T/ex" ) &
	STARTED_PIDS="$STARTED_PIDS $!"
done
wait_for 20 has_lines "$T/ex" 6
is "$(tr '\n' ' ' <"$T/ex")" "in out in out in out " "three TLS clients on one resource: one at a time"
stop_daemon

ok "a plain daemon" start_unix
# shellcheck disable=SC2086
is "$(status_of fl -s "$SOCK" -d 0 $CA1 -- true)" 99 "a TLS client against a plain daemon: 99"
ok "... it says the handshake failed because the daemon closed" grep -q "TLS handshake failed: the peer closed" err
ok "... at once (the plain daemon recognizes a ClientHello)" pid_alive "$DPID"
show err
stop_daemon

# ---- TCP ----
# shellcheck disable=SC2086
ok "TCP with TLS: a daemon" start_tcp $CA1
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 -- true)" 0 "TCP with TLS: a client of the same CA locks"
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 $CHECK -- true)" 0 "TCP with TLS and peer-id check: 0"
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $(tls_opts ca2 peer2) -- true)" 99 "a client of another CA: 99"
ok "... it names the CA file that refused the daemon" grep -qF "refused by CA file '$T/certs/ca2/cacert.pem'" err
show err
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $(tls_opts ca1 peer2 peer2 ca2) -- true)" 99 \
	"a client with the CA file of another CA: 99"
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $(tls_opts ca1 peer2 peer1) -- true)" 99 \
	"a client whose key is not its certificate's: 99"
ok "... it names the key and the certificate" grep -qF "private key '$T/certs/ca1/peer1.key' does not match" err
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $(tls_opts ca2 peer2 peer2 ca1) -- true)" 99 \
	"a client whose certificate another CA signed (the daemon refuses it): 99"
show err
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P3 -- true)" 0 \
	"a client with a fake CN, the daemon does not check: 0"
ok "the daemon is still there after the refusals" alive
stop_daemon

# shellcheck disable=SC2086
ok "TCP with TLS, the daemon checks peer ids" start_tcp $CA1 $CHECK
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P3 -- true)" 99 \
	"a client whose CN is not its id, the daemon checks: 99"
ok "... it says the daemon refused its id" grep -q "CN of this client's certificate must be its unique id" err
show err
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 $CHECK -- true)" 0 "a client with its id as CN: 0"
stop_daemon

# shellcheck disable=SC2086
ok "a daemon whose CN is a fake id" start_tcp $CA1_P3
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 -- true)" 0 "... a client that does not check: 0"
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 $CHECK -- true)" 99 "... a client that checks: 99"
ok "... it says which check failed" \
	grep -qF "TLS peer id check failed: the daemon's certificate CN is '$TLS_FAKE_ID' but it sent the unique id '$TLS_ID'" err
stop_daemon

# A daemon that cannot use its files does not start.
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d -1 $(tls_opts ca1 peer1 peer2) -- true)" 99 \
	"a daemon (and its client) with a key that is not the certificate's: 99"
ok "... no daemon listens" test -z "$(listener_pid tcp "$PORT")"
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d -1 $(tls_opts ca1 peer1 peer1 ca2) -- true)" 99 \
	"a daemon and client with the CA file of another CA: 99"
# That daemon started (its files are usable) and refuses everyone.
DPID=$(listener_pid tcp "$PORT")
stop_daemon

# shellcheck disable=SC2086
is "$(status_of fl --foreground -a 127.0.0.1 -p "$PORT" $(tls_opts ca1 peer1 peer2))" 99 \
	"a daemon in the foreground with a key that is not the certificate's: 99"
ok "... it names the key and the certificate" grep -qF "private key '$T/certs/ca1/peer2.key' does not match" err

# A daemon that accepts and never answers: the client's handshake is bounded.
"$FAKE_DAEMON" --silent --tcp "$PORT" --lifetime 30000 &
SILENT=$!
STARTED_PIDS="$STARTED_PIDS $SILENT"
wait_for 10 listening tcp "$PORT"
t0=$(now_ms)
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 --request-timeout=500 $CA1 -- true)" 99 \
	"a silent daemon: the TLS client exits 99"
ok "... after its request timeout, not for ever" test $(( $(now_ms) - t0 )) -lt 5000
ok "... it says the daemon did not answer in time" grep -q "did not answer in time" err
kill "$SILENT"
wait "$SILENT" 2>/dev/null
wait_for 10 pid_gone "$SILENT"

# A configuration file, as the original's suite.
printf '[Resource]\n[Daemon]\n[Network]\n[TLS]\nTlsCertificate=%s\nTlsPrivateKey=%s\nTlsCaCertificate=%s\nTlsCheckPeerId=yes\n' \
	"$T/certs/ca1/peer1.crt" "$T/certs/ca1/peer1.key" "$T/certs/ca1/cacert.pem" >"$T/tls.conf"
ok "[TLS] keys in a -c file: a daemon" start_tcp -c "$T/tls.conf"
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 -- true)" 0 "... a client of the same CA locks"

# ---- shutdown over TLS ----
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -X $(tls_opts ca2 peer2))" 99 "-X with another CA's credentials: 99"
ok "... the daemon is alive" alive
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -X $(tls_opts ca1 peer2 peer1))" 99 "-X with a mismatching key: 99"
ok "... the daemon is alive" alive
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -X $CA1_P3)" 99 "-X with a CN that is not the id sent (the daemon checks): 99"
ok "... it says the daemon refused" grep -q "refused" err
ok "... the daemon is alive" alive
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -X)" 99 "-X without TLS: 99"
ok "... the daemon is alive" alive
# shellcheck disable=SC2086
is "$(status_of fl -a 127.0.0.1 -p "$PORT" -X $CA1_P2)" 0 "-X with good credentials: 0"
ok "... the daemon is gone" wait_for 10 pid_gone "$DPID"
DPID=

# ---- a silent TLS peer and a garbage peer ----
# peer MODE: connect to the daemon; "silent" sends nothing, "half" a third of
# a ClientHello, "garbage" a line of text; MODE.up says it has sent them;
# MODE.ms then gets the ms until the daemon closed (or "open" after 20 s).
peer() {
	local bytes=
	case $1 in
	half) bytes='\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03'$(printf '\\0%.0s' $(seq 60)) ;;
	garbage) bytes='GET / HTTP/1.0\r\n\r\n' ;;
	esac
	"$FLOM_SEND" -q -v -t 20000 ${bytes:+-m "$bytes"} "127.0.0.1:$PORT" 2>"$T/$1.up"
	sed -n 's/.*; peer closed after \([0-9]*\) ms$/\1/p; s/.*; peer still open after .*/open/p' \
		"$T/$1.up" >"$T/$1.ms.new"
	mv "$T/$1.ms.new" "$T/$1.ms"
}
# The daemon's part of a TLS lock, in ms, the least of three: from the start
# of the handshake to the grant, read from the client's trace (process
# start-up and the command are not the daemon's doing).
lock_ms() {
	local best= ms
	for _ in 1 2 3; do
		# shellcheck disable=SC2086
		FLOM_TRACE_MASK=0x200008 timeout 20 "$FLOM_BIN" -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 -- true \
			2>"$T/lock.trc" || return 1
		ms=$(awk '{ split($2, t, ":"); us = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000 }
			/TLS handshake with the daemon/ { s = us } /client_recv: <-/ && !e { e = us }
			END { printf "%d\n", e - s }' "$T/lock.trc")
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}
# shellcheck disable=SC2086
FLOM_TRACE_MASK=0x10 ok "a TLS daemon with a 3 s request timeout" \
	start_tcp $CA1 --request-timeout=3000 -t "$T/daemon.trc"
base=$(lock_ms)
diag "the daemon's part of a TLS lock alone: $base ms"
for mode in silent half garbage; do
	peer "$mode" &
	STARTED_PIDS="$STARTED_PIDS $!"
	wait_for 10 test -s "$T/$mode.up"
	with=$(lock_ms)
	diag "the daemon's part of a TLS lock with a $mode peer connected: $with ms"
	# A daemon that blocked on the peer's handshake would add the 3 s request
	# timeout; 500 ms over the lock alone leaves room for a loaded machine.
	ok "a $mode peer does not delay another client's lock (${with} ms, alone ${base} ms, limit +500)" \
		test -n "$with" -a "${with:-99999}" -le $((base + 500))
done
wait_for 10 has_lines "$T/garbage.ms" 1
ok "the garbage peer was closed at once" test "$(cat "$T/garbage.ms")" -lt 1000
wait_for 10 has_lines "$T/silent.ms" 1
wait_for 10 has_lines "$T/half.ms" 1
diag "closed after: silent $(cat "$T/silent.ms") ms, half $(cat "$T/half.ms") ms"
ok "the silent peer was closed after the request timeout (3 s)" \
	test "$(cat "$T/silent.ms")" -ge 2500 -a "$(cat "$T/silent.ms")" -lt 10000
ok "the half-handshake peer was closed after the request timeout" \
	test "$(cat "$T/half.ms")" -ge 2500 -a "$(cat "$T/half.ms")" -lt 10000
ok "the daemon counted the garbage peer" grep -q "dropped conn .*so far.*does not speak TLS" "$T/daemon.trc"
ok "the daemon counted the silent peer" grep -q "dropped conn .*so far.*no TLS handshake within 3000 ms" "$T/daemon.trc"
grep dropped "$T/daemon.trc" | cut -d' ' -f4- | show
# shellcheck disable=SC2086
ok "the daemon still serves" fl -a 127.0.0.1 -p "$PORT" -d 0 $CA1_P2 -- true
stop_daemon

done_testing
