# Bring-up part: the two-node systemd-nspawn harness (test/e2e/), its suites,
# `make demo` / `make demo-down` and the bring-up benchmark. Every target here
# needs root and systemd-nspawn; suites build the rootfs cache on first use
# (test/lib/rootfs.sh).

E2E_SUITES += check-e2e-harness

# Each suite writes its TAP stream; the scenario scripts exit non-zero on a
# failed test point, which make -k tolerates (the summary counts the TAP).
check-e2e-harness:
	@mkdir -p $(RESULTS)
	bash test/e2e/harness.sh > $(RESULTS)/e2e-harness.tap

e2e:
	$(call run_suites,$(E2E_SUITES))

.PHONY: check-e2e-harness
