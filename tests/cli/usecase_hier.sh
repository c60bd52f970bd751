#!/bin/bash
# Hierarchical resources /a/b (reference §10.12, use cases 14 and 15): a lock
# on a path conflicts with incompatible locks on its ancestors and
# descendants, never with siblings; different roots are independent.
#
# Every scenario first takes the locks that must be granted together, then
# queues the waiters, so the result does not depend on how FIFO queues of one
# root treat requests for other branches.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

# together DESC ID:MODE:PATH...: all granted at once; released afterwards.
together() {
	local desc=$1 spec ids=() id mode path
	shift
	new_scenario
	for spec; do
		IFS=: read -r id mode path <<<"$spec"
		hold "$id" 0 -l "$mode" -r "$path"
		ids+=("$id")
	done
	ok "$desc" wait_in "${ids[@]}"
	release "${ids[@]}" >/dev/null
}

# blocked DESC HOLDERS -- WAITERS: each as ID:MODE:PATH; the holders are
# granted, every waiter is queued; after the holders left, the waiters run
# (one after the other, in order, when they conflict with each other).
blocked() {
	local desc=$1 spec id mode path hs=() ws=()
	shift
	new_scenario
	while [ "$1" != -- ]; do
		IFS=: read -r id mode path <<<"$1"
		hold "$id" 0 -l "$mode" -r "$path"
		hs+=("$id")
		shift
	done
	shift
	wait_in "${hs[@]}"
	for spec; do
		IFS=: read -r id mode path <<<"$spec"
		hold "$id" 0 -l "$mode" -r "$path"
		ws+=("$id")
		ok "$desc: $path ($mode) waits" wait_queued "$id"
	done
	release "${hs[@]}" >/dev/null
	for id in "${ws[@]}"; do
		wait_in "$id" && release "$id" >/dev/null
	done
	is "$(events | tr , '\n' | grep ' in$' | sed 's/ in$//' | tail -n ${#ws[@]} | paste -sd' ')" \
		"${ws[*]}" "$desc: the waiters ran after the holders, in order"
}

# ---- use case 14 ----
together "UC14 1/6: /apple, /pear, /banana are independent" \
	a:EX:/apple b:EX:/pear c:EX:/banana
blocked "UC14 2/6: /apple held" \
	a:EX:/apple -- b:EX:/apple/pear c:EX:/apple/pear/banana
blocked "UC14 3/6: /apple/pear/banana held" \
	a:EX:/apple/pear/banana -- b:EX:/apple/pear c:EX:/apple
together "UC14 4/6: CR /apple, PW /apple/pear/banana, CR /apple/pear together" \
	a:CR:/apple b:PW:/apple/pear/banana c:CR:/apple/pear
together "UC14 5/6: CR /apple/pear/banana, CR /apple/pear, PR /apple together" \
	a:CR:/apple/pear/banana b:CR:/apple/pear c:PR:/apple
blocked "UC14 6/6: EX /apple/pear/banana and EX /apple/watermelon held" \
	a:EX:/apple/pear/banana b:EX:/apple/watermelon -- c:EX:/apple/watermelon/bilberry
# 6/6 again, checking which release frees the waiter.
new_scenario
hold a 0 -r /apple/pear/banana
hold b 0 -r /apple/watermelon
wait_in a b
hold c 0 -r /apple/watermelon/bilberry
wait_queued c
release a >/dev/null
ok "UC14 6/6: releasing a sibling branch does not free /apple/watermelon/bilberry" not_in c
release b >/dev/null
ok "UC14 6/6: releasing its ancestor does" wait_in c
release c >/dev/null

# ---- use case 15 ----
together "UC15 1/8: PR /foo/bar and EX /foo/blue/apple together" \
	a:PR:/foo/bar b:EX:/foo/blue/apple
blocked "UC15 2/8: PR /foo/bar held" a:PR:/foo/bar -- b:EX:/foo/bar/apple
blocked "UC15 3/8: EX /foo/bar/apple held" a:EX:/foo/bar/apple -- b:PR:/foo/bar
blocked "UC15 4/8: PR /foo/bar held" a:PR:/foo/bar -- b:EX:/foo/bar/fruit/apple
blocked "UC15 5/8: EX /foo/bar/fruit/apple held" a:EX:/foo/bar/fruit/apple -- b:PR:/foo/bar
together "UC15 6/8: PR on /foo/bar, /foo/bar/fruit and /foo together" \
	a:PR:/foo/bar b:PR:/foo/bar/fruit c:PR:/foo
blocked "UC15 7/8: PR /foo/bar and EX /foo/blue/apple held" \
	a:PR:/foo/bar b:EX:/foo/blue/apple -- c:PR:/foo
blocked "UC15 8/8: PR /foo/bar and PR /foo held" \
	a:PR:/foo/bar b:PR:/foo -- c:EX:/foo/blue/apple

# Compatible modes along one path; incompatible ones wait for an ancestor.
together "NL /x beside EX /x/y" a:NL:/x b:EX:/x/y
blocked "EX /x held" a:EX:/x -- b:CR:/x/y/z
blocked "PW /x/y held" a:PW:/x/y -- b:PR:/x c:CW:/x/y/z

# A path equal to a prefix of a name is not its ancestor: /ab vs /a/b.
together "/a/b and /ab are different branches" a:EX:/a/b b:EX:/ab b2:EX:/a/bc

# What the command sees.
new_scenario
hold h 0 -r /env/path
wait_in h
is "$(env_of h FLOM_RESOURCE_NAME)" /env/path "FLOM_RESOURCE_NAME is the full path"
is "$(element_of h)" "" "no element is appended"
release h >/dev/null

for name in /a/ // /a//b /; do
	is "$(status_of "$FLOM_BIN" "${F[@]}" -r "$name" -- true 2>"$TEST_TMP/e")" 99 "-r '$name': invalid, 99"
	ok "-r '$name': ... with a message on stderr" test -s "$TEST_TMP/e"
done

done_testing
