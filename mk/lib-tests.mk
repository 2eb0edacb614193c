# Tests of libvoipha: cmocka unit tests (check-unit-lib) and libFuzzer targets
# (check-fuzz-lib replays the seed corpus; `make fuzz` runs each for a while).
LIB_UNIT_TESTS := kvfile validators validate escape template atomic-write manifest derive monitor-state \
	restart-pending tls-cert tar pitime \
	rules history backup-state
LIB_UNIT_BINS  := $(LIB_UNIT_TESTS:%=$(BUILD)/test/unit/test-%)

$(BUILD)/test/unit/test-%: test/unit/test-%.c test/unit/unit.h $(LIBVOIPHA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIBVOIPHA) $(ALL_LDFLAGS) -lcmocka -lcrypto -lcjson

# The failover rules are pure (no libpq): the table links them alone.
$(BUILD)/test/unit/test-rules: test/unit/test-rules.c test/unit/unit.h src/engine/rules.c \
		src/engine/rules.h src/lib/profile.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< src/engine/rules.c $(ALL_LDFLAGS) -lcmocka

# Both nodes' histories merged: pure too (libvoipha for the UTF-8 check).
$(BUILD)/test/unit/test-history: test/unit/test-history.c test/unit/unit.h \
		src/engine/history-merge.c src/engine/history-merge.h $(LIBVOIPHA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< src/engine/history-merge.c $(LIBVOIPHA) \
		$(ALL_LDFLAGS) -lcmocka

# The atomic writer test watches write() from inside.
$(BUILD)/test/unit/test-atomic-write: ALL_LDFLAGS += -Wl,--wrap=write

.PHONY: check-unit-lib check-fuzz-lib fuzz-lib
# The unit suite always runs under ASan/UBSan: without SANITIZE it rebuilds
# itself in $(BUILD)/san, so sanitized objects never mix with the normal build.
ifeq ($(strip $(SANITIZE)),)
check-unit-lib:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined RESULTS=$(RESULTS) $@
else
check-unit-lib: $(LIB_UNIT_BINS)
	@mkdir -p $(RESULTS)
	test/unit/run-tap $(RESULTS)/unit-lib.tap $(LIB_UNIT_BINS)
endif

# Fuzz targets always build with clang's libFuzzer, ASan and UBSan, whatever
# CC and SANITIZE say, from the library sources directly.
FUZZ_CC      ?= clang
FUZZ_TARGETS := kvfile template validators monitor-state pgwire manifest backup-bundle pgbr-info backup-state
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz-%)
FUZZ_FLAGS   := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1

$(BUILD)/fuzz/fuzz-%: test/fuzz/fuzz-%.c $(LIB_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) $(WARN) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) -lcrypto -lcjson

check-fuzz-lib: $(FUZZ_BINS)
	@mkdir -p $(RESULTS)
	BUILD=$(BUILD) test/fuzz/replay $(RESULTS)/fuzz-lib.tap $(FUZZ_TARGETS)

# Long runs (60 s per target by default) on a scratch copy of the corpus.
FUZZ_SECONDS ?= 60
fuzz-lib: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t && cp -n test/fuzz/corpus/$$t/* $(BUILD)/fuzz/corpus-$$t/; \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(BUILD)/fuzz/corpus-$$t test/fuzz/corpus/$$t || exit 1; \
	done
fuzz: fuzz-lib

# The PostgreSQL protocol client (lib/pgwire.c) against a real PostgreSQL:
# values, errors, refused authentication methods, a hung server. The driver
# also takes the postgres ids the way the check does (engine/pg-local.c).
PGWIRE_QUERY := $(BUILD)/test/pgwire-query
$(PGWIRE_QUERY): test/pgwire/pgwire-query.c $(BUILD)/obj/src/engine/pg-local.o $(LIBVOIPHA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(BUILD)/obj/src/engine/pg-local.o $(LIBVOIPHA) $(ALL_LDFLAGS)

.PHONY: check-pgwire
ifeq ($(strip $(SANITIZE)),)
check-pgwire:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined RESULTS=$(RESULTS) $@
else
check-pgwire: $(PGWIRE_QUERY)
	@mkdir -p $(RESULTS)
	PGWIRE_QUERY=$(abspath $(PGWIRE_QUERY)) bats --formatter tap test/pgwire/pgwire.bats \
		> $(RESULTS)/pgwire.tap; status=$$?; grep -v '^ok' $(RESULTS)/pgwire.tap || true; exit $$status
endif

CHECK_SUITES += check-unit-lib check-fuzz-lib check-pgwire
