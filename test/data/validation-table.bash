# Reader of validation-table.tsv and validation-base.conf, shared by the two
# drivers that prove `voip-ha validate` and the debconf config script apply
# the same rules (test/bats/bad-input-table.bats,
# test/packaging/config-table.bats). Sourced by bash.
#
#   vt_load              fills the VT_* arrays, one entry per row:
#                        VT_LINE (line in the file), VT_FIELD, VT_VALUE
#                        (decoded), VT_VERDICT, VT_BLAME (fields, space
#                        separated), VT_WITH (key=value words), VT_NOTE,
#                        VT_BY (the deciding program, empty for our rules)
#   vt_rows FIELD        prints the indexes of FIELD's rows
#   vt_rows_by PROGRAM FIELD  the indexes of FIELD's rows decided by PROGRAM
#   vt_cache FILE        writes the loaded table as bash that `source` reads
#                        back in one step (bats runs each test in a new shell,
#                        and parsing the table there costs seconds)
#   vt_config I          prints the base with row I applied, as cluster.conf
#                        lines, the row's own key last
#   vt_is_secret KEY     true for a password or API key
#   vt_is_noquestion KEY true for a key without a debconf question
#                        (CK_NOQUESTION in src/lib/cluster-keys.def): its
#                        rows are for `voip-ha validate` only
#   vt_describe I        "line N: FIELD=VALUE (expected VERDICT)", the value
#                        printable

VT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VT_TABLE=${VT_TABLE:-$VT_DIR/validation-table.tsv}
VT_BASE=${VT_BASE:-$VT_DIR/validation-base.conf}
VT_KEYS_DEF=${VT_KEYS_DEF:-$VT_DIR/../../src/lib/cluster-keys.def}

# vt_decode RAW: sets VT_DECODED ({N*TEXT} repeats, <empty>, printf %b escapes).
vt_decode() {
	local raw=$1 n text rep
	if [ "$raw" = "<empty>" ]; then
		VT_DECODED=
		return 0
	fi
	while [[ $raw =~ \{([0-9]+)\*([^}]*)\} ]]; do
		n=${BASH_REMATCH[1]}
		text=${BASH_REMATCH[2]}
		printf -v rep "%${n}s" ''
		rep=${rep// /"$text"}
		raw=${raw/"${BASH_REMATCH[0]}"/"$rep"}
	done
	printf -v VT_DECODED '%b' "$raw"
}

vt_load() {
	local line lineno=0 n=0 rest f v verdict blame with note by keys
	keys=" $(sed -n 's/^\([a-z0-9_]*\)=.*/\1/p' "$VT_BASE" | tr '\n' ' ')"
	VT_NOQUESTION=" $(sed -n 's/^CLUSTER_KEY(\([a-z0-9_]*\),.*CK_NOQUESTION.*/\1/p' "$VT_KEYS_DEF" | tr '\n' ' ')"
	keys+="${VT_NOQUESTION# }"
	VT_LINE=() VT_FIELD=() VT_VALUE=() VT_VERDICT=() VT_BLAME=() VT_WITH=() VT_NOTE=() VT_BY=()
	declare -gA VT_ROWS=()
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		case $line in '' | '#'*) continue ;; esac
		# Split on TAB by hand: read would merge empty columns.
		f=${line%%$'\t'*} rest=${line#*$'\t'}
		v=${rest%%$'\t'*} rest=${rest#*$'\t'}
		verdict=${rest%%$'\t'*} rest=${rest#*$'\t'}
		blame=${rest%%$'\t'*} rest=${rest#*$'\t'}
		with=${rest%%$'\t'*} rest=${rest#*$'\t'}
		note=$rest
		[ "$with" != "$note" ] || note=
		by=
		if [[ $note == *$'\t'* ]]; then
			by=${note#*$'\t'}
			note=${note%%$'\t'*}
		fi
		case $by in '' | keepalived | kamailio | sshd | resolver | pgbackrest | postgresql) ;; *)
			echo "$VT_TABLE:$lineno: unknown deciding program '$by'" >&2
			return 1
			;;
		esac
		if [ -z "$f" ] || [ -z "$v" ] || [ -z "$blame" ] || [ -z "$with" ] ||
			[[ $keys != *" $f "* ]]; then
			echo "$VT_TABLE:$lineno: malformed row (unknown field or empty column)" >&2
			return 1
		fi
		case $verdict in accept | reject) ;; *)
			echo "$VT_TABLE:$lineno: verdict '$verdict' is neither accept nor reject" >&2
			return 1
			;;
		esac
		vt_decode "$v"
		VT_LINE[n]=$lineno
		VT_FIELD[n]=$f
		VT_VALUE[n]=$VT_DECODED
		VT_VERDICT[n]=$verdict
		[ "$blame" != - ] || blame=$f
		VT_BLAME[n]=${blame//|/ }
		[ "$with" != - ] || with=
		VT_WITH[n]=$with
		VT_NOTE[n]=$note
		VT_BY[n]=$by
		VT_ROWS[$f]+="$n "
		n=$((n + 1))
	done <"$VT_TABLE"
	VT_COUNT=$n
}

vt_rows() {
	echo ${VT_ROWS[$1]:-}
}

vt_rows_by() {
	local i
	for i in ${VT_ROWS[$2]:-}; do
		[ "${VT_BY[i]}" != "$1" ] || printf '%s ' "$i"
	done
	echo
}

vt_cache() {
	{
		declare -p VT_LINE VT_FIELD VT_VALUE VT_VERDICT VT_BLAME VT_WITH VT_NOTE VT_BY VT_ROWS |
			sed 's/^declare -\([aA]\) /declare -g\1 /'
		echo "VT_COUNT=$VT_COUNT"
		echo "VT_NOQUESTION='$VT_NOQUESTION'"
	} >"$1"
}

vt_config() {
	local i=$1 kv skip
	skip=" ${VT_FIELD[i]} "
	for kv in ${VT_WITH[i]}; do
		skip+="${kv%%=*} "
	done
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		[[ $skip == *" ${line%%=*} "* ]] || printf '%s\n' "$line"
	done <"$VT_BASE"
	for kv in ${VT_WITH[i]}; do
		printf '%s\n' "$kv"
	done
	printf '%s=%s\n' "${VT_FIELD[i]}" "${VT_VALUE[i]}"
}

vt_is_secret() {
	case $1 in *_password | *_api_key) return 0 ;; esac
	return 1
}

vt_is_noquestion() {
	[[ $VT_NOQUESTION == *" $1 "* ]]
}

vt_describe() {
	local shown
	printf -v shown '%q' "${VT_VALUE[$1]}"
	[ ${#shown} -le 120 ] || shown="${shown:0:120}..."
	echo "line ${VT_LINE[$1]}: ${VT_FIELD[$1]}=[${shown}] (expected ${VT_VERDICT[$1]}${VT_NOTE[$1]:+: ${VT_NOTE[$1]}}${VT_BY[$1]:+, decided by ${VT_BY[$1]}})"
}
