# Bring-up part: the two-node systemd-nspawn harness (test/e2e/), its suites,
# `make demo` / `make demo-down` and the bring-up benchmark. Every target here
# needs root and systemd-nspawn; suites build the rootfs cache on first use
# (test/lib/rootfs.sh).

E2E_SUITES += check-e2e-harness check-e2e-bringup

# Each suite writes its TAP stream; the scenario scripts exit non-zero on a
# failed test point, which make -k tolerates (the summary counts the TAP).
check-e2e-harness:
	@mkdir -p $(RESULTS)
	bash test/e2e/harness.sh > $(RESULTS)/e2e-harness.tap

# Installs the package built from this tree (a private copy, see
# test/e2e/build-deb.sh); a failed build is one failing test point.
E2E_DEBS := $(abspath $(BUILD))/e2e-debs
check-e2e-bringup:
	@mkdir -p $(RESULTS)
	@if test/e2e/build-deb.sh $(E2E_DEBS) >$(RESULTS)/e2e-bringup.deb.log 2>&1; then \
		PAIR_DEB_DIR=$(E2E_DEBS) bash test/e2e/bringup.sh > $(RESULTS)/e2e-bringup.tap; \
	else \
		printf '1..1\nnot ok 1 - package build (see $(RESULTS)/e2e-bringup.deb.log)\n' > $(RESULTS)/e2e-bringup.tap; \
		exit 1; \
	fi

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

.PHONY: check-e2e-harness check-e2e-bringup bench-bringup

# The bring-up systemd drop-ins (debian/dropins/<unit>.d/voip-ha.conf) are
# installed by debian/voip-ha-node.install.

# Fast bring-up tests for `make check`: the SCRAM verifier comparison that
# keeps provisioning idempotent (cmocka, against independent verifiers).
BRINGUP_UNIT_BINS := $(BUILD)/test/unit/test-scram
$(BUILD)/test/unit/test-scram: test/unit/test-scram.c test/unit/unit.h src/cli/scram.c src/cli/scram.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ test/unit/test-scram.c src/cli/scram.c $(ALL_LDFLAGS) -lcmocka -lcrypto

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
