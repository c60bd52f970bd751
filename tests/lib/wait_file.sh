#!/bin/sh
# wait_file.sh FILE [SECONDS]: for commands run under flom in the scenarios:
# wait until FILE exists, at most SECONDS (default 30); exit 1 on timeout.
file=$1 limit=${2:-30} step=0.02 n=0
max=$((limit * 50))
while [ ! -e "$file" ]; do
	n=$((n + 1))
	[ "$n" -gt "$max" ] && exit 1
	sleep "$step"
done
