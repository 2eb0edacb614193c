# voip-ha: top-level build. Each part of the tree has its own fragment in mk/;
# a fragment adds its programs to BINS, its install steps to INSTALL_TARGETS and
# its test suites to CHECK_SUITES (a suite target writes $(RESULTS)/<name>.tap).
include mk/common.mk

PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share/voip-ha
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
DEB_OUT    ?= out

BINS            :=
INSTALL_TARGETS :=
CHECK_SUITES    :=
E2E_SUITES      :=

.PHONY: all check check-all install clean deb fuzz demo demo-down e2e
all:

-include mk/lib.mk
-include mk/cli.mk
-include mk/templates.mk
-include mk/daemon.mk
-include mk/sip.mk
-include mk/cdr.mk
-include mk/witness.mk
-include mk/packaging.mk
-include mk/e2e.mk
-include mk/monitoring.mk
-include mk/backup.mk
-include mk/install.mk

all: $(BINS)

# Runs every suite even when one fails, then prints the one summary line.
# A suite that produced no TAP at all (it did not build, say) counts as failed.
# `check` is the fast set (unit, CLI, generator, daemon, packaging); `check-all`
# adds the two-node systemd-nspawn suites (E2E_SUITES) and is what CI runs.
define run_suites
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	-@$(MAKE) --no-print-directory -k $(1)
	@for s in $(patsubst check-%,%,$(1)); do \
		[ -s $(RESULTS)/$$s.tap ] || printf '1..1\nnot ok 1 - suite %s produced no results\n' "$$s" > $(RESULTS)/$$s.tap; \
	done
	@tools/tap-summary $(RESULTS)
endef

check:
	$(call run_suites,$(CHECK_SUITES))

# CI's run: two lanes side by side, since the two-node suites spend most of
# their time waiting on timers and boots: the systemd-nspawn suites in one
# (they share the bridge and the work directory, so one at a time) and every
# other suite in the other (which builds into build/; the e2e lane builds its
# packages from a private copy and never touches build/). The e2e lane's make
# output goes to $(RESULTS)/e2e-lane.log; its TAP files are summed with the
# rest. CHECK_LANES=1 runs everything one after the other, as `make check`
# then `make e2e` would.
CHECK_LANES ?= 2
check-all:
ifeq ($(CHECK_LANES),1)
	$(call run_suites,$(CHECK_SUITES) $(E2E_SUITES))
else
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	-@$(MAKE) --no-print-directory -k $(E2E_SUITES) >$(RESULTS)/e2e-lane.log 2>&1 & e2e=$$!; \
		$(MAKE) --no-print-directory -k $(CHECK_SUITES); \
		wait $$e2e; echo "e2e lane: make exited $$? (log: $(RESULTS)/e2e-lane.log)"; \
		grep -H '^not ok' $(addprefix $(RESULTS)/,$(patsubst check-%,%.tap,$(E2E_SUITES))) 2>/dev/null || true
	@for s in $(patsubst check-%,%,$(CHECK_SUITES) $(E2E_SUITES)); do \
		[ -s $(RESULTS)/$$s.tap ] || printf '1..1\nnot ok 1 - suite %s produced no results\n' "$$s" > $(RESULTS)/$$s.tap; \
	done
	@tools/tap-summary $(RESULTS)
endif

install: $(BINS) $(INSTALL_TARGETS)

# The unsigned binary packages voip-ha-node and voip-ha-witness into $(DEB_OUT)/.
deb:
	dpkg-buildpackage -us -uc -b
	@mkdir -p $(DEB_OUT)
	mv ../voip-ha-node_*.deb ../voip-ha-node-dbgsym_*.deb ../voip-ha-witness_*.deb \
		../voip-ha-witness-dbgsym_*.deb ../voip-ha-node_*.buildinfo ../voip-ha-node_*.changes $(DEB_OUT)/
	@ls -1 $(DEB_OUT)/*.deb

clean:
	rm -rf $(BUILD) $(DEB_OUT)
