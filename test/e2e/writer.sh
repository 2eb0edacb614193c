#!/bin/bash
# Runs INSIDE a node of the failover suite (copied to /root/e2e-writer.sh):
# the PBX application stand-in that writes through the VIP, and the RTO probe.
# Everything it reports goes to stdout, which the host redirects into a host
# file: a node that loses power does not lose the record of what was
# acknowledged. The password comes from the 0600 PGPASSFILE the suite copies
# in (/root/.e2e-pgpass), never from the command line.
#
#   writer.sh init VIP
#       creates voip.e2e_writes and voip.e2e_probe (as voip_admin, through
#       the VIP, idempotent)
#   writer.sh write VIP NAME INTERVAL MAX_SECONDS
#       inserts (NAME, 1), (NAME, 2), ... into voip.e2e_writes through the VIP;
#       retries the same n until it is acknowledged (a duplicate key on a retry
#       means an earlier attempt committed: acknowledged too). One line per
#       acknowledged row: "n epoch_ms ok|dup". Stops when /mnt/share/writers.stop
#       exists or after MAX_SECONDS.
#   writer.sh probe VIP SELF_ADDRESS INTERVAL MAX_SECONDS
#       every INTERVAL s: VIP on host0? then a write through the VIP? then SIP
#       OPTIONS on the VIP answered 200? Prints "vip MS", "db MS", "sip MS" the
#       first time each holds and "ready MS" (end of the first round where all
#       three held) and exits 0; exits 1 after MAX_SECONDS.
set -u

export PGPASSFILE=/root/.e2e-pgpass PGCONNECT_TIMEOUT=2 PGUSER=voip_admin PGDATABASE=voip
STOP=/mnt/share/writers.stop

now_ms() { date +%s%3N; }

q() { # SQL through the VIP; bounded (a commit may wait on a vanished peer)
	timeout -k 1 "${QTIMEOUT:-10}" psql -X -q -At -v ON_ERROR_STOP=1 -h "$VIP" -c "$1"
}

cmd_init() {
	VIP=$1
	q "CREATE TABLE IF NOT EXISTS voip.e2e_writes (writer text NOT NULL, n int NOT NULL,
	   at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (writer, n));
	   CREATE TABLE IF NOT EXISTS voip.e2e_probe (node text, at timestamptz NOT NULL DEFAULT now())"
}

cmd_write() {
	VIP=$1
	local name=$2 interval=$3 max=$4 n=1 end err rc
	export PGAPPNAME="e2e-writer"
	end=$((SECONDS + max))
	echo $$ >"/run/e2e-writer.${name//\//_}.pid"
	while [ ! -e "$STOP" ] && [ "$SECONDS" -lt "$end" ]; do
		err=$(q "INSERT INTO voip.e2e_writes (writer, n) VALUES ('$name', $n)" 2>&1 >/dev/null) && rc=0 || rc=$?
		if [ "$rc" = 0 ]; then
			echo "$n $(now_ms) ok"
			n=$((n + 1))
		elif [[ $err == *"duplicate key value violates unique constraint"* ]]; then
			echo "$n $(now_ms) dup"
			n=$((n + 1))
		else
			# Not acknowledged (connection refused or cut, read-only, timed
			# out): the same n again.
			sleep 0.1
			continue
		fi
		sleep "$interval"
	done
	rm -f "/run/e2e-writer.${name//\//_}.pid"
}

cmd_probe() {
	VIP=$1
	local self=$2 interval=$3 max=$4 end have_vip=0 have_db=0 t
	export PGAPPNAME="e2e-probe" QTIMEOUT=3
	end=$((SECONDS + max))
	cd /tmp || return 1
	# Each stage is stamped when it is seen to hold; "ready" is the end of
	# the first round in which all three held.
	while [ "$SECONDS" -lt "$end" ]; do
		if ip -4 -o addr show dev host0 | grep -q " $VIP/"; then
			t=$(now_ms)
			[ "$have_vip" = 0 ] && { have_vip=1; echo "vip $t"; }
			if q "INSERT INTO voip.e2e_probe (node) VALUES ('$self')" >/dev/null 2>&1; then
				t=$(now_ms)
				[ "$have_db" = 0 ] && { have_db=1; echo "db $t"; }
				if sipp -sf /root/sip-scen/options.xml -m 1 -timeout 2s -timeout_error \
					-i "$self" -p 5098 -nostdin "$VIP:5060" >/dev/null 2>&1; then
					t=$(now_ms)
					echo "sip $t"
					echo "ready $t"
					return 0
				fi
			fi
		fi
		sleep "$interval"
	done
	echo "timeout $(now_ms) vip=$have_vip db=$have_db sip=0"
	return 1
}

case ${1:-} in
init) shift; cmd_init "$@" ;;
write) shift; cmd_write "$@" ;;
probe) shift; cmd_probe "$@" ;;
*) echo "usage: $0 init|write|probe ARGS" >&2; exit 2 ;;
esac
