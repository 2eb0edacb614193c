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

@test "save-config: with backups on, an empty backup_cipher_pass is generated, never shown" {
	dest=$BATS_TEST_TMPDIR/cluster.conf
	{
		cat "$GOOD"
		echo backup=repo-host
		echo backup_host=198.51.100.2
		echo backup_cipher_pass=
	} >"$BATS_TEST_TMPDIR/in.conf"
	run -0 --separate-stderr "$VOIPHA" save-config --config "$dest" <"$BATS_TEST_TMPDIR/in.conf"
	assert_equal "$output$stderr" ""
	key=$(sed -n 's/^backup_cipher_pass=//p' "$dest")
	[[ $key =~ ^[A-Za-z0-9+/]{43}=$ ]]
	assert_equal "$(grep -c '^backup_cipher_pass=' "$dest")" 1
	run -0 "$VOIPHA" validate --config "$dest"
	# the key is generated once: stored again, it stays
	run -0 "$VOIPHA" save-config --config "$dest" <"$dest"
	assert_equal "$(sed -n 's/^backup_cipher_pass=//p' "$dest")" "$key"
	# a second file gets another key
	run -0 "$VOIPHA" save-config --config "$dest.2" <"$BATS_TEST_TMPDIR/in.conf"
	[ "$(sed -n 's/^backup_cipher_pass=//p' "$dest.2")" != "$key" ]
}

@test "save-config: no key is generated with backup=none or backup_cipher=none" {
	dest=$BATS_TEST_TMPDIR/cluster.conf
	run -0 "$VOIPHA" save-config --config "$dest" <"$GOOD"
	cmp "$GOOD" "$dest"
	{
		cat "$GOOD"
		echo backup=path
		echo backup_cipher=none
	} >"$BATS_TEST_TMPDIR/in.conf"
	run -0 "$VOIPHA" save-config --config "$dest" <"$BATS_TEST_TMPDIR/in.conf"
	cmp "$BATS_TEST_TMPDIR/in.conf" "$dest"
}
