# voip-admind tests (issue 3, core): cmocka units, libFuzzer targets, the
# systemd unit's hardening score, and the end-to-end bats suite against a real
# PostgreSQL with the daemon built under ASan/UBSan. `make bench-directory`
# runs test/bench/directory.sh (not part of check).
DAEMON_UNIT_BIN  := $(BUILD)/test/daemon/test-daemon-units

$(DAEMON_UNIT_BIN): test/daemon/test-daemon-units.c $(LIBVOIPADMIN_CDR) $(LIBVOIPADMIN) $(LIBVOIPHA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PG_CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(DAEMON_LINK) -lcmocka

# sd_notify receiver for the bats suite (systemd's side of the protocol).
DAEMON_NOTIFY_LISTEN := $(BUILD)/test/daemon/notify-listen
$(DAEMON_NOTIFY_LISTEN): test/daemon/notify-listen.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

# Fuzz targets (these and mk/cdr.mk's): clang libFuzzer + ASan + UBSan
# whatever CC/SANITIZE say. They link the same static libraries as the
# daemon, built again by clang with libFuzzer's coverage in $(FUZZ_TREE).
DAEMON_FUZZ_CC    ?= clang
DAEMON_FUZZERS    := form api-json
DAEMON_FUZZ_DIR   := $(BUILD)/test/daemon-fuzz
DAEMON_FUZZ_FLAGS := $(CSTD) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TREE         := $(BUILD)/fuzz-tree
FUZZ_TREE_LIBS    := $(FUZZ_TREE)/libvoipadmin-cdr.a $(FUZZ_TREE)/libvoipadmin.a $(FUZZ_TREE)/libvoipha.a
FUZZ_TREE_LINK    := -Wl,--start-group $(FUZZ_TREE_LIBS) -Wl,--end-group $(DAEMON_LIBS)

.PHONY: fuzz-tree-libs
fuzz-tree-libs:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_TREE) CC=$(DAEMON_FUZZ_CC) OPT='-g -O1' \
		SANITIZE=fuzzer-no-link,address,undefined $(FUZZ_TREE_LIBS)

$(DAEMON_FUZZ_DIR)/fuzz-%: test/fuzz/fuzz-%.c fuzz-tree-libs
	@mkdir -p $(dir $@)
	$(DAEMON_FUZZ_CC) $(CPPFLAGS) $(PG_CPPFLAGS) $(DAEMON_FUZZ_FLAGS) -o $@ $< $(FUZZ_TREE_LINK)

# The end-to-end suite runs the sanitized daemon: built in its own tree so
# it never mixes objects with the normal build.
ifeq ($(strip $(SANITIZE)),)
DAEMON_TEST_BIN := $(BUILD)/san/voip-admind
$(DAEMON_TEST_BIN): FORCE_DAEMON_SAN
	$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined $@
.PHONY: FORCE_DAEMON_SAN
FORCE_DAEMON_SAN:
else
DAEMON_TEST_BIN := $(VOIPADMIND_BIN)
endif

# systemd-analyze's exposure score (0 = locked down, 10 = unsafe); bookworm's
# systemd-timesyncd scores 2.3. Ours must stay at or below 2.0; the
# --threshold argument is on the tenfold integer scale (20 = 2.0).
DAEMON_UNIT_FILE      := debian/voip-ha-node.voip-admin.service
DAEMON_UNIT_THRESHOLD := 20

.PHONY: check-daemon check-daemon-units check-daemon-fuzz check-daemon-unitfile \
	fuzz-daemon bench-directory

check-daemon-units: $(DAEMON_UNIT_BIN)
	@mkdir -p $(RESULTS)
	test/unit/run-tap $(RESULTS)/daemon-units.tap $(DAEMON_UNIT_BIN)

check-daemon-fuzz: $(DAEMON_FUZZERS:%=$(DAEMON_FUZZ_DIR)/fuzz-%)
	@mkdir -p $(RESULTS)
	test/daemon/fuzz-check $(DAEMON_FUZZ_DIR) $(RESULTS)/daemon-fuzz.tap $(DAEMON_FUZZERS)

check-daemon-unitfile:
	@mkdir -p $(RESULTS)
	test/daemon/unitfile-check $(DAEMON_UNIT_FILE) $(DAEMON_UNIT_THRESHOLD) > $(RESULTS)/daemon-unitfile.tap

# (build/voip-ha: one test loads the voip-admin.conf the generator writes)
check-daemon: $(DAEMON_TEST_BIN) $(DAEMON_NOTIFY_LISTEN) $(VOIPHA_BIN)
	@mkdir -p $(RESULTS)
	VOIPADMIND=$(abspath $(DAEMON_TEST_BIN)) NOTIFY_LISTEN=$(abspath $(DAEMON_NOTIFY_LISTEN)) \
	VOIPHA=$(abspath $(VOIPHA_BIN)) bats --formatter tap test/daemon/voip-admind.bats \
		> $(RESULTS)/daemon.tap || true

DAEMON_FUZZ_SECONDS ?= 300
fuzz-daemon: $(DAEMON_FUZZERS:%=$(DAEMON_FUZZ_DIR)/fuzz-%)
	@for f in $(DAEMON_FUZZERS); do \
		mkdir -p $(BUILD)/fuzz-corpus/$$f; \
		$(DAEMON_FUZZ_DIR)/fuzz-$$f -max_total_time=$(DAEMON_FUZZ_SECONDS) -max_len=65536 \
			$(BUILD)/fuzz-corpus/$$f $$(test/fuzz/seed-dirs $$f) || exit 1; \
	done
fuzz: fuzz-daemon

bench-directory: $(VOIPADMIND_BIN)
	VOIPADMIND=$(abspath $(VOIPADMIND_BIN)) test/bench/directory.sh
bench: bench-directory

CHECK_SUITES += check-daemon-units check-daemon-fuzz check-daemon-unitfile check-daemon
