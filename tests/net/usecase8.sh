#!/bin/bash
# IPv6 use case 8 (the seed's transcript) across two hosts that have only
# link-local IPv6 addresses: a daemon on A's fe80 address with -n eth0, also
# discoverable on ff02::1; clients on A and B reach it by address, by host
# name and by discovery, and none of them starts a second daemon.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
netns_setup A B

LLA=$(netns_ll A)
diag "host A: $LLA%eth0, host B: $(netns_ll B)%eth0"
# The commands run in /usr, as in the seed's transcript.
export NETNS_CWD=/usr
ls_A=$(on_host A ls)
ls_B=$(on_host B ls)

is "$(netns_count_daemons A)" 0 "no daemon on A before the use case"
on_host A "$FLOM_BIN" -a "$LLA" -n eth0 -A ff02::1 -d -1 -- true >start.out 2>start.err
is "$?" 0 "A: flom -a $LLA -n eth0 -A ff02::1 -d -1 -- true"
is "$(cat start.out start.err)" "" "A: the start prints nothing"
is "$(netns_count_daemons A)" 1 "exactly one daemon runs on A"
DPID=$(netns_daemon_pids A)

out=$(on_host A "$FLOM_BIN" -a "$LLA" -n eth0 -d 0 -- ls 2>a.err)
is "$?" 0 "A: flom -a <A's address> -n eth0 -d 0 -- ls"
is "$out" "$ls_A" "A: ls printed its output"

out=$(on_host B "$FLOM_BIN" -a "$LLA" -n eth0 -d 0 -- ls 2>b.err)
is "$?" 0 "B: flom -a <A's address> -n eth0 -d 0 -- ls"
is "$out" "$ls_B" "B: ls printed its output"

# By host name, as the seed does with ubuntu1404-64.brenta.org: B's own
# /etc/hosts names A. The name also has an address where nobody listens,
# which the client skips whatever order the resolver gives.
printf '127.0.0.1 hosta.example\n%s hosta.example\n' "$LLA" >"$NETNS_ROOT/B/tmp/hosts"
out=$(on_host B sh -c 'mount --bind /tmp/hosts /etc/hosts && exec "$@"' sh \
	"$FLOM_BIN" -a hosta.example -n eth0 -d 0 -- ls 2>name.err)
is "$?" 0 "B: flom -a <A's host name> -n eth0 -d 0 -- ls"
is "$out" "$ls_B" "B: ls ran under the lock taken by name"

out=$(on_host B "$FLOM_BIN" -A ff02::1 -d 0 -- ls 2>disc.err)
is "$?" 0 "B: flom -A ff02::1 -d 0 -- ls (discovery)"
is "$out" "$ls_B" "B: ls ran under the discovered daemon's lock"

out=$(on_host B "$FLOM_BIN" -V -A ff02::1 -d 0 -- true 2>/dev/null)
ok "B -V: the reply names A's configured address" \
	grep -q "^reply from ff02::1/28015 is '.*<network address=\"$LLA\" port=\"28015\"/></msg>'\$" <<<"$out"

is "$(netns_count_daemons B)" 0 "nothing was started on B"
is "$(netns_daemon_pids A)" "$DPID" "still the same single daemon on A"
[ -s b.err ] && sed 's/^/# b.err: /' b.err
[ -s disc.err ] && sed 's/^/# disc.err: /' disc.err

done_testing
