# build/voip-ha: the CLI. Every src/cli/*.c is linked in, so a new subcommand
# is one line in src/cli/commands.def plus its cmd-<name>.c file.
# voip-ha links libpq (bring-up's subcommands) and libcrypto (SHA-256) from
# the start; other fragments may append to CLI_LIBS.
CLI_SRCS := $(wildcard src/cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_LIBS += -lpq -lcrypto -lsystemd
VOIPHA_BIN := $(BUILD)/voip-ha

$(CLI_OBJS): CPPFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
$(CLI_OBJS): src/cli/commands.def

$(VOIPHA_BIN): $(CLI_OBJS) $(LIBVOIPHA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIBVOIPHA) $(CLI_LIBS)

BINS += $(VOIPHA_BIN)

-include $(CLI_OBJS:.o=.d)
-include mk/cli-tests.mk
