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
