#!/bin/bash
# --debug-feature=tls.server / tls.client on loopback, the original suite's
# pairs (reference §10.4): certificates of one CA exchange ids (0, with and
# without peer-id checking); different CAs, a key that is not the
# certificate's, a CA file of another CA, a server whose CN is not its id
# (with checking) fail with 1 and a diagnosis that names the file or check.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/tls.sh"
tls_make_certs "$TEST_TMP/certs"
unset FLOM_TRACE_MASK
PORT=$(free_tcp_port)
C=$TEST_TMP/certs

# pair TAG "SERVER TLS ARGS" "CLIENT TLS ARGS": sets SRV_RC and CLI_RC;
# outputs in TAG.{s,c}.{out,err}.
pair() {
	local tag=$1 spid
	# shellcheck disable=SC2086
	spawn "$FLOM_BIN" --debug-feature=tls.server -a 127.0.0.1 -p "$PORT" $2 \
		>"$tag.s.out" 2>"$tag.s.err"
	spid=$!
	wait_for 10 listening tcp "$PORT" || diag "$tag: the server does not listen"
	# shellcheck disable=SC2086
	timeout 20 "$FLOM_BIN" --debug-feature=tls.client -a 127.0.0.1 -p "$PORT" $3 \
		>"$tag.c.out" 2>"$tag.c.err"
	CLI_RC=$?
	wait_exit 10 "$spid"
	SRV_RC=$?
}
show() { sed 's/^/# /' "$@"; }

ID=$TLS_ID
SERVER_OUT="Arrived message is '$ID</msg>'
Sent message is '$ID</msg>'"
CLIENT_OUT="Sent message is '$ID</msg>'
Arrived message is '$ID</msg>'"

pair same "$(tls_opts ca1 peer1)" "$(tls_opts ca1 peer2)"
is "$CLI_RC" 0 "same CA: client exits 0"
is "$SRV_RC" 0 "same CA: server exits 0"
is "$(cat same.s.out)" "$SERVER_OUT" "same CA: the server received the client's id and sent its own"
is "$(cat same.c.out)" "$CLIENT_OUT" "same CA: the client sent its id and received the server's"
ok "same CA: nothing on stderr" test ! -s same.c.err -a ! -s same.s.err

pair check "$(tls_opts ca1 peer1) --tls-check-peer-id=yes" "$(tls_opts ca1 peer2) --tls-check-peer-id=yes"
is "$CLI_RC" 0 "mutual authentication with peer-id checks: client exits 0"
is "$SRV_RC" 0 "mutual authentication with peer-id checks: server exits 0"

pair cas "$(tls_opts ca1 peer1)" "$(tls_opts ca2 peer2)"
is "$CLI_RC" 1 "different CAs: client exits 1"
is "$SRV_RC" 1 "different CAs: server exits 1"
ok "different CAs: the client names the CA file that refused the server" \
	grep -qF "is refused by CA file '$C/ca2/cacert.pem'" cas.c.err
ok "different CAs: the client says what it presents" \
	grep -qF "this side: certificate '$C/ca2/peer2.crt'" cas.c.err
ok "different CAs: the client lists the likely causes" grep -qF "1. different CAs" cas.c.err
ok "different CAs: the server says the client's certificate was refused" \
	grep -qF "tls.server: TLS handshake with 127.0.0.1" cas.s.err
show cas.c.err

# A key that is not the certificate's: refused before any connection.
timeout 20 "$FLOM_BIN" --debug-feature=tls.client -a 127.0.0.1 -p "$PORT" \
	$(tls_opts ca1 peer2 peer1) >key.c.out 2>key.c.err
is "$?" 1 "wrong private key: client exits 1"
ok "wrong private key: it names the key and the certificate" \
	grep -qF "private key '$C/ca1/peer1.key' does not match certificate '$C/ca1/peer2.crt'" key.c.err

pair cafile "$(tls_opts ca1 peer1)" "$(tls_opts ca1 peer2 peer2 ca2)"
is "$CLI_RC" 1 "wrong CA file on the client: client exits 1"
ok "wrong CA file on the client: named" grep -qF "CA file '$C/ca2/cacert.pem'" cafile.c.err

pair fake "$(tls_opts ca1 peer3) --tls-check-peer-id=yes" "$(tls_opts ca1 peer2) --tls-check-peer-id=yes"
is "$CLI_RC" 1 "server CN is a fake id, checks on: client exits 1"
ok "fake CN: the client says which check failed" \
	grep -qF "peer id check failed: the server's certificate CN is '$TLS_FAKE_ID' but it sent the unique id '$ID'" fake.c.err
show fake.c.err

pair nocheck "$(tls_opts ca1 peer3)" "$(tls_opts ca1 peer2)"
is "$CLI_RC" 0 "server CN is a fake id, no checks: client exits 0"

# The client's fake CN, checked by the server.
pair fakeclient "$(tls_opts ca1 peer1) --tls-check-peer-id=yes" "$(tls_opts ca1 peer3)"
is "$SRV_RC" 1 "client CN is a fake id, the server checks: server exits 1"
is "$CLI_RC" 1 "client CN is a fake id, the server checks: client exits 1 (no answer)"
ok "client CN is a fake id: the server says which check failed" \
	grep -qF "the client's certificate CN is '$TLS_FAKE_ID'" fakeclient.s.err

timeout 20 "$FLOM_BIN" --debug-feature=tls.client -a 127.0.0.1 -p "$PORT" >none.out 2>none.err
is "$?" 1 "tls.client without TLS files exits 1"
ok "tls.client without TLS files says what is missing" grep -qF "needs --tls-certificate" none.err

# A server that accepts and says nothing: the client gives up after
# --request-timeout instead of waiting for ever.
"$FAKE_DAEMON" --silent --tcp "$PORT" --lifetime 30000 &
STARTED_PIDS="$STARTED_PIDS $!"
wait_for 30 listening tcp "$PORT" || diag "the silent server does not listen"
t0=$(now_ms)
timeout 20 "$FLOM_BIN" --debug-feature=tls.client -a 127.0.0.1 -p "$PORT" --request-timeout=300 \
	$(tls_opts ca1 peer2) >silent.out 2>silent.err
is "$?" 1 "a silent server: client exits 1"
ok "a silent server: the client gave up within a few seconds" test $(( $(now_ms) - t0 )) -lt 5000
ok "a silent server: it says the server did not answer" grep -qF "did not answer in time" silent.err
show silent.err

done_testing
