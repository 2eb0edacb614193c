# build/voip-ha-witness: the witness package's command (src/witness/), on
# libvoipha, the SCRAM verifier check of src/cli/scram.c and the postgres
# effective-id switch of src/engine/pg-local.c (one home each, linked, not
# copied). Its bats suite runs setup against a throw-away PostgreSQL 15
# cluster in network namespaces of its own (test/witness/).
WITNESS_SRCS := $(wildcard src/witness/*.c)
WITNESS_OBJS := $(WITNESS_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/src/cli/scram.o \
	$(BUILD)/obj/src/engine/pg-local.o
WITNESS_BIN  := $(BUILD)/voip-ha-witness

$(WITNESS_SRCS:%.c=$(BUILD)/obj/%.o): CPPFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)

$(WITNESS_BIN): $(WITNESS_OBJS) $(LIBVOIPHA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(WITNESS_OBJS) $(LIBVOIPHA) -lpq -lcrypto

BINS += $(WITNESS_BIN)

-include $(WITNESS_SRCS:%.c=$(BUILD)/obj/%.d)

# check-witness: setup against a real PostgreSQL 15 cluster (root: network
# namespaces, pg_createcluster; port 55641 in the witness's namespace).
CHECK_SUITES += check-witness
.PHONY: check-witness
check-witness: $(WITNESS_BIN)
	@mkdir -p $(RESULTS)
	-VOIPHA_WITNESS_BIN=$(abspath $(WITNESS_BIN)) $(or $(BATS),bats) --formatter tap \
		test/witness/setup.bats >$(RESULTS)/witness.tap

# The witness package's files (debian/rules installs them into
# debian/voip-ha-witness; `make install` is voip-ha-node's layout).
WITNESS_DATADIR := $(DATADIR)/witness
.PHONY: install-witness
install-witness: $(WITNESS_BIN)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(WITNESS_DATADIR) $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0755 $(WITNESS_BIN) $(DESTDIR)$(SBINDIR)/voip-ha-witness
	$(INSTALL) -m 0644 db/witness/lease.sql $(DESTDIR)$(WITNESS_DATADIR)/lease.sql
	$(INSTALL) -m 0644 doc/voip-ha-witness.8 $(DESTDIR)$(MANDIR)/man8/voip-ha-witness.8

# check-unit-witness: cmocka tables of witness.conf validation, the pg_hba
# merge and listen_addresses coverage, always under ASan/UBSan (like
# check-unit-lib: without SANITIZE it rebuilds itself in $(BUILD)/san).
WITNESS_PURE := src/witness/wconfig.c src/witness/pgtext.c
$(BUILD)/test/unit/test-witness: test/unit/test-witness.c test/unit/unit.h $(WITNESS_PURE) $(LIBVOIPHA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(WITNESS_PURE) $(LIBVOIPHA) $(ALL_LDFLAGS) -lcmocka -lcrypto

CHECK_SUITES += check-unit-witness
.PHONY: check-unit-witness
ifeq ($(strip $(SANITIZE)),)
check-unit-witness:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined RESULTS=$(RESULTS) $@
else
check-unit-witness: $(BUILD)/test/unit/test-witness
	@mkdir -p $(RESULTS)
	test/unit/run-tap $(RESULTS)/unit-witness.tap $(BUILD)/test/unit/test-witness
endif

# fuzz-witness: witness.conf and the pg_hba merge, replayed by check-fuzz-lib.
$(BUILD)/fuzz/fuzz-witness: test/fuzz/fuzz-witness.c $(LIB_SRCS) $(WITNESS_PURE)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) $(WARN) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(WITNESS_PURE) -lcrypto -lcjson
FUZZ_TARGETS += witness
check-fuzz-lib fuzz-lib: $(BUILD)/fuzz/fuzz-witness
