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

# Bring-up systemd drop-ins (debian/dropins/<unit>.d/voip-ha.conf): ordering
# and PartOf for units of other packages, the pg-guard ExecStartPre and
# Keepalived-last. Installed by `make install` (hence by the package build).
DROPIN_DIR ?= /lib/systemd/system
INSTALL_TARGETS += install-bringup-dropins
.PHONY: install-bringup-dropins
install-bringup-dropins:
	for f in $$(cd debian/dropins && find . -name '*.conf' | LC_ALL=C sort); do \
		$(INSTALL) -D -m 0644 "debian/dropins/$$f" "$(DESTDIR)$(DROPIN_DIR)/$${f#./}" || exit 1; \
	done
