# Tests of the voip-ha CLI: bats suites run against the freshly built binary.
# check-cli: test/bats/cli-*.bats; check-bad-input: test/bats/bad-input*.bats.
BATS ?= bats
.PHONY: check-cli check-bad-input
# Like the unit suite, the CLI suites run a sanitized voip-ha (built in
# $(BUILD)/san) unless the caller already chose SANITIZE.
ifeq ($(strip $(SANITIZE)),)
check-cli check-bad-input:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined RESULTS=$(RESULTS) $@
else
check-cli: $(VOIPHA_BIN) $(CHECK_BIN)
	@mkdir -p $(RESULTS)
	VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPHA_CHECK=$(abspath $(CHECK_BIN)) $(BATS) --formatter tap test/bats/cli-*.bats \
		> $(RESULTS)/cli.tap; status=$$?; cat $(RESULTS)/cli.tap | grep -v '^ok' || true; exit $$status

check-bad-input: $(VOIPHA_BIN)
	@mkdir -p $(RESULTS)
	VOIPHA=$(abspath $(VOIPHA_BIN)) $(BATS) --formatter tap test/bats/bad-input*.bats \
		> $(RESULTS)/bad-input.tap; status=$$?; grep -v '^ok' $(RESULTS)/bad-input.tap || true; exit $$status
endif

CHECK_SUITES += check-cli check-bad-input

# Every bats file: no bare `! cmd` line (it can never fail a test).
.PHONY: check-bats-lint
check-bats-lint:
	@mkdir -p $(RESULTS)
	tools/bats-lint test > $(RESULTS)/bats-lint.tap
CHECK_SUITES += check-bats-lint

# Every C file formatted as .clang-format says (clang-format 14, Debian 12's).
.PHONY: check-format
check-format:
	@mkdir -p $(RESULTS)
	tools/format-check > $(RESULTS)/format.tap
CHECK_SUITES += check-format
