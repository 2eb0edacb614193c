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

# The arbiter client (src/engine/arbiter.c) and the witness's lease functions
# (db/witness/lease.sql) against a real PostgreSQL with TLS and SCRAM.
ARBITER_DRIVE := $(BUILD)/test/arbiter-drive
$(ARBITER_DRIVE): test/arbiter/arbiter-drive.c $(BUILD)/obj/src/engine/arbiter.o \
		$(BUILD)/obj/src/engine/boot.o $(LIBVOIPHA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(BUILD)/obj/src/engine/arbiter.o \
		$(BUILD)/obj/src/engine/boot.o $(LIBVOIPHA) $(ALL_LDFLAGS) -lpq -lsystemd

.PHONY: check-arbiter
ifeq ($(strip $(SANITIZE)),)
check-arbiter:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined RESULTS=$(RESULTS) $@
else
check-arbiter: $(ARBITER_DRIVE)
	@mkdir -p $(RESULTS)
	ARBITER_DRIVE=$(abspath $(ARBITER_DRIVE)) $(BATS) --formatter tap test/arbiter/arbiter.bats \
		> $(RESULTS)/arbiter.tap; status=$$?; grep -v '^ok' $(RESULTS)/arbiter.tap || true; exit $$status
endif
CHECK_SUITES += check-arbiter
