# Bring-up part: the two-node systemd-nspawn harness (test/e2e/), its suites,
# `make demo` / `make demo-down` and the bring-up benchmark. Every target here
# needs root and systemd-nspawn; suites build the rootfs cache on first use
# (test/lib/rootfs.sh).

# The failover fault matrix (test/e2e/failover.sh: the refusals, the health
# check's cost once, each of the six scenarios once) is part of CI; `make
# failover-bench` runs scenarios 1, 2, 4 and 6 ten times each.
E2E_SUITES += check-e2e-harness check-e2e-bringup check-e2e-failover check-e2e-failover-arbiter check-e2e-upgrade \
	check-e2e-backup

# Each suite writes its TAP stream; the scenario scripts exit non-zero on a
# failed test point, which make -k tolerates (the summary counts the TAP).
check-e2e-harness:
	@mkdir -p $(RESULTS)
	bash test/e2e/harness.sh > $(RESULTS)/e2e-harness.tap

# The pair suites install the package built from this tree (a private copy,
# see test/e2e/build-deb.sh), built once per make invocation: the stamp is
# named after an id the top-level make picks and passes to its sub-makes
# (run_suites), so `make check-all` builds once and a later direct
# `make check-e2e-failover` builds again. A failed build is one failing test
# point in each suite that needed it.
E2E_DEBS := $(abspath $(BUILD))/e2e-debs
ifndef E2E_DEB_ID
E2E_DEB_ID := $(shell date +%s%N)
endif
export E2E_DEB_ID
E2E_DEB_STAMP := $(RESULTS)/e2e-deb.$(E2E_DEB_ID).status
$(E2E_DEB_STAMP):
	@mkdir -p $(RESULTS)
	@if test/e2e/build-deb.sh $(E2E_DEBS) >$(RESULTS)/e2e-deb.log 2>&1; then echo ok >$@; else echo failed >$@; fi

# e2e_pair_suite NAME SCRIPT: run SCRIPT against the built package into
# $(RESULTS)/NAME.tap, or one failing point when the package did not build.
define e2e_pair_suite
	@mkdir -p $(RESULTS)
	@if [ "$$(cat $(E2E_DEB_STAMP))" = ok ]; then \
		PAIR_DEB_DIR=$(E2E_DEBS) bash $(2) > $(RESULTS)/$(1).tap; \
	else \
		printf '1..1\nnot ok 1 - package build (see $(RESULTS)/e2e-deb.log)\n' > $(RESULTS)/$(1).tap; \
		exit 1; \
	fi
endef

check-e2e-bringup: $(E2E_DEB_STAMP)
	$(call e2e_pair_suite,e2e-bringup,test/e2e/bringup.sh)

# The fault matrix, one run of each scenario on one pair (a witness namespace
# on the bridge): power loss, PostgreSQL killed, Kamailio stopped, keepalived
# stopped, cable cut, switchover and back; writers through the VIP on both
# nodes; 0 acknowledged rows lost; RTO as TAP diagnostics. Then (issue 17)
# failover_profile=fast switched on the same live pair: power loss,
# PostgreSQL killed, the standby's firewall dropping the primary's VRRP,
# and a 40 s soak under CPU and disk load (about 4 minutes in all).
check-e2e-failover: $(E2E_DEB_STAMP)
	$(call e2e_pair_suite,e2e-failover,test/e2e/failover.sh)

# The same matrix with the third voter (issue 18): a third machine running
# voip-ha-witness, arbiter=postgresql on both nodes, scenarios 1-6 plus the
# link-only cut, the witness off, the witness then the primary off and a
# hung PostgreSQL; then the fast profile switched on and a power loss with
# the fast lease (about 1 minute; the dropped VRRP runs without the arbiter).
check-e2e-failover-arbiter: export PAIR_ARBITER = 1
check-e2e-failover-arbiter: $(E2E_DEB_STAMP)
	$(call e2e_pair_suite,e2e-failover-arbiter,test/e2e/failover.sh)

# The restore drill of issue 15 (test/e2e/backup.sh): a third machine (the
# witness's address) holds the pgBackRest repository, set up through the
# product (configure on the nodes, `voip-ha backup-host`, voip-ha-witness
# installed and `voip-ha-witness backup-host install`); rows deleted by mistake
# come back with `voip-ha restore --time`, the pair healthy again with no
# other step; again after a failover between the backup and the mistake.
# The third machine is the third voter too (voip-ha-witness, arbiter=postgresql
# on both nodes for the whole drill): after each restore the VIP holder holds
# the lease and `voip-ha status` sees 3 of 3 voters. PAIR_ARBITER=0: without.
# Each drill's seconds from `voip-ha restore` to its end and to a healthy
# pair, a line each (make backup-bench puts them in its report).
E2E_BACKUP_TIMES := $(RESULTS)/e2e-backup-times.txt
check-e2e-backup: export E2E_BACKUP_TIMES := $(abspath $(E2E_BACKUP_TIMES))
check-e2e-backup: $(E2E_DEB_STAMP)
	@rm -f $(E2E_BACKUP_TIMES)
	$(call e2e_pair_suite,e2e-backup,test/e2e/backup.sh)

# The rolling upgrade of README "Upgrading" (test/e2e/upgrade.sh): builds N
# (this tree as 0.1.0~prev, or `git archive $(UPGRADE_FROM)`) and N+1 (this
# tree as 0.1.0+next with one controlled configuration change) itself, then
# upgrades the standby, switches over, upgrades the other node, under calls
# and writers. UPGRADE_FROM=REF: N from that ref.
check-e2e-upgrade:
	@mkdir -p $(RESULTS)
	UPGRADE_FROM=$(UPGRADE_FROM) bash test/e2e/upgrade.sh > $(RESULTS)/e2e-upgrade.tap

e2e:
	$(call run_suites,$(E2E_SUITES))

# The "run it" command: build, boot two nodes, install with one preseed, show
# the pair. The nodes stay up until `make demo-down`.
demo:
	test/e2e/build-deb.sh $(E2E_DEBS)
	PAIR_DEB_DIR=$(E2E_DEBS) bash test/e2e/demo.sh up

demo-down:
	bash test/e2e/demo.sh down

# Median of 3 of: start of `apt install` on node1 -> pair serving (VIP up,
# standby streaming). Not part of CI; writes test/bench/results/bringup.txt.
bench-bringup:
	test/e2e/build-deb.sh $(E2E_DEBS)
	PAIR_DEB_DIR=$(E2E_DEBS) bash test/e2e/bench-bringup.sh > test/bench/results/bringup.txt
	@cat test/bench/results/bringup.txt

# RTO over RUNS (default 10) runs each of power loss, PostgreSQL killed and
# keepalived stopped, with the VRRP takeover alone as the reference; rejoin by
# pg_rewind or pg_basebackup; rows acknowledged and lost. Not part of CI;
# writes test/bench/results/failover.txt.
# Two pairs side by side, under the same load, the standard profile and
# failover_profile=fast (issue 17), the same scenarios and counts: first
# without the arbiter (failover.txt: both reports, standard first), then
# with the third voter (failover-arbiter.txt: a witness machine each,
# arbiter=postgresql), plus the idle cost of the monitor (lease keeper)
# beside voip-admind's. BENCH_SCENARIOS="1 2" for a shorter run.
# FAILOVER_BENCH_SEQUENTIAL=1: the pairs one after the other, each alone on
# the machine (no pair loads the other's CPUs), and FAILOVER_BENCH_PROFILES
# picks which (default both, standard first); FAILOVER_BENCH_SETS="0" or
# "1": only the run without or with the arbiter.
FAILOVER_BENCH_SETS ?= 0 1
FAILOVER_BENCH_PROFILES ?= standard fast
define failover_bench_pair
	rm -f $(2).standard.new $(2).fast.new
	if [ "$(FAILOVER_BENCH_SEQUENTIAL)" = 1 ]; then \
		for p in $(FAILOVER_BENCH_PROFILES); do \
			PAIR_ARBITER=$(1) PAIR_PROFILE=$$p PAIR_DEB_DIR=$(E2E_DEBS) bash test/e2e/failover-bench.sh > $(2).$$p.new; \
		done; \
	else \
		PAIR_ARBITER=$(1) PAIR_PROFILE=standard PAIR_DEB_DIR=$(E2E_DEBS) bash test/e2e/failover-bench.sh > $(2).standard.new & \
		PAIR_ARBITER=$(1) PAIR_PROFILE=fast PAIR_DEB_DIR=$(E2E_DEBS) bash test/e2e/failover-bench.sh > $(2).fast.new; \
		wait; \
	fi
	for f in $(2).standard.new $(2).fast.new; do [ ! -e $$f ] || cat $$f; done > $(2).new; \
		mv $(2).new $(2) && rm -f $(2).standard.new $(2).fast.new
endef
failover-bench:
	test/e2e/build-deb.sh $(E2E_DEBS)
	$(if $(filter 0,$(FAILOVER_BENCH_SETS)),$(call failover_bench_pair,0,test/bench/results/failover.txt))
	$(if $(filter 1,$(FAILOVER_BENCH_SETS)),$(call failover_bench_pair,1,test/bench/results/failover-arbiter.txt))
	@cat test/bench/results/failover.txt test/bench/results/failover-arbiter.txt

# The false-failover soak of the fast profile (test/e2e/failover-soak.sh):
# SOAK_SECS (default 1800) with both nodes under full CPU and disk load,
# half idle, half carrying calls; every VIP move, promotion and fence
# counted. Not part of CI (failover.sh runs a 40 s version of it); writes
# test/bench/results/failover-soak.txt. PAIR_ARBITER=1: with the third voter
# (failover-soak-arbiter.txt).
SOAK_RESULT = test/bench/results/failover-soak$(if $(filter 1,$(PAIR_ARBITER)),-arbiter).txt
failover-soak:
	test/e2e/build-deb.sh $(E2E_DEBS)
	PAIR_DEB_DIR=$(E2E_DEBS) bash test/e2e/failover-soak.sh > $(SOAK_RESULT).new
	mv $(SOAK_RESULT).new $(SOAK_RESULT)
	@cat $(SOAK_RESULT)

.PHONY: check-e2e-harness check-e2e-bringup check-e2e-failover check-e2e-failover-arbiter check-e2e-upgrade check-e2e-backup bench-bringup failover-bench failover-soak

# The bring-up systemd drop-ins (debian/dropins/<unit>.d/voip-ha.conf) are
# installed by debian/voip-ha-node.install.

# Fast bring-up tests for `make check`: the SCRAM verifier comparison that
# keeps provisioning idempotent (cmocka, against independent verifiers), and
# the data directory set aside by clone and rebuild.
BRINGUP_UNIT_BINS := $(BUILD)/test/unit/test-scram $(BUILD)/test/unit/test-datadir
$(BUILD)/test/unit/test-scram: test/unit/test-scram.c test/unit/unit.h src/cli/scram.c src/cli/scram.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ test/unit/test-scram.c src/cli/scram.c $(ALL_LDFLAGS) -lcmocka -lcrypto
# Setting a data directory aside, also where it is its own mount point.
$(BUILD)/test/unit/test-datadir: test/unit/test-datadir.c test/unit/unit.h src/engine/datadir.c src/engine/datadir.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql) $(ALL_CFLAGS) -o $@ test/unit/test-datadir.c src/engine/datadir.c $(ALL_LDFLAGS) -lcmocka

CHECK_SUITES += check-unit-bringup check-units-bringup
.PHONY: check-unit-bringup check-units-bringup
# Hardening of our service units (systemd-analyze security --offline) and the
# drop-ins' order/guard lines.
check-units-bringup:
	@mkdir -p $(RESULTS)
	-bash test/e2e/units-security.sh > $(RESULTS)/units-bringup.tap

check-unit-bringup: $(BRINGUP_UNIT_BINS)
	@mkdir -p $(RESULTS)
	test/unit/run-tap $(RESULTS)/unit-bringup.tap $(BRINGUP_UNIT_BINS)
