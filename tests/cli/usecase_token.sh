#!/bin/bash
# What the command receives besides its arguments: FLOM_RESOURCE_NAME,
# FLOM_LOCKED_ELEMENT (only when the lock has an element) and FLOM_LOCK_TOKEN,
# a decimal fencing token strictly greater on every grant of a resource,
# also after the daemon was stopped and a new one started.
. "$FLOM_SRCDIR/tests/lib/common.sh"; isolate "$@"
usecase_setup

fl() { "$FLOM_BIN" "${F[@]}" "$@"; }
token() { fl "$@" -- sh -c 'echo "$FLOM_LOCK_TOKEN"'; }
# increasing T1 T2...: each a decimal number greater than the one before.
increasing() {
	local prev="" t
	for t; do
		case $t in "" | *[!0-9]*) return 1 ;; esac
		[ -z "$prev" ] || num_gt "$t" "$prev" || return 1
		prev=$t
	done
}

# ---- successive grants ----
toks=""
for i in 1 2 3 4 5; do toks="$toks $(token -r TOK)"; done
ok "five grants in a row: decimal tokens, strictly increasing:$toks" increasing $toks
last=${toks##* }

# ---- shared holders and waiters ----
hold a 0 -r TOK -l PR
wait_in a
hold b 0 -r TOK -l PR
wait_in b
ok "two PR holders at once get different tokens, in grant order" \
	increasing "$last" "$(env_of a FLOM_LOCK_TOKEN)" "$(env_of b FLOM_LOCK_TOKEN)"
hold c 0 -r TOK -l EX
wait_queued c
hold d 0 -r TOK -l PR
wait_queued d
release a b >/dev/null
wait_in c
release c >/dev/null
wait_in d
release d >/dev/null
ok "waiters granted later get greater tokens, in grant order" \
	increasing "$(env_of b FLOM_LOCK_TOKEN)" "$(env_of c FLOM_LOCK_TOKEN)" "$(env_of d FLOM_LOCK_TOKEN)"
last=$(env_of d FLOM_LOCK_TOKEN)

# Other resource types carry tokens too.
for r in 'num[2]' x.y '/h/a' '_s_tk[1]' '_S_tk[1]' '_t_tk%S#fff[1]'; do
	t1=$(token -r "$r") t2=$(token -r "$r")
	ok "-r '$r': tokens increase ($t1 $t2)" increasing "$t1" "$t2"
done
# A failed command (rollback) still consumed its grant's token.
t1=$(token -r TOK)
fl -r TOK -- false
t2=$(token -r TOK)
ok "a grant whose command failed does not let the token go back" increasing "$last" "$t1" "$t2"
last=$t2

# ---- across a daemon restart ----
is "$(status_of fl -X)" 0 "flom -X stops the daemon"
ok "... which stops listening" wait_for 10 sh -c "! grep -q ' $SOCK\$' /proc/net/unix"
t=$(token -r TOK)
ok "the next daemon's first grant has a greater token ($last then $t)" increasing "$last" "$t"
last=$t
t=$(token -r NEWRES)
ok "... a resource it never saw too" increasing "$t"
is "$(status_of fl -X)" 0 "flom -X again"
wait_for 10 sh -c "! grep -q ' $SOCK\$' /proc/net/unix"
hold e 0 -r TOK
wait_in e
hold f 0 -r TOK
wait_queued f
release e >/dev/null
wait_in f
release f >/dev/null
ok "after another restart, holder and waiter tokens keep growing" \
	increasing "$last" "$(env_of e FLOM_LOCK_TOKEN)" "$(env_of f FLOM_LOCK_TOKEN)"

# ---- FLOM_RESOURCE_NAME and FLOM_LOCKED_ELEMENT ----
show() { fl "$@" -- sh -c 'echo "${FLOM_RESOURCE_NAME-unset}|${FLOM_LOCKED_ELEMENT-unset}|$#"' sh; }
is "$(show)" "_RESOURCE|unset|0" "default resource: FLOM_RESOURCE_NAME=_RESOURCE, no element"
is "$(show -r Plain1)" "Plain1|unset|0" "simple resource: its name, no element"
is "$(show -r 'cnt[3]' -q 2)" "cnt[3]|unset|0" "numeric resource: its name, no element"
is "$(show -r /p/q)" "/p/q|unset|0" "hierarchical resource: its path, no element"
is "$(show -r al.be)" "al.be|al|1" "set: the element, also as the last argument"
is "$(show -r '_s_env[1]')" "_s_env[1]|1|1" "sequence: the value"
v=$(show -r '_t_env%H%M%S[1]')
ok "timestamp: the value ($v)" sh -c 'echo "$1" | grep -Eqx "_t_env%H%M%S\[1\]\|env[0-9]{6}\|1"' x "$v"
is "$(FLOM_LOCK_TOKEN=bogus FLOM_LOCKED_ELEMENT=bogus show -r Plain2 | cut -d'|' -f2)" unset \
	"values inherited from flom's own environment are replaced"
t=$(FLOM_LOCK_TOKEN=bogus token -r Plain2)
ok "... FLOM_LOCK_TOKEN too ($t)" increasing "$t"

done_testing
