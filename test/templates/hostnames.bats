#!/usr/bin/env bats
# Host names are answers too: a punycode name (xn--..., an international
# name's ASCII form, legal in RFC 1123) must not break any generated file.
# XML comments cannot hold "--", so every generated XML file must stay
# well-formed and no host name may sit unescaped in an XML comment.

load lib

@test "punycode host names (xn--) are accepted and every generated XML file stays well-formed" {
	local conf=$BATS_TEST_TMPDIR/answers.conf f n=0
	grep -v '^node[12]_hostname=' "$FIXTURES/answers-pair.conf" >"$conf"
	printf 'node1_hostname=xn--pbx1-9ta.example\nnode2_hostname=xn--pbx2--x\n' >>"$conf"
	run "$VOIPHA" validate --config "$conf"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	gen_all "$conf" "$BATS_TEST_TMPDIR/out" >/dev/null
	while IFS= read -r f; do
		n=$((n + 1))
		xmllint --noout "$f" || return 1
	done < <(find "$BATS_TEST_TMPDIR/out" -name '*.xml')
	[ "$n" -ge 5 ]
	# the names did reach the files that need them
	grep -rqF 'xn--pbx1-9ta.example' "$BATS_TEST_TMPDIR/out/node1"
}
