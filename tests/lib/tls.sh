# flom test library: certificates for TLS scenarios, made at test time with
# the openssl command (no key is ever committed).
#
#   . "$FLOM_SRCDIR/tests/lib/tls.sh"
#   tls_make_certs DIR          # or skip the script when openssl is missing
#   flom $(tls_opts ca1 peer2) -- true
#
# DIR/ca1: a CA and peers 1, 2, 3 it signed; DIR/ca2: another CA and peers 1,
# 2. Every peer's CN is this host's `flom --unique-id` except ca1/peer3, whose
# CN is a fake id (00000000000000000000000000000003). Each peer has NAME.crt
# and NAME.key; each CA has cacert.pem. Keys are EC P-256: fast to make.

TLS_FAKE_ID=00000000000000000000000000000003
TLS_DIR=""

tls_openssl() {
	openssl "$@" >>"$TLS_DIR/openssl.log" 2>&1 ||
		{ echo "Bail out! openssl $1 failed: $(tail -3 "$TLS_DIR/openssl.log")"; exit 1; }
}

# tls_make_ca DIR: DIR/cacert.pem and DIR/cakey.pem
tls_make_ca() {
	mkdir -p "$1"
	tls_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=flom test $(basename "$1")" -days 2 \
		-keyout "$1/cakey.pem" -out "$1/cacert.pem"
}

# tls_make_peer CADIR NAME CN: CADIR/NAME.key, CADIR/NAME.crt signed by the CA
tls_make_peer() {
	tls_openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=$3" -keyout "$1/$2.key" -out "$1/$2.csr"
	tls_openssl x509 -req -in "$1/$2.csr" -CA "$1/cacert.pem" -CAkey "$1/cakey.pem" \
		-CAcreateserial -days 2 -out "$1/$2.crt"
	rm -f "$1/$2.csr"
}

tls_make_certs() {
	local id
	command -v openssl >/dev/null || skip_all "the openssl command is not installed"
	TLS_DIR=$1
	mkdir -p "$TLS_DIR"
	id=$("$FLOM_BIN" --unique-id) || { echo "Bail out! flom --unique-id failed"; exit 1; }
	TLS_ID=$id
	tls_make_ca "$TLS_DIR/ca1"
	tls_make_ca "$TLS_DIR/ca2"
	tls_make_peer "$TLS_DIR/ca1" peer1 "$id"
	tls_make_peer "$TLS_DIR/ca1" peer2 "$id"
	tls_make_peer "$TLS_DIR/ca1" peer3 "$TLS_FAKE_ID"
	tls_make_peer "$TLS_DIR/ca2" peer1 "$id"
	tls_make_peer "$TLS_DIR/ca2" peer2 "$id"
}

# tls_opts CA PEER [KEYPEER [CAFILE_CA]]: the three options. KEYPEER takes the
# key of another peer of the same CA (a mismatching pair), CAFILE_CA the CA
# file of another CA.
tls_opts() {
	local ca=$1 peer=$2 keypeer=${3:-$2} cafile=${4:-$1}
	echo "--tls-certificate=$TLS_DIR/$ca/$peer.crt --tls-private-key=$TLS_DIR/$ca/$keypeer.key" \
		"--tls-ca-certificate=$TLS_DIR/$cafile/cacert.pem"
}
