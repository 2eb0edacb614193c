# build/voip-admind: the node's API/xml_curl/CDR daemon (issue 3). Every
# src/daemon/*.c is linked in, so the CDR files (src/daemon/cdr-*.c) need no
# edit here. Tests: mk/daemon-tests.mk.
DAEMON_SRCS := $(wildcard src/daemon/*.c)
# DAEMON_NO_CDR=1 builds without CDR ingestion (/fs/cdr answers 503); that is
# also the case while src/daemon/cdr-ingest.c (the implementation of
# cdr-ingest.h) does not exist yet.
ifeq ($(wildcard src/daemon/cdr-ingest.c),)
DAEMON_NO_CDR := 1
endif
ifeq ($(DAEMON_NO_CDR),1)
DAEMON_SRCS := $(filter-out src/daemon/cdr-%,$(DAEMON_SRCS))
DAEMON_CPPFLAGS += -DVOIPADMIN_NO_CDR
endif
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(BUILD)/obj/%.o)
DAEMON_LIBS := -lmicrohttpd -lpq -lcjson -lsystemd -lcrypto -lexpat -lpthread
VOIPADMIND_BIN := $(BUILD)/voip-admind
PG_CPPFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)

$(DAEMON_OBJS): CPPFLAGS += $(PG_CPPFLAGS) $(DAEMON_CPPFLAGS)

$(VOIPADMIND_BIN): $(DAEMON_OBJS) $(LIBVOIPHA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(DAEMON_OBJS) $(LIBVOIPHA) $(DAEMON_LIBS)

BINS += $(VOIPADMIND_BIN)

-include $(DAEMON_OBJS:.o=.d)
-include mk/daemon-tests.mk
