#!/usr/bin/env bats
# VRRP secrets with the characters keepalived's parser treats specially
# outside quotes (space # ! ' { } $ \) are accepted by voip-ha validate,
# written to keepalived.conf in double quotes, and read back exactly by
# keepalived itself: its configuration dump shows the same bytes (tools.bats
# runs keepalived -t and a live AH exchange on the generated files). (The generated file uses AH, whose dump hides the secret;
# the copy checked here says PASS, which the same auth_pass line feeds.)

load lib

# secret_file SECRET DIR: generates the pair with SECRET; prints node1's
# keepalived.conf.
secret_file() {
	{ grep -v '^vrrp_password=' "$FIXTURES/answers-pair.conf"; printf 'vrrp_password=%s\n' "$1"; } \
		>"$2/answers.conf"
	"$VOIPHA" validate --config "$2/answers.conf" >/dev/null || return 1
	gen_all "$2/answers.conf" "$2/out" >/dev/null || return 1
	echo "$2/out/node1/etc/keepalived/keepalived.conf"
}

# with_host0 CMD...: CMD in a new network namespace where node1's host0
# exists (node1's address on it), so keepalived finds its interface.
with_host0() {
	timeout 10 unshare -n sh -c '
		ip link add host0 type veth peer name peer0 &&
		ip link set host0 up && ip link set peer0 up &&
		ip addr add 198.51.100.11/24 dev host0 && exec "$@"' sh "$@"
}

# dumped_password FILE: the password keepalived read from FILE, from its
# --dump-conf at start-up; keepalived is stopped once the line is there
# (waiting at most 10 s for it).
dumped_password() {
	sed 's/auth_type AH/auth_type PASS/' "$1" >"$1.pass"
	with_host0 sh -c '
		keepalived -f "$1" -n -l -D -d -P -p "$1.pid" -r "$1.vrrp.pid" >"$1.log" 2>&1 &
		i=0
		until grep -q "   Password = " "$1.log" || [ $i -ge 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill $! && wait $!' sh "$1.pass"
	grep -m 1 '   Password = ' "$1.pass.log" | sed 's/^.*   Password = //'
}

@test "VRRP secrets with space # ! ' { } \$ \\ are written in double quotes and read back exactly" {
	prereq_root "network and mount namespaces"
	local s f n=0
	command -v unshare >/dev/null
	for s in 'vR p#8x!' "a'b{c}\$" '\ x!#'; do
		n=$((n + 1))
		mkdir -p "$BATS_TEST_TMPDIR/$n"
		f=$(secret_file "$s" "$BATS_TEST_TMPDIR/$n")
		grep -qxF "        auth_pass \"$s\"" "$f" || { grep auth_pass "$f"; return 1; }
		[ "$(dumped_password "$f")" = "$s" ] || {
			echo "keepalived read '$(dumped_password "$f")' for '$s'"
			return 1
		}
	done
}

@test "a plain VRRP secret stays a bare token (the golden files do not change)" {
	local f
	f=$(secret_file 'v:r;&<>%' "$BATS_TEST_TMPDIR")
	[ -n "$f" ]
	grep -qxF '        auth_pass v:r;&<>%' "$f"
}

@test "a VRRP secret with a double quote is refused: keepalived has no escape for it" {
	{ grep -v '^vrrp_password=' "$FIXTURES/answers-pair.conf"; echo 'vrrp_password=a"b'; } \
		>"$BATS_TEST_TMPDIR/a.conf"
	run "$VOIPHA" validate --config "$BATS_TEST_TMPDIR/a.conf"
	[ "$status" -ne 0 ]
	[[ "$output" == *"vrrp_password: must be printable ASCII"* ]]
	[[ "$output" != *'a"b'* ]]
}

# ka_minimal LINE FILE: a keepalived configuration with one VRRP instance on
# host0 whose authentication block holds LINE (PASS, so the dump shows the
# secret).
ka_minimal() {
	cat >"$2" <<EOT
vrrp_instance v {
    state BACKUP
    interface host0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
$1
    }
    virtual_ipaddress {
        198.51.100.10/24 dev host0
    }
}
EOT
}

@test "validation table rows decided by keepalived: keepalived itself agrees with each verdict" {
	prereq_root "network namespaces"
	source "$TOP/test/data/validation-table.bash"
	vt_load
	local row v d line rc got verdict n=0 bad=0
	for row in $(vt_rows_by keepalived vrrp_password); do
		v=${VT_VALUE[row]}
		n=$((n + 1))
		d=$BATS_TEST_TMPDIR/row$n
		mkdir -p "$d"
		if [ "${VT_VERDICT[row]}" = accept ]; then
			# The line voip-ha writes.
			if ! f=$(secret_file "$v" "$d"); then
				echo "$(vt_describe "$row"): voip-ha refused it"
				bad=1
				continue
			fi
			line=$(grep -m 1 ' auth_pass ' "$f")
		else
			# The quoted line voip-ha would write if it let the value through.
			line="        auth_pass \"$v\""
		fi
		ka_minimal "$line" "$d/k.conf"
		rc=0
		with_host0 keepalived -t -f "$d/k.conf" >"$d/t.log" 2>&1 || rc=$?
		got=$(dumped_password "$d/k.conf")
		verdict=reject
		[ "$rc" != 0 ] || [ "$got" != "$v" ] || verdict=accept
		echo "$(vt_describe "$row"): keepalived -t exit $rc, read [$got]"
		[ "$verdict" = "${VT_VERDICT[row]}" ] || {
			echo "  ... keepalived disagrees: $(head -n 2 "$d/t.log")"
			bad=1
		}
	done
	[ "$n" -ge 15 ]
	[ "$bad" = 0 ]
}
