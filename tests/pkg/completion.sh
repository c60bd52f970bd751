#!/bin/bash
# The bash completion (etc/completion/flom): options, lock modes, debug
# features, signals, and the command after --. With the bash-completion
# package when installed, else with stand-ins for its few helpers.
. "$FLOM_SRCDIR/tests/lib/common.sh"
isolate "$@"

if [ -r /usr/share/bash-completion/bash_completion ]; then
	# shellcheck disable=SC1091
	. /usr/share/bash-completion/bash_completion
	diag "with the bash-completion package"
else
	diag "bash-completion not installed: stand-ins for its helpers"
	_init_completion() {
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD split=false
		cur=${words[cword]} prev=${words[cword - 1]}
	}
	_command_offset() { COMPREPLY=("<command from word $1>"); }
	_filedir() { COMPREPLY=("<files>"); }
	_available_interfaces() { COMPREPLY=("<interfaces>"); }
	_known_hosts_real() { COMPREPLY=("<hosts>"); }
	compopt() { :; }
fi
# shellcheck disable=SC1091
. "$FLOM_SRCDIR/etc/completion/flom"

# complete WORD...: what <Tab> offers after these words (the last is the
# one being completed), sorted, on one line.
complete_words() {
	COMP_WORDS=("$FLOM_BIN" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_flom
	printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}

is "$(complete_words --lock-m)" "--lock-mode=" "long options from --help-all, with '='"
is "$(complete_words --quiesce)" "--quiesce-exit" "an option without value has no '='"
is "$(complete_words -l P)" "PR PW ProtectedRead ProtectedWrite" "lock modes after -l"
is "$(complete_words --debug-feature ipv6)" "ipv6.multicast.client ipv6.multicast.server" \
	"--debug-feature names"
is "$(complete_words --ignore-signal SIGU)" "SIGURG SIGUSR1 SIGUSR2" "signals from --signal-list"
is "$(complete_words --on-lock-lost '')" "terminate warn" "--on-lock-lost values"
is "$(complete_words -e '')" "no yes" "booleans"
all=$(complete_words --)
ok "every long option of --help-all is offered" [ "$(echo "$all" | wc -w)" -ge 30 ]
ok "the command after -- is completed as a command" \
	[ "$(complete_words -r x -- l)" != "" ]

done_testing
