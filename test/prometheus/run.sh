#!/bin/bash
# make check-prometheus: the shipped alert rules, scrape example and Grafana
# dashboard (monitoring/), checked with Debian's promtool. TAP on stdout.
#
#   promtool check rules on the rules file
#   promtool check config on the scrape example (its rule_files path
#     pointed at this tree's rules)
#   per alert: it fires when it should (its cases in alerts.test.yml, at
#     least one with an alert expected, look-alikes that must not fire)
#   per alert: it does not fire on a healthy pair (pair.series.yml, two
#     hours; built here from every alert name, so a new rule is covered)
#   the dashboard imports as is: valid JSON, the data source an input
#     (${DS_PROMETHEUS}) on every panel, query, annotation and variable
#   every dashboard query (panels, annotations) is valid PromQL: each one
#     a recording rule of a generated rules file, promtool check rules
#   every dashboard query returns data from the recorded pair
#     (promtool test rules: count(QUERY) > bool 0 is 1)
#   every voipadmin_* series named in rules, dashboard and recorded pair
#     is one voip-admind exports (src/daemon), every kamailio_* one is in
#     doc/DESIGN.md's table of what Kamailio's xhttp_prom must export
#
# Usage: run.sh OUTDIR (scratch files; kept for a look after a failure).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:?usage: run.sh OUTDIR}
rules=$repo/monitoring/prometheus/voip-ha.rules.yml
scrape=$repo/monitoring/prometheus/scrape-example.yml
dash=$repo/monitoring/grafana/voip-ha.json
rm -rf "$out" && mkdir -p "$out"

n=0
failed=0
alerts=$(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\) *$/\1/p' "$rules")
echo "1..$((6 + 2 * $(echo "$alerts" | wc -w)))"
# tap_run NAME CMD...: one TAP line; the command's output as diagnostics.
tap_run() {
	local name=$1 log
	shift
	n=$((n + 1))
	if log=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		printf '%s\n' "$log" | head -n 60 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

if ! command -v promtool >/dev/null || ! command -v python3 >/dev/null; then
	echo "not ok 1 - promtool and python3 are needed (tools/deps.txt: prometheus, python3)"
	exit 1
fi

# The alert tests run against a copy of the rules without annotations:
# promtool compares rendered annotations too, and repeating every text in
# the tests would test nothing more than `check rules` does (templates).
awk '/^ *annotations:/ { ind = match($0, /[^ ]/); skip = 1; next }
     skip { if (match($0, /[^ ]/) > ind) next; skip = 0 }
     { print }' "$rules" > "$out/voip-ha.rules.yml"
tap_run "promtool check rules: $(echo "$alerts" | wc -l) alerts" promtool check rules "$rules"

sed "s|/usr/share/voip-ha/prometheus/voip-ha.rules.yml|$rules|" "$scrape" > "$out/scrape-example.yml"
check_scrape() {
	grep -q "$rules" "$out/scrape-example.yml" || { echo "rule_files path not found in the example"; return 1; }
	promtool check config "$out/scrape-example.yml"
}
tap_run "promtool check config: the scrape example" check_scrape

# alerts.test.yml split into its test groups (each starts "  - interval:");
# an alert's test file holds the groups that name it. The comment lines
# before a group go with it.
awk -v out="$out" '
	/^tests:/ { print > (out "/alerts.head"); intests = 1; next }
	!intests { print > (out "/alerts.head"); next }
	/^  - interval:/ { g++ }
	{ print > (out "/alerts.group." g + 0) }' "$here/alerts.test.yml"
# fires A: A's groups; at least one expects A to fire.
fires() {
	local a=$1 f=$out/alerts-$1.test.yml g
	cp "$out/alerts.head" "$f"
	for g in "$out"/alerts.group.*; do
		grep -q "alertname: $a\$" "$g" && cat "$g" >> "$f"
	done
	awk -v a="$a" '/alertname:/ { cur = $2 }
		/exp_alerts:/ && cur == a && $0 !~ /\[\]/ { found = 1 }
		END { exit !found }' "$f" || { echo "no case in alerts.test.yml where $a fires"; return 1; }
	promtool test rules "$f"
}
# healthy A: A on two hours of a healthy pair, at 25 m, 60 m and 119 m.
healthy() {
	local a=$1 t
	{
		echo "rule_files: [voip-ha.rules.yml]"
		echo "evaluation_interval: 15s"
		echo "tests:"
		echo "  - interval: 15s"
		echo "    input_series:"
		grep -v '^#' "$here/pair.series.yml"
		echo "    alert_rule_test:"
		for t in 25m 60m 119m; do
			printf '      - eval_time: %s\n        alertname: %s\n        exp_alerts: []\n' "$t" "$a"
		done
	} > "$out/healthy-$a.test.yml"
	promtool test rules "$out/healthy-$a.test.yml"
}
for a in $alerts; do
	tap_run "$a fires when it should (alerts.test.yml)" fires "$a"
	tap_run "$a does not fire on a healthy pair (two hours)" healthy "$a"
done

# dashboard-queries.py checks the data sources and writes, from every
# query, a rules file and a test against the recorded pair.
cp "$here/pair.series.yml" "$out/"
tap_run "dashboard imports as is: JSON, data source input \${DS_PROMETHEUS} everywhere" \
	python3 "$here/dashboard-queries.py" "$dash" "$out"
tap_run "dashboard: every query is valid PromQL ($(wc -l < "$out/dashboard.exprs" 2>/dev/null || echo 0) queries, promtool check rules)" \
	promtool check rules "$out/dashboard.rules.yml"
tap_run "dashboard: every query returns data from the recorded pair (promtool test rules)" \
	promtool test rules "$out/dashboard.test.yml"

# The names. voip-admind's come from its source: literal names, and the
# CDR counters it builds as "voipadmin_cdr_" + name.
series_names() {
	local known used missing='' n
	known=$( (grep -rhoE '"voipadmin_[a-z_]+"' "$repo/src/daemon" | tr -d '"'
		grep -rhoE '^\s*C\([a-z_]+, "[a-z_]+"' "$repo/src/daemon/cdr" |
			sed -E 's/.*"([a-z_]+)"$/voipadmin_cdr_\1/') | sort -u)
	used=$(cat "$rules" "$dash" "$here/pair.series.yml" "$here/alerts.test.yml" |
		grep -oE '\b(voipadmin|kamailio)_[a-zA-Z0-9_]+' | sort -u)
	for n in $used; do
		case $n in
		voipadmin_*)
			n=${n%_bucket}
			grep -qx "$n" <<<"$known" || missing+=" $n(not exported by voip-admind)"
			;;
		kamailio_*)
			# a table row naming it in its first column
			grep -qE "^\| [^|]*\`$n(\{[a-z,]*\})?\`" "$repo/doc/DESIGN.md" ||
				missing+=" $n(not in DESIGN.md's Kamailio table)"
			;;
		esac
	done
	[ -z "$missing" ] || { echo "unknown series:$missing"; return 1; }
}
tap_run "every series named is exported by voip-admind or promised by the Kamailio side" series_names

[ "$failed" = 0 ]
