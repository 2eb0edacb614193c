# CDR ingestion (issue 3 item 4): tests, fuzzers and benchmark of
# src/daemon/cdr-*.c. The daemon itself links those files through the
# src/daemon wildcard of mk/daemon.mk; this fragment is self-contained so it
# builds even without it.
CDR_PG_CPPFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
CDR_PARSE_SRCS  := src/daemon/cdr-record.c src/daemon/cdr-xml.c src/daemon/cdr-xml-walk.c \
		   src/daemon/cdr-xml-fast.c src/daemon/cdr-json.c \
		   src/daemon/cdr-envelope.c src/daemon/form.c
CDR_PARSE_OBJS  := $(CDR_PARSE_SRCS:%.c=$(BUILD)/obj/%.o)
CDR_PARSE_LIBS  := -lexpat -lcjson -lpthread

CDR_TESTBIN := $(BUILD)/test/cdr
$(BUILD)/obj/test/daemon/cdr-%.o $(BUILD)/obj/src/daemon/cdr-%.o: CPPFLAGS += $(CDR_PG_CPPFLAGS)

$(CDR_TESTBIN)/cdr-parse-test: $(BUILD)/obj/test/daemon/cdr-parse-test.o $(CDR_PARSE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CDR_PARSE_LIBS) -lcmocka

.PHONY: check-cdr-parse check-cdr-journal check-cdr-fuzz fuzz-cdr bench-cdr
check-cdr-parse: $(CDR_TESTBIN)/cdr-parse-test
	@mkdir -p $(RESULTS)
	CMOCKA_MESSAGE_OUTPUT=TAP $< > $(RESULTS)/cdr-parse.tap || true

$(CDR_TESTBIN)/cdr-xml-fast-test: $(BUILD)/obj/test/daemon/cdr-xml-fast-test.o $(CDR_PARSE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CDR_PARSE_LIBS) -lcmocka -lpthread

.PHONY: check-cdr-xml-fast
check-cdr-xml-fast: $(CDR_TESTBIN)/cdr-xml-fast-test
	@mkdir -p $(RESULTS)
	CMOCKA_MESSAGE_OUTPUT=TAP $< > $(RESULTS)/cdr-xml-fast.tap || true

$(CDR_TESTBIN)/cdr-journal-test: $(BUILD)/obj/test/daemon/cdr-journal-test.o \
				 $(BUILD)/obj/src/daemon/cdr-journal.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka -lpthread

check-cdr-journal: $(CDR_TESTBIN)/cdr-journal-test
	@mkdir -p $(RESULTS)
	CMOCKA_MESSAGE_OUTPUT=TAP $< > $(RESULTS)/cdr-journal.tap || true

# libFuzzer targets, built with clang from the sources (own sanitizer set).
CDR_FUZZERS := cdr-xml cdr-xml-diff cdr-json
CDR_FUZZ_CC ?= clang
CDR_FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		  -fno-sanitize-recover=all -Isrc $(CDR_PG_CPPFLAGS)
$(CDR_TESTBIN)/fuzz-%: test/fuzz/fuzz-%.c $(CDR_PARSE_SRCS) src/daemon/cdr-record.h test/daemon/cdr-test-util.h \
		       src/daemon/cdr-envelope.h
	@mkdir -p $(dir $@)
	$(CDR_FUZZ_CC) $(CDR_FUZZ_FLAGS) -o $@ $< $(CDR_PARSE_SRCS) $(CDR_PARSE_LIBS)

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
			$(BUILD)/fuzz-corpus/$$f test/fuzz/corpus/$$f || exit 1; \
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
