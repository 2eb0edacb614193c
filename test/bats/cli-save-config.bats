#!/usr/bin/env bats
# voip-ha save-config: cluster.conf from stdin, validated, stored 0600.

load cli-helpers

@test "save-config stores stdin byte for byte, mode 0600" {
	dest=$BATS_TEST_TMPDIR/etc/voip-ha/cluster.conf
	run -0 --separate-stderr "$VOIPHA" save-config --config "$dest" < "$GOOD"
	assert_equal "$stderr" ""
	cmp "$GOOD" "$dest"
	assert_equal "$(stat -c %a "$dest")" 600
	if [ "$(id -u)" = 0 ]; then
		assert_equal "$(stat -c %U:%G "$dest")" root:root
	fi
	run -0 "$VOIPHA" validate --config "$dest"
}

@test "save-config: rewriting the same content leaves the file untouched" {
	dest=$BATS_TEST_TMPDIR/cluster.conf
	"$VOIPHA" save-config --config "$dest" < "$GOOD"
	before=$(stat -c %i "$dest")
	run -0 "$VOIPHA" save-config --config "$dest" < "$GOOD"
	assert_equal "$(stat -c %i "$dest")" "$before"
}

@test "save-config: invalid input is refused, names the field, keeps the old file" {
	dest=$BATS_TEST_TMPDIR/cluster.conf
	"$VOIPHA" save-config --config "$dest" < "$GOOD"
	before=$(sha256sum < "$dest")
	bad=$(conf_with vrrp_password 'has"quo' node1_priority 1)
	run -1 --separate-stderr "$VOIPHA" save-config --config "$dest" < "$bad"
	[[ $stderr == *"voip-ha: <stdin>: vrrp_password: must be printable ASCII"* ]]
	[[ $stderr == *"voip-ha: <stdin>: node1_priority: must be greater than node2_priority"* ]]
	[[ $stderr == *"voip-ha: '$dest' was not changed"* ]]
	[[ $stderr != *'has"quo'* ]]
	assert_equal "$(sha256sum < "$dest")" "$before"
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR" | grep -c '^\.cluster')" 0
}

@test "save-config: syntax errors point at the stdin line" {
	run -1 --separate-stderr "$VOIPHA" save-config --config "$BATS_TEST_TMPDIR/c" \
		<<<$'# x\nnode1_address=198.51.100.11\nbogus=1'
	assert_equal "$stderr" $'voip-ha: <stdin>:3: unknown key \'bogus\'\nvoip-ha: \''"$BATS_TEST_TMPDIR/c"$'\' was not changed'
	[ ! -e "$BATS_TEST_TMPDIR/c" ]
}

@test "save-config: empty stdin lists every required key" {
	run -1 --separate-stderr "$VOIPHA" save-config --config "$BATS_TEST_TMPDIR/c" < /dev/null
	[[ $stderr == *"node1_address: required"* ]]
	[[ $stderr == *"freeswitch_api_key: required"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/c" ]
}
