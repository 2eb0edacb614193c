# build/voip-ha: the CLI. Every src/cli/*.c (the command front ends) and
# src/engine/*.c (the failover engine: rules, PostgreSQL control, data
# directory, reachability, history, arbiter) is linked in, so a new
# subcommand is one line in src/cli/commands.def plus its cmd-<name>.c file.
# voip-ha links libpq (bring-up's subcommands) and libcrypto (SHA-256) from
# the start; other fragments may append to CLI_LIBS.
CLI_SRCS := $(wildcard src/cli/*.c) $(wildcard src/engine/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_LIBS += -lpq -lcrypto -lsystemd -lpthread -lcjson
VOIPHA_BIN := $(BUILD)/voip-ha

$(CLI_OBJS): CPPFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
$(CLI_OBJS): src/cli/commands.def

$(VOIPHA_BIN): $(CLI_OBJS) $(LIBVOIPHA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIBVOIPHA) $(CLI_LIBS)

BINS += $(VOIPHA_BIN)

# voip-ha-check: keepalived's vrrp_script, every second. The same check as
# `voip-ha check` (src/cli/cmd-check.c) with only what it needs: no libpq
# (its own protocol client, lib/pgwire.c) and no libcrypto, so the dynamic
# loader maps libc and libsystemd's few libraries, not libpq's thirty.
CHECK_CLI_OBJS := $(addprefix $(BUILD)/obj/src/cli/,cmd-check.o args.o cli-util.o) \
	$(addprefix $(BUILD)/obj/src/engine/,unit-state.o node-ctx.o boot.o maintenance.o reach.o \
	pg-local.o)
CHECK_OBJS := $(BUILD)/obj/src/check/main.o $(CHECK_CLI_OBJS)
CHECK_BIN  := $(BUILD)/voip-ha-check

$(CHECK_BIN): $(CHECK_OBJS) $(LIBVOIPHA)
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $(CHECK_OBJS) $(LIBVOIPHA) -lsystemd

BINS += $(CHECK_BIN)

-include $(CLI_OBJS:.o=.d) $(BUILD)/obj/src/check/main.d
-include mk/cli-tests.mk
