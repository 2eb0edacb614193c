# CDR ingestion (src/daemon/cdr/) as the static library libvoipadmin-cdr.a
# that voip-admind (mk/daemon.mk), these tests and the CDR fuzzers link;
# its tests, fuzzers and benchmark.
CDR_SRCS := $(wildcard src/daemon/cdr/*.c)
CDR_OBJS := $(CDR_SRCS:%.c=$(BUILD)/obj/%.o)
$(CDR_OBJS): CPPFLAGS += $(PG_CPPFLAGS)

$(LIBVOIPADMIN_CDR): $(CDR_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

-include $(CDR_OBJS:.o=.d)

CDR_TESTBIN := $(BUILD)/test/cdr
CDR_TEST_LIBS := $(LIBVOIPADMIN_CDR) $(LIBVOIPADMIN) $(LIBVOIPHA)
$(BUILD)/obj/test/daemon/cdr-%.o: CPPFLAGS += $(PG_CPPFLAGS)

$(CDR_TESTBIN)/cdr-%-test: $(BUILD)/obj/test/daemon/cdr-%-test.o $(CDR_TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(DAEMON_LINK) -lcmocka

.PHONY: check-cdr-parse check-cdr-journal check-cdr-fuzz fuzz-cdr bench-cdr
check-cdr-parse: $(CDR_TESTBIN)/cdr-parse-test
	@mkdir -p $(RESULTS)
	CMOCKA_MESSAGE_OUTPUT=TAP $< > $(RESULTS)/cdr-parse.tap || true

.PHONY: check-cdr-xml-fast
check-cdr-xml-fast: $(CDR_TESTBIN)/cdr-xml-fast-test
	@mkdir -p $(RESULTS)
	CMOCKA_MESSAGE_OUTPUT=TAP $< > $(RESULTS)/cdr-xml-fast.tap || true

check-cdr-journal: $(CDR_TESTBIN)/cdr-journal-test
	@mkdir -p $(RESULTS)
	CMOCKA_MESSAGE_OUTPUT=TAP $< > $(RESULTS)/cdr-journal.tap || true

# libFuzzer targets: the fuzz-tree libraries of mk/daemon-tests.mk.
CDR_FUZZERS := cdr-xml cdr-xml-diff cdr-json
$(CDR_TESTBIN)/fuzz-%: test/fuzz/fuzz-%.c test/daemon/cdr-test-util.h fuzz-tree-libs
	@mkdir -p $(dir $@)
	$(DAEMON_FUZZ_CC) $(CPPFLAGS) $(PG_CPPFLAGS) $(DAEMON_FUZZ_FLAGS) -o $@ $< $(FUZZ_TREE_LINK)

# make check: replay the seed corpus, then a short bounded run from it.
check-cdr-fuzz: $(CDR_FUZZERS:%=$(CDR_TESTBIN)/fuzz-%)
	@mkdir -p $(RESULTS)
	@sh test/fuzz/cdr-fuzz-check.sh $(CDR_TESTBIN) $(CDR_FUZZERS) > $(RESULTS)/cdr-fuzz.tap || true

# make fuzz: long runs (CDR_FUZZ_SECONDS each), new inputs kept in the corpus.
CDR_FUZZ_SECONDS ?= 600
fuzz-cdr: $(CDR_FUZZERS:%=$(CDR_TESTBIN)/fuzz-%)
	@for f in $(CDR_FUZZERS); do \
		mkdir -p $(BUILD)/fuzz-corpus/$$f; \
		$(CDR_TESTBIN)/fuzz-$$f -max_total_time=$(CDR_FUZZ_SECONDS) -max_len=65536 \
			$(BUILD)/fuzz-corpus/$$f $$(test/fuzz/seed-dirs $$f) || exit 1; \
	done
fuzz: fuzz-cdr

CHECK_SUITES += check-cdr-parse check-cdr-xml-fast check-cdr-journal check-cdr-fuzz

-include $(BUILD)/obj/test/daemon/cdr-parse-test.d $(BUILD)/obj/test/daemon/cdr-xml-fast-test.d $(BUILD)/obj/test/daemon/cdr-journal-test.d

# End to end against the daemon (the sanitized build of mk/daemon-tests.mk
# when it is there) and a real PostgreSQL 15.
CDR_DAEMON_BIN := $(or $(DAEMON_TEST_BIN),$(BUILD)/voip-admind)
.PHONY: check-cdr-ingest
check-cdr-ingest: $(CDR_DAEMON_BIN)
	@mkdir -p $(RESULTS)
	VOIPADMIND=$(abspath $(CDR_DAEMON_BIN)) bats --formatter tap test/daemon/cdr-ingest.bats \
		> $(RESULTS)/cdr-ingest.tap || true
CHECK_SUITES += check-cdr-ingest

# Benchmark (not in make check): test/bench/results/cdr-ingest.txt
bench-cdr: $(BUILD)/voip-admind
	VOIPADMIND=$(abspath $(BUILD)/voip-admind) test/bench/cdr-ingest.sh
bench: bench-cdr
