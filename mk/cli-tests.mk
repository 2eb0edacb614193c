# Tests of the voip-ha CLI: bats suites run against the freshly built binary.
# check-cli: test/bats/cli-*.bats; check-bad-input: test/bats/bad-input*.bats.
BATS ?= bats
.PHONY: check-cli check-bad-input
check-cli: $(VOIPHA_BIN)
	@mkdir -p $(RESULTS)
	VOIPHA=$(abspath $(VOIPHA_BIN)) $(BATS) --formatter tap test/bats/cli-*.bats \
		> $(RESULTS)/cli.tap; status=$$?; cat $(RESULTS)/cli.tap | grep -v '^ok' || true; exit $$status

check-bad-input: $(VOIPHA_BIN)
	@mkdir -p $(RESULTS)
	VOIPHA=$(abspath $(VOIPHA_BIN)) $(BATS) --formatter tap test/bats/bad-input*.bats \
		> $(RESULTS)/bad-input.tap; status=$$?; grep -v '^ok' $(RESULTS)/bad-input.tap || true; exit $$status

CHECK_SUITES += check-cli check-bad-input
