#!/bin/bash
# IPv6 use case 9 (the seed's transcript): dynamic network mode. No address
# is configured anywhere: the daemon listens on an ephemeral port, answers
# discovery on ff02::1 with an empty address, and clients connect to the
# address the reply came from (with its scope).
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
. "$FLOM_SRCDIR/tests/lib/netns.sh"
netns_setup A B

# The commands run in /usr, as in the seed's transcript.
export NETNS_CWD=/usr
ls_A=$(on_host A ls)
ls_B=$(on_host B ls)

on_host A "$FLOM_BIN" -A ff02::1 -d 0 -- true >none.out 2>none.err
is "$?" 99 "A: flom -A ff02::1 -d 0 -- true fails with 99 while no daemon exists"
ok "A: and says why on stderr" test -s none.err
is "$(netns_count_daemons A)" 0 "A: -d 0 started nothing"

on_host A "$FLOM_BIN" -A ff02::1 -d -1 -- true >start.out 2>start.err
is "$?" 0 "A: flom -A ff02::1 -d -1 -- true"
is "$(netns_count_daemons A)" 1 "exactly one daemon runs on A"
DPID=$(netns_daemon_pids A)

out=$(on_host A "$FLOM_BIN" -A ff02::1 -d 0 -- ls 2>a.err)
is "$?" 0 "A: flom -A ff02::1 -d 0 -- ls"
is "$out" "$ls_A" "A: ls printed its output"

out=$(on_host B "$FLOM_BIN" -A ff02::1 -d 0 -- ls 2>b.err)
is "$?" 0 "B: flom -A ff02::1 -d 0 -- ls"
is "$out" "$ls_B" "B: ls printed its output"

# The verbose lines of the original, and the empty address of dynamic mode.
out=$(on_host B "$FLOM_BIN" -V -A ff02::1 -d 0 -- true 2>/dev/null)
is "$?" 0 "B: -V run"
ok "B -V: the request line" grep -qF \
	"sending UDP multicast datagram to ff02::1/28015 ('<?xml version=\"1.0\" encoding=\"UTF-8\" ?><msg level=\"3\" verb=\"4\" step=\"8\"></msg>')" <<<"$out"
ok "B -V: the reply has network address=\"\"" grep -q \
	"^reply from ff02::1/28015 is '<?xml version=\"1.0\" encoding=\"UTF-8\" ?><msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"[0-9]*\"/></msg>'\$" <<<"$out"

is "$(netns_count_daemons B)" 0 "nothing was started on B"
is "$(netns_daemon_pids A)" "$DPID" "still the same single daemon on A"
for f in a.err b.err; do [ -s $f ] && sed "s/^/# $f: /" $f; done

done_testing
