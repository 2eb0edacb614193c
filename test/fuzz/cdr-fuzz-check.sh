#!/bin/sh
# TAP for `make check`: for each CDR fuzzer, replay its seed corpus, then
# fuzz briefly (bounded by run count, so the suite takes seconds).
# usage: cdr-fuzz-check.sh BINDIR NAME...
bindir=$1
shift
echo "1..$(($# * 2))"
n=0
for f in "$@"; do
	log=$(mktemp)
	seeds=$(test/fuzz/seed-dirs "$f")
	n=$((n + 1))
	# shellcheck disable=SC2086 # one directory a word
	if "$bindir/fuzz-$f" -runs=0 $seeds >"$log" 2>&1; then
		echo "ok $n - fuzz-$f replays its seed corpus"
	else
		echo "not ok $n - fuzz-$f replays its seed corpus"
		sed 's/^/# /' "$log" | tail -40
	fi
	n=$((n + 1))
	work=$(mktemp -d)
	# shellcheck disable=SC2086
	if "$bindir/fuzz-$f" -runs=30000 -max_len=65536 -seed=1 "$work" $seeds \
		>"$log" 2>&1; then
		echo "ok $n - fuzz-$f: 30000 mutated inputs, no crash"
	else
		echo "not ok $n - fuzz-$f: crash in a short run"
		sed 's/^/# /' "$log" | tail -40
	fi
	rm -rf "$work" "$log"
done
