#!/bin/bash
# Safe logs (issue 12, item 6): a string from the network that reaches the
# daemon's log (syslog, echoed on stderr by --foreground) or its traces is
# escaped: every byte outside printable ASCII as \xNN. A peer cannot forge a
# log line (newline) or send terminal controls (ESC) to whoever reads it.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"

[ -x "$FLOM_SEND" ] || skip_all "flom_send not built ($FLOM_SEND)"

H='<?xml version="1.0" encoding="UTF-8" ?>'
PEER=0123456789abcdef0123456789abcdef
SOCK=$TEST_TMP/logs.sock
LOCK="$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"$PEER\"/><resource name=\"X1JFU09VUkNF\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/></msg>"
# The forged name: "x", newline, a fake syslog line, ESC [31m.
FORGED_B64=$(printf 'x\nFORGED: root logged in\033[31m' | base64 -w0)
UNLOCK="$H<msg level=\"3\" verb=\"2\" step=\"8\"><resource name=\"$FORGED_B64\" rollback=\"0\" /></msg>"
# A malformed message whose error text quotes the peer's bytes.
BAD_LEVEL="$H<msg level=\"1&#10;FORGED: level\" verb=\"1\" step=\"8\"></msg>"

FLOM_TRACE_MASK=0x30 spawn "$FLOM_BIN" --foreground -s "$SOCK" -d -1 2>fg.log
wait_for 10 listening unix "$SOCK"
ok "the foreground daemon listens" listening unix "$SOCK"

"$FLOM_SEND" -q -t 2000 -m "$LOCK$UNLOCK" "$SOCK"
is "$?" 0 "an unlock of another name closes the connection"
"$FLOM_SEND" -q -t 2000 -m "$BAD_LEVEL" "$SOCK"
is "$?" 0 "a malformed level closes the connection"
# Raw control bytes in a message: refused by the codec, and the trace of the
# message as received must not carry them either (flom_send decodes \n, \xHH).
"$FLOM_SEND" -q -t 2000 -m "$H<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"a\x1b[31m\nFORGED: trace\"/></msg>" "$SOCK"
is "$?" 0 "a message with raw control bytes closes the connection"
wait_for 5 file_has fg.log "FORGED: trace"

ok "the log names the forged unlock, escaped" grep -q "unlock of 'x\\\\x0aFORGED: root logged in\\\\x1b\[31m'" fg.log
ok "the log quotes the malformed level, escaped" grep -q "1\\\\x0aFORGED: level" fg.log
is "$(grep -c '^FORGED' fg.log)" 0 "no log line starts with the forged text"
is "$(tr -d '\n' <fg.log | LC_ALL=C grep -c $'[\x01-\x1f\x7f]')" 0 "no control byte in the log"
ok "the trace of the raw message shows them escaped" grep -q 'peerid="a\\x1b\[31m\\x0aFORGED: trace' fg.log
done_testing
