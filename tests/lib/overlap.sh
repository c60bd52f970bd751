# flom test library: the overlap detector of the safety scenarios.
#
#   . "$FLOM_SRCDIR/tests/lib/overlap.sh"; ov_init DIR
#   ov_run RES ID FLOM-ARGS...     # flom FLOM-ARGS -- job, in the background
#
# The job appends "NS in RES ID" to DIR/events once it runs (NS: date +%s%N),
# records flom's PID in DIR/flom.ID and its own in DIR/cmd.ID, and runs until
# DIR/go.ID or DIR/go.all exists (at most OV_JOB_LIMIT seconds; it looks
# every OV_POLL_MS milliseconds, default 50: many jobs at once look less
# often, the "out" line does not depend on it). With
# OV_TRAP=1 it survives SIGTERM (only SIGKILL ends it early). Its standard
# output is a pipe that flom, the job and whatever the job starts hold; the
# reader appends "NS out RES ID" when the last of them is gone, so the "out"
# line is never earlier than the real end of the command. A job that ends by
# itself also appends "NS end RES ID" just before it exits: under load the
# reader can write its "out" after the next command began, so ov_check ends
# a command at whichever of the two comes first. DIR may be shared
# by several hosts (namespaces of one machine share one clock).

OV_JOB_LIMIT=${OV_JOB_LIMIT:-60}
OV_POLL_MS=${OV_POLL_MS:-50}

ov_init() {
	OV_DIR=$1
	mkdir -p "$OV_DIR"
	: >"$OV_DIR/events"
	cat >"$OV_DIR/job" <<'OV_EOF'
#!/bin/sh
d=$(dirname "$0") res=$1 id=$2
echo "$(date +%s%N) in $res $id" >>"$d/events"
echo $PPID >"$d/flom.$id"
echo $$ >"$d/cmd.$id"
[ "${OV_TRAP:-0}" = 1 ] && trap 'echo "$(date +%s%N) term $res $id" >>"$d/events"' TERM
p=${OV_POLL_MS:-50} n=0
s=$((p / 1000)).$(printf %03d $((p % 1000)))
while [ ! -e "$d/go.$id" ] && [ ! -e "$d/go.all" ] && [ $n -lt $((OV_JOB_LIMIT * 1000 / p)) ]; do
	n=$((n + 1))
	sleep "$s"
done
# Its last act: the lock connection it inherited closes when it exits, so
# this line is never later than the release (the reader's "out" can be).
echo "$(date +%s%N) end $res $id" >>"$d/events"
OV_EOF
	chmod 0755 "$OV_DIR/job"
}

# ov_cmd RES ID FLOM-ARGS...: the shell text of one run, for on_host (which
# sees DIR as $OV_HOST_DIR when set).
ov_cmd() {
	local res=$1 id=$2 q d=${OV_HOST_DIR:-$OV_DIR}
	shift 2
	q=$(printf ' %q' "$@")
	echo "OV_TRAP=${OV_TRAP:-0} OV_JOB_LIMIT=$OV_JOB_LIMIT OV_POLL_MS=$OV_POLL_MS $FLOM_BIN$q -- $d/job $res $id" \
		"2>$d/err.$id | { cat >/dev/null; echo \"\$(date +%s%N) out $res $id\" >>$d/events; }"
}

# ov_run RES ID FLOM-ARGS...: on this host, in the background.
ov_run() {
	spawn sh -c "$(ov_cmd "$@")"
}

ov_is_in() { grep -q " in [^ ]* $1\$" "$OV_DIR/events" 2>/dev/null; }
ov_is_out() { grep -q " out [^ ]* $1\$" "$OV_DIR/events" 2>/dev/null; }
ov_time() { awk -v w="$1" -v id="$2" '$2 == w && $4 == id { printf "%.0f\n", $1 / 1000000 }' "$OV_DIR/events"; }

# ov_check [PREFIX]: "overlaps=N min_gap_ms=M": N times a command of a
# resource (whose name starts with PREFIX) began before the previous one of
# that resource had ended; M the smallest time from the end of one to the
# start of the next (-1 when none followed).
ov_check() {
	sort -n "$OV_DIR/events" | awk -v p="${1:-}" '
	index($3, p) != 1 { next }
	$2 == "in" {
		if (inside[$3]) over++
		inside[$3] = 1
		if ($3 in last) { g = int(($1 - last[$3]) / 1000000); if (min == "" || g < min) min = g }
	}
	($2 == "out" || $2 == "end") && !($4 in ended) { ended[$4] = 1; inside[$3] = 0; last[$3] = $1 }
	END { printf "overlaps=%d min_gap_ms=%d\n", over, (min == "" ? -1 : min) }'
}
