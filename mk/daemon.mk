# build/voip-admind: the node's API/xml_curl/CDR daemon (issue 3).
# main.c links two static libraries built once and shared with the tests and
# fuzzers: libvoipadmin.a (every other src/daemon/*.c: HTTP layer, route
# table, API, directory, health, database pool) and libvoipadmin-cdr.a (CDR
# ingestion, src/daemon/cdr/, built by mk/cdr.mk). The two call each other
# (the route table names the CDR handler, CDR ingestion uses the database
# pool), so they are linked as one group. Tests: mk/daemon-tests.mk.
DAEMON_CORE_SRCS := $(filter-out src/daemon/main.c,$(wildcard src/daemon/*.c))
DAEMON_CORE_OBJS := $(DAEMON_CORE_SRCS:%.c=$(BUILD)/obj/%.o)
DAEMON_MAIN_OBJ  := $(BUILD)/obj/src/daemon/main.o
LIBVOIPADMIN     := $(BUILD)/libvoipadmin.a
LIBVOIPADMIN_CDR := $(BUILD)/libvoipadmin-cdr.a
DAEMON_LIBS := -lmicrohttpd -lpq -lcjson -lsystemd -lcrypto -lexpat -lpthread
# What a program using the daemon's code links, after its own objects.
DAEMON_LINK = -Wl,--start-group $(LIBVOIPADMIN_CDR) $(LIBVOIPADMIN) $(LIBVOIPHA) -Wl,--end-group \
	      $(DAEMON_LIBS)
VOIPADMIND_BIN := $(BUILD)/voip-admind
PG_CPPFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)

$(DAEMON_CORE_OBJS) $(DAEMON_MAIN_OBJ): CPPFLAGS += $(PG_CPPFLAGS)

$(LIBVOIPADMIN): $(DAEMON_CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(VOIPADMIND_BIN): $(DAEMON_MAIN_OBJ) $(LIBVOIPADMIN_CDR) $(LIBVOIPADMIN) $(LIBVOIPHA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(DAEMON_MAIN_OBJ) $(DAEMON_LINK)

BINS += $(VOIPADMIND_BIN)

-include $(DAEMON_CORE_OBJS:.o=.d) $(DAEMON_MAIN_OBJ:.o=.d)
-include mk/daemon-tests.mk
