#!/bin/bash
# Start-up cost (issue 16): a plain lock loads glib alone. OpenSSL, libcurl
# and json-glib are opened when TLS or --etcd needs them (tls_*.sh and
# etcd.sh show that they are), never for a lock without them.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

HEAVY='libssl|libcrypto|libcurl|libjson-glib|libgobject'
# maps_lean FILE: a process map that has glib and none of the above.
maps_lean() { grep -q libglib "$1" && ! grep -qE "$HEAVY" "$1"; }

# The command's parent is the flom client that holds the lock for it.
# shellcheck disable=SC2016 # $PPID is the command's
rc=$(status_of flom_local -- sh -c 'cat "/proc/$PPID/maps" >client.maps')
is "$rc" 0 "a plain lock runs its command"
ok "the client has opened none of OpenSSL, libcurl, json-glib" maps_lean client.maps

d=$(daemon_pids | head -n 1)
ok "the client started a daemon" test -n "$d"
cat "/proc/$d/maps" >daemon.maps 2>/dev/null
ok "nor has the daemon it started" maps_lean daemon.maps

# ---- the command starts as with fork and exec ----
# (posix_spawn without a terminal; fork and exec when it fails)
printf 'echo "no interpreter line: $0"\n' >noshebang
chmod +x noshebang
is "$(flom_local -- ./noshebang)" "no interpreter line: ./noshebang" \
	"a script without #! runs under /bin/sh, as execvp runs it"
# shellcheck disable=SC2016 # the command's $$
flom_local -- sh -c 'echo $$; ps -o pgid= -p $$; sed -n "s/^\(SigBlk\|SigIgn\):[[:space:]]*//p" /proc/$$/status' >start.out
read -r pid pgid blk ign < <(tr '\n' ' ' <start.out)
ok "the command leads its own process group" test -n "$pid" -a "$pid" = "$pgid"
is "$((16#${blk:-1}))" 0 "the command starts with no signal blocked"
is "$((16#${ign:-1} & 0x7fffffff))" 0 "nor any of signals 1-31 ignored (flom ignores SIGPIPE)"

done_testing
