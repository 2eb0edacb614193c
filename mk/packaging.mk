# Packaging suites (bats, TAP into $(RESULTS)):
#   packaging-config   debian/voip-ha-node.config against a throwaway debconf
#                      database, no root needed (doc/STYLE.md 1.3); with
#                      config-table.bats, the shared validation table
#                      (test/data/validation-table.tsv) that bad-input-table.bats
#                      runs through voip-ha validate; witness-config.bats,
#                      debian/voip-ha-witness.config the same way, its
#                      answers checked by build/voip-ha-witness validate
#   packaging-install  the built .debs in throwaway Debian 12 roots (root;
#                      witness-install.bats: voip-ha-witness on the root's
#                      default PostgreSQL cluster)
#   packaging-lintian  lintian on the built .deb and the source package
# The install and lintian suites build the package from a copy of the tree,
# so they never touch build/ or out/.
BATS ?= bats

CHECK_SUITES += check-packaging-config check-packaging-install check-packaging-lintian

.PHONY: check-packaging-config check-packaging-install check-packaging-lintian

check-packaging-config: $(WITNESS_BIN)
	@mkdir -p $(RESULTS)
	-VOIPHA_WITNESS_BIN=$(abspath $(WITNESS_BIN)) $(BATS) --formatter tap test/packaging/config.bats \
		test/packaging/config-table.bats test/packaging/witness-config.bats \
		>$(RESULTS)/packaging-config.tap

check-packaging-install:
	@mkdir -p $(RESULTS)
	-$(BATS) --formatter tap test/packaging/install.bats test/packaging/witness-install.bats \
		>$(RESULTS)/packaging-install.tap

check-packaging-lintian:
	@mkdir -p $(RESULTS)
	-$(BATS) --formatter tap test/packaging/lintian.bats >$(RESULTS)/packaging-lintian.tap
