#!/bin/bash
# Every option of the command line and every key of the configuration files
# (reference §10.1): each value reaches the -V dump, the runs that lock
# succeed, and every bad input exits 99 with one stderr line naming it.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

# Only this scenario's files: no system file, an empty home.
export HOME="$TEST_TMP/home"
export FLOM_SYSTEM_CONFIG="$TEST_TMP/no-system.conf"
mkdir -p "$HOME"
T=$TEST_TMP

# rc_out FILE CMD...: CMD's stdout in FILE; prints its exit status.
rc_out() {
	local f=$1
	shift
	"$@" >"$f"
	echo $?
}

# run ARGS...: flom with this scenario's local daemon, bounded in time.
# shellcheck disable=SC2046 # the options are words
run() { timeout 30 "$FLOM_BIN" $(flom_local_opts) "$@"; }

# dump_has LINE ARGS...: `flom -V ARGS -- true` prints LINE in its dump. Like
# the original's suite, only the dump counts here, not the run's status.
dump_has() {
	local line=$1
	shift
	run -V "$@" -- true 2>/dev/null | grep -qxF -- "$line"
}

# conf GROUP KEY=VALUE: a file with every group (as the original requires)
# and one key set; prints its path.
CONF_N=0
conf() {
	CONF_N=$((CONF_N + 1))
	local f="$T/conf.$CONF_N" g
	for g in Trace Resource Daemon Monitor Network TLS; do
		echo "[$g]"
		[ "$g" = "$1" ] && echo "$2"
	done >"$f"
	echo "$f"
}

# key_has LINE GROUP KEY=VALUE [ARGS...]: the key in a -c file gives LINE.
key_has() {
	local line=$1 f
	f=$(conf "$2" "$3")
	shift 3
	dump_has "$line" -c "$f" "$@"
}

# ---- help, version, lists ----
is "$(rc_out out "$FLOM_BIN" -h)" 0 "-h exits 0"
ok "-h prints the usage" grep -qF -- "[-- command to execute]" out
is "$(rc_out out "$FLOM_BIN" --help)" 0 "--help exits 0"
ok "--help lists every option" grep -qF -- "--tcp-keepalive-probes" out
is "$(rc_out out "$FLOM_BIN" -v)" 0 "-v exits 0"
is "$(wc -l <out | tr -d ' ')" 7 "-v prints 7 lines"
ok "-v says it is flom, compatible with FLoM 1.7.2" grep -q 'FLoM 1.7.2' out
ok "-v names the licence" grep -q 'GPL-2.0-or-later' out
ok "-v names the TLS protocols (1.2 at least)" grep -qx 'TLS supported protocol(s): TLSv1.2, TLSv1.3 (.*)' out
is "$(rc_out out "$FLOM_BIN" --version)" 0 "--version exits 0"
is "$(rc_out out "$FLOM_BIN" --signal-list)" 0 "--signal-list exits 0"
is "$(head -n1 out)" "$(printf '1) SIGHUP\t2) SIGINT\t3) SIGQUIT\t4) SIGILL\t')" "--signal-list first line"
is "$(tail -n1 out)" "$(printf '29) SIGIO\t30) SIGPWR\t31) SIGSYS\t')" "--signal-list last line"
is "$(rc_out out "$FLOM_BIN" --unique-id)" 0 "--unique-id exits 0"
ok "--unique-id prints 32 hex digits" grep -qxE '[0-9a-f]{32}' out
is "$("$FLOM_BIN" --unique-id)" "$(cat out)" "--unique-id is stable"

# ---- the shipped sample configuration ----
is "$(rc_out /dev/null run -c "$FLOM_SRCDIR/etc/flom.conf" -- ls)" 0 "-c flom.conf -- ls exits 0"
is "$(rc_out /dev/null run --config-file="$FLOM_SRCDIR/etc/flom.conf" -- ls)" 0 \
	"--config-file=flom.conf -- ls exits 0"

# ---- [Trace] ----
ok "-t" dump_has "[Trace]/DaemonTraceFile='$T/flom_daemon.trc'" -t "$T/flom_daemon.trc"
ok "--daemon-trace-file" dump_has "[Trace]/DaemonTraceFile='$T/flom_daemon.trc'" \
	--verbose --daemon-trace-file="$T/flom_daemon.trc"
ok "DaemonTraceFile" key_has "[Trace]/DaemonTraceFile='$T/flom_daemon.trc'" Trace "DaemonTraceFile=$T/flom_daemon.trc"
ok "-T" dump_has "[Trace]/CommandTraceFile='$T/flom_command.trc'" -T "$T/flom_command.trc"
ok "--command-trace-file" dump_has "[Trace]/CommandTraceFile='$T/flom_command.trc'" \
	--command-trace-file="$T/flom_command.trc"
ok "CommandTraceFile" key_has "[Trace]/CommandTraceFile='$T/flom_command.trc'" Trace "CommandTraceFile=$T/flom_command.trc"
ok "--append-trace-file=yes" dump_has "[Trace]/AppendTraceFile=1" --append-trace-file=yes

# Relative trace paths, as the original accepts them: taken from the working
# directory at start-up, also for the daemon, which then runs in /.
mkdir -p "$T/rel"
REL=$(cd "$T/rel" && pwd -P)
ok "-T relative: the dump shows it in the working directory" \
	sh -c "cd '$REL' && '$FLOM_BIN' -V -T cmd.trc -- true 2>/dev/null | grep -qxF \"[Trace]/CommandTraceFile='$REL/cmd.trc'\""
(cd "$REL" && FLOM_TRACE_MASK=0xffffffff timeout 30 "$FLOM_BIN" -s "$T/rel.sock" -T cmd.trc -t daemon.trc -- true)
is "$?" 0 "-T and -t relative: the command runs"
ok "-T relative: the command's trace is in the working directory" test -s "$REL/cmd.trc"
ok "-t relative: the daemon's trace is there too, not in /" wait_for 5 test -s "$REL/daemon.trc"
"$FLOM_BIN" -s "$T/rel.sock" -X >/dev/null 2>&1
ok "AppendTraceFile=yes" key_has "[Trace]/AppendTraceFile=1" Trace "AppendTraceFile=yes"
ok "-V" dump_has "[Trace]/Verbose=1"
ok "--verbose" dump_has "[Trace]/Verbose=1" --verbose
f=$(conf Trace "Verbose=yes")
ok "Verbose=yes alone prints the dump" sh -c "timeout 30 '$FLOM_BIN' $(flom_local_opts) -c '$f' -- true | grep -qxF '[Trace]/Verbose=1'"

# ---- [Resource] ----
ok "-r" dump_has "[Resource]/Name='MYRES'" -r MYRES
ok "--resource-name" dump_has "[Resource]/Name='MYRES'" --resource-name=MYRES
ok "Name" key_has "[Resource]/Name='MYRES'" Resource "Name=MYRES"
is "$(run -V -r MYRES -- true | grep Resource | grep Name)" "[Resource]/Name='MYRES'" \
	"one dump line is about the resource name"
ok "-o 100" dump_has "[Resource]/Timeout=100" -o 100
ok "--resource-timeout=100" dump_has "[Resource]/Timeout=100" --resource-timeout=100
ok "Timeout=100" key_has "[Resource]/Timeout=100" Resource "Timeout=100"
ok "-o -100" dump_has "[Resource]/Timeout=-100" -o -100
ok "--resource-timeout=-100" dump_has "[Resource]/Timeout=-100" --resource-timeout=-100
ok "Timeout=-100" key_has "[Resource]/Timeout=-100" Resource "Timeout=-100"
ok "-q 22" dump_has "[Resource]/Quantity=22" -q 22
ok "--resource-quantity=22" dump_has "[Resource]/Quantity=22" --resource-quantity=22
ok "Quantity=22" key_has "[Resource]/Quantity=22" Resource "Quantity=22"
is "$(status_of run -q 22 -- true)" 0 "-q 22 on a simple resource still runs (quantity 1 is used)"
ok "-e y" dump_has "[Resource]/Create=1" -e y
ok "--resource-create=yes" dump_has "[Resource]/Create=1" --resource-create=yes
ok "Create=yes" key_has "[Resource]/Create=1" Resource "Create=yes"
# -o 0: a create=no request must not wait for a resource nobody creates.
ok "-e n" dump_has "[Resource]/Create=0" -e n -o 0
ok "--resource-create=no" dump_has "[Resource]/Create=0" --resource-create=no -o 0
ok "Create=no" key_has "[Resource]/Create=0" Resource "Create=no" -o 0
ok "-i 123" dump_has "[Resource]/IdleLifespan=123" -i 123
ok "--resource-idle-lifespan=123" dump_has "[Resource]/IdleLifespan=123" --resource-idle-lifespan=123
ok "IdleLifespan=234" key_has "[Resource]/IdleLifespan=234" Resource "IdleLifespan=234"
ok "-l PR" dump_has "[Resource]/LockMode=3" -l PR
ok "--lock-mode=ProtectedRead" dump_has "[Resource]/LockMode=3" --lock-mode=ProtectedRead
ok "LockMode=ProtectedRead" key_has "[Resource]/LockMode=3" Resource "LockMode=ProtectedRead"

# ---- [Daemon] ----
# The dump shows what was given: a -s with -a/-A is refused after it.
ok "-s" dump_has "[Daemon]/SocketName='$T/foo'" -s "$T/foo"
is "$(rc_out /dev/null run --socket-name="$T/bar" -- ls)" 0 "--socket-name=PATH -- ls exits 0"
# Not through run: its own -s would win over the file's.
f=$(conf Daemon "SocketName=$T/foobar")
ok "SocketName" sh -c "timeout 30 '$FLOM_BIN' -V -c '$f' -- true | grep -qxF \"[Daemon]/SocketName='$T/foobar'\""
for s in foo bar foobar; do "$FLOM_BIN" -s "$T/$s" -X >/dev/null 2>&1; done
ok "-d 231" dump_has "[Daemon]/Lifespan=231" -d 231
ok "--daemon-lifespan=231" dump_has "[Daemon]/Lifespan=231" --daemon-lifespan=231
ok "Lifespan=231" key_has "[Daemon]/Lifespan=231" Daemon "Lifespan=231"
is "$(run -V -d 231 -- true | grep Lifespan | paste -sd,)" "[Resource]/IdleLifespan=0,[Daemon]/Lifespan=231" \
	"grep Lifespan gives the resource's then the daemon's"
# Network modes: -d 0 -D 1 -I 1 so that a dump run never waits for a daemon.
NET=(-d 0 -D 1 -I 1)
ok "-a" dump_has "[Daemon]/UnicastAddress='localhost'" -a localhost "${NET[@]}"
ok "--unicast-address" dump_has "[Daemon]/UnicastAddress='localhost'" --unicast-address=localhost "${NET[@]}"
ok "UnicastAddress" key_has "[Daemon]/UnicastAddress='localhost'" Daemon "UnicastAddress=localhost" "${NET[@]}"
ok "-p 27750" dump_has "[Daemon]/UnicastPort=27750" -p 27750
ok "--unicast-port=27750" dump_has "[Daemon]/UnicastPort=27750" --unicast-port=27750
ok "UnicastPort=27750" key_has "[Daemon]/UnicastPort=27750" Daemon "UnicastPort=27750"
ok "-A" dump_has "[Daemon]/MulticastAddress='239.255.0.1'" -A 239.255.0.1 "${NET[@]}"
ok "--multicast-address" dump_has "[Daemon]/MulticastAddress='239.255.0.2'" --multicast-address=239.255.0.2 "${NET[@]}"
ok "MulticastAddress" key_has "[Daemon]/MulticastAddress='239.255.0.3'" Daemon "MulticastAddress=239.255.0.3" "${NET[@]}"
ok "-P 27750" dump_has "[Daemon]/MulticastPort=27750" -P 27750
ok "--multicast-port=27750" dump_has "[Daemon]/MulticastPort=27750" --multicast-port=27750
ok "MulticastPort=27750" key_has "[Daemon]/MulticastPort=27750" Daemon "MulticastPort=27750"
mkdir -p "$T/flom-test-vfs"
ok "-m" dump_has "[Daemon]/MountPointVFS='$T/flom-test-vfs'" --verbose -m "$T/flom-test-vfs"
ok "--mount-point-vfs" dump_has "[Daemon]/MountPointVFS='$T/flom-test-vfs'" --mount-point-vfs="$T/flom-test-vfs"
ok "MountPointVFS" key_has "[Daemon]/MountPointVFS='$T/flom-test-vfs'" Daemon "MountPointVFS=$T/flom-test-vfs"
ok "AllowRemoteManagement=yes" key_has "[Daemon]/AllowRemoteManagement=1" Daemon "AllowRemoteManagement=yes"
ok "MaxConnections=10" key_has "[Daemon]/MaxConnections=10" Daemon "MaxConnections=10"
ok "--request-timeout" dump_has "[Daemon]/RequestTimeout=250" --request-timeout=250
ok "RequestTimeout=250" key_has "[Daemon]/RequestTimeout=250" Daemon "RequestTimeout=250"
ok "--tls-allowed-manager-ids" dump_has "[TLS]/TlsAllowedManagerIds='a;b'" --tls-allowed-manager-ids='a;b'
ok "TlsAllowedManagerIds" key_has "[TLS]/TlsAllowedManagerIds='a;b'" TLS "TlsAllowedManagerIds=a;b"

# ---- [Monitor] ----
ok "--ignore-signal twice" dump_has "[Monitor]/IgnoredSignals='SIGQUIT;SIGTERM'" \
	--ignore-signal=SIGQUIT --ignore-signal=SIGTERM
ok "--verbose -V --ignore-signal" dump_has "[Monitor]/IgnoredSignals='SIGQUIT;SIGTERM'" \
	--verbose -V --ignore-signal=SIGTERM --ignore-signal=3
ok "IgnoredSignals" key_has "[Monitor]/IgnoredSignals='SIGQUIT;SIGTERM'" Monitor "IgnoredSignals=SIGQUIT;SIGTERM"
ok "OnLockLost=warn" key_has "[Monitor]/OnLockLost='warn'" Monitor "OnLockLost=warn"

# ---- [Network] ----
ok "-n lo" dump_has "[Network]/NetworkInterface='lo'" -n lo
ok "--network-interface=lo" dump_has "[Network]/NetworkInterface='lo'" --network-interface=lo
ok "NetworkInterface=lo" key_has "[Network]/NetworkInterface='lo'" Network "NetworkInterface=lo"
ok "-D 3" dump_has "[Network]/DiscoveryAttempts=3" -D 3
ok "--discovery-attempts=3" dump_has "[Network]/DiscoveryAttempts=3" --discovery-attempts=3
ok "DiscoveryAttempts=3" key_has "[Network]/DiscoveryAttempts=3" Network "DiscoveryAttempts=3"
ok "-I 12345" dump_has "[Network]/DiscoveryTimeout=12345" -I 12345
ok "--discovery-timeout=12345" dump_has "[Network]/DiscoveryTimeout=12345" --discovery-timeout=12345
ok "DiscoveryTimeout=12345" key_has "[Network]/DiscoveryTimeout=12345" Network "DiscoveryTimeout=12345"
ok "--discovery-ttl=4" dump_has "[Network]/DiscoveryTTL=4" --discovery-ttl=4
ok "DiscoveryTTL=4" key_has "[Network]/DiscoveryTTL=4" Network "DiscoveryTTL=4"
ok "--tcp-keepalive-time" dump_has "[Network]/TcpKeepaliveTime=12345" --tcp-keepalive-time=12345
ok "TcpKeepaliveTime" key_has "[Network]/TcpKeepaliveTime=12345" Network "TcpKeepaliveTime=12345"
ok "--tcp-keepalive-intvl" dump_has "[Network]/TcpKeepaliveIntvl=12345" --tcp-keepalive-intvl=12345
ok "TcpKeepaliveIntvl" key_has "[Network]/TcpKeepaliveIntvl=12345" Network "TcpKeepaliveIntvl=12345"
ok "--tcp-keepalive-probes" dump_has "[Network]/TcpKeepaliveProbes=12" --tcp-keepalive-probes=12
ok "TcpKeepaliveProbes" key_has "[Network]/TcpKeepaliveProbes=12" Network "TcpKeepaliveProbes=12"

# ---- [TLS]: one or two files mean no TLS, and the run goes on ----
touch "$T/foo.pem"
pem=$(realpath "$T/foo.pem")
ok "--tls-certificate" dump_has "[TLS]/TlsCertificate='$pem'" --tls-certificate="$T/foo.pem"
ok "TlsCertificate" key_has "[TLS]/TlsCertificate='$pem'" TLS "TlsCertificate=$T/foo.pem"
ok "--tls-private-key" dump_has "[TLS]/TlsPrivateKey='$pem'" --tls-private-key="$T/foo.pem"
ok "TlsPrivateKey" key_has "[TLS]/TlsPrivateKey='$pem'" TLS "TlsPrivateKey=$T/foo.pem"
ok "--tls-ca-certificate" dump_has "[TLS]/TlsCaCertificate='$pem'" --tls-ca-certificate="$T/foo.pem"
ok "TlsCaCertificate" key_has "[TLS]/TlsCaCertificate='$pem'" TLS "TlsCaCertificate=$T/foo.pem"
is "$(status_of run --tls-certificate="$T/foo.pem" --tls-private-key="$T/foo.pem" -- true)" 0 \
	"two TLS files: no TLS, the run succeeds"
# The check comes after the dump: the line is printed, then 99.
ok "--tls-check-peer-id=yes" dump_has "[TLS]/TlsCheckPeerId=1" --tls-check-peer-id=yes
ok "TlsCheckPeerId=yes" key_has "[TLS]/TlsCheckPeerId=1" TLS "TlsCheckPeerId=yes"

# ---- the command: words before "--", nested flom ----
# shellcheck disable=SC2116 # echo is the command flom runs
is "$(run echo before separator)" "before separator" "words before -- are the command"
# shellcheck disable=SC2116
is "$(run echo x -l EX)" "x" "options after a word are still flom's"
# shellcheck disable=SC2046 # the options are words
is "$(run -r outer -- "$FLOM_BIN" $(flom_local_opts) -r inner -- echo nested -- words)" "nested -- words" \
	"nested flom: the second -- belongs to the inner flom, the third to echo"

# ---- explicit values win over files, even when equal to the defaults ----
f=$(conf Resource "Timeout=250")
is "$(run -V -c "$f" -o -1 -- true | grep /Timeout=)" "[Resource]/Timeout=-1" \
	"-o -1 overrides Timeout=250 of a file"
f=$(conf Daemon "UnicastPort=3000")
is "$(run -V -c "$f" -p 28015 -- true | grep UnicastPort)" "[Daemon]/UnicastPort=28015" \
	"-p 28015 overrides UnicastPort=3000 of a file"
echo "[Daemon]
Lifespan=4321" >"$HOME/.flom"
is "$(run -V -- true | grep '/Lifespan')" "[Daemon]/Lifespan=4321" "the user file ~/.flom is read"
echo "[Daemon]
Lifespan=1234" >"$T/system.conf"
rm "$HOME/.flom"
is "$(FLOM_SYSTEM_CONFIG=$T/system.conf run -V -- true | grep '/Lifespan')" "[Daemon]/Lifespan=1234" \
	"the system file is read"

# ---- management: -x and -X ----
is "$(status_of run -d -1 -- true)" 0 "-d -1 -- true starts a lasting daemon"
is "$(status_of run -x)" 0 "-x exits 0"
is "$(status_of run -d -1 -- true)" 0 "-d -1 -- true again"
is "$(status_of run --quiesce-exit)" 0 "--quiesce-exit exits 0"
is "$(status_of run -d -1 -- true)" 0 "-d -1 -- true"
is "$(status_of run -X)" 0 "-X exits 0"
is "$(status_of run -d -1 -- true)" 0 "-d -1 -- true again"
is "$(status_of run --immediate-exit)" 0 "--immediate-exit exits 0"

# ---- TCP for real, when this scenario has its own network ----
if [ -n "${FLOM_ISOLATED:-}" ]; then
	is "$(status_of timeout 30 "$FLOM_BIN" -a localhost -- true)" 0 "-a localhost -- true locks over TCP"
	is "$(status_of timeout 30 "$FLOM_BIN" -a localhost -X)" 0 "-X over TCP"
else
	skip "TCP runs need a private network namespace (root)"
	skip "TCP runs need a private network namespace (root)"
fi

# ---- bad inputs: exit 99, one stderr line, naming the option ----
# bad DESC NEEDLE ARGS...: flom ARGS -- true exits 99 and its only stderr
# line starts with "flom: " and contains NEEDLE.
bad() {
	local desc=$1 needle=$2 rc
	shift 2
	rc=$(rc_out out run -d 0 "$@" -- true 2>err)
	is "$rc" 99 "$desc: exit 99"
	is "$(wc -l <err | tr -d ' ')" 1 "$desc: one stderr line"
	ok "$desc: the line names it" grep -qF -- "$needle" err
	ok "$desc: the line starts with flom:" grep -q '^flom: ' err
	ok "$desc: nothing on stdout" test ! -s out
}
bad "unknown short option" "-z" -z FOO
bad "unknown long option" "--ZZZ-ZZZ" --ZZZ-ZZZ=BAR
bad "-r takes -- as its value" "option -r: '--' is not a valid name" -r
bad "-q 0" "option -q: resource quantity must be >= 1" -q 0
bad "-q -1" "option -q: resource quantity must be >= 1" -q -1
bad "-o not a number" "option -o: 'abc' is not an integer" -o abc
bad "-o out of range" "option -o:" -o 99999999999
bad "-d not a number" "option -d: '1x' is not an integer" -d 1x
bad "-i negative" "option -i:" -i -5
bad "-p negative" "option -p:" -p -28015
bad "-p too big" "option -p:" -p 65536
bad "-p zero" "option -p:" -p 0
bad "-P negative" "option -P:" -P -1
bad "-D zero" "discovery attempts must not be 0" -D 0
bad "-I negative" "option -I:" -I -500
bad "--discovery-ttl negative" "option --discovery-ttl:" --discovery-ttl=-1
bad "--tcp-keepalive-time negative" "option --tcp-keepalive-time:" --tcp-keepalive-time=-60
bad "--tcp-keepalive-intvl negative" "option --tcp-keepalive-intvl:" --tcp-keepalive-intvl=-10
bad "--tcp-keepalive-probes negative" "option --tcp-keepalive-probes:" --tcp-keepalive-probes=-6
bad "-e maybe" "option -e: 'maybe' is an invalid value" -e maybe
bad "-e nope" "option -e: 'nope' is an invalid value" -e nope
bad "--append-trace-file" "option --append-trace-file: 'perhaps'" --append-trace-file=perhaps
bad "--tls-check-peer-id" "option --tls-check-peer-id: 'on'" --tls-check-peer-id=on
bad "-l" "option -l: 'XX' is an invalid value" -l XX
bad "--ignore-signal" "option --ignore-signal: 'SIGFOO' is not a signal" --ignore-signal=SIGFOO
bad "-r _RESOURCE" "'_RESOURCE' is a reserved resource name" -r _RESOURCE
bad "-r invalid" "'bad name' is not a valid name for a resource" -r "bad name"
bad "-r timestamp without grain" "timestamp format '%a'" -r "_t_%a[1]"
bad "-s relative" "option -s: 'rel.sock' is not an absolute path" -s rel.sock
bad "-s too long" "option -s:" -s "/tmp/$(printf 'x%.0s' $(seq 1 120))"
bad "-m not a directory" "option -m: '$T/nodir' is not an existing directory" -m "$T/nodir"
bad "-n unknown interface" "option -n: 'nosuchif0' is not a network interface" -n nosuchif0
bad "--tls-certificate missing" "option --tls-certificate: '$T/no.pem'" --tls-certificate="$T/no.pem"
bad "-c missing" "$T/no.conf" -c "$T/no.conf"
bad "three TLS files that are no PEM" "flom: cannot use certificate file '$pem'" \
	--tls-certificate="$T/foo.pem" --tls-private-key="$T/foo.pem" --tls-ca-certificate="$T/foo.pem"
bad "--tls-check-peer-id without files" "tls-check-peer-id needs" --tls-check-peer-id=yes
bad "--tls-allowed-manager-ids without files" "tls-allowed-manager-ids needs" \
	--tls-allowed-manager-ids=0123
bad "--request-timeout 0" "option --request-timeout: request timeout must be >= 1" --request-timeout=0
f=$(conf Resource "Create=perhaps")
bad "invalid value in -c file" "$f: [Resource] Create: 'perhaps' is an invalid value" -c "$f"
printf '[Daemon]\nUnicastPort=abc\n' >"$HOME/.flom"
bad "invalid value in ~/.flom" "$HOME/.flom: [Daemon] UnicastPort: 'abc' is not an integer"
rm "$HOME/.flom"
printf 'not a key file\n' >"$T/system.conf"
export FLOM_SYSTEM_CONFIG=$T/system.conf
bad "unreadable system file" "$T/system.conf"
export FLOM_SYSTEM_CONFIG="$T/no-system.conf"

is "$(rc_out out "$FLOM_BIN" -d 2>err)" 99 "a missing argument exits 99"
is "$(cat err)" "flom: Missing argument for -d" "and names the option"

# Bad values exit 99 even with -V: nothing is dumped for a refused command line.
is "$(rc_out out run -V -p 0 -- true 2>/dev/null)" 99 "-V -p 0 exits 99"
ok "and prints no dump" test ! -s out
# -v works even when a file is broken: files are not read for it.
printf '[Daemon]\nLifespan=soon\n' >"$HOME/.flom"
is "$(rc_out /dev/null "$FLOM_BIN" -v 2>&1)" 0 "-v with a broken ~/.flom exits 0"
rm "$HOME/.flom"

# Do not leave a daemon behind (outside a namespace).
[ -n "${FLOM_ISOLATED:-}" ] || run -X >/dev/null 2>&1
done_testing
