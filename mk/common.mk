# Shared compiler settings. SANITIZE=address,undefined adds sanitizers and
# makes UBSan abort instead of continuing (as git's Makefile does).
CC        ?= cc
BUILD     ?= build
CSTD      := -std=c11 -D_GNU_SOURCE
WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
OPT       ?= -O2 -g
CFLAGS    ?=
CPPFLAGS  += -Isrc
LDFLAGS   ?=
ifneq ($(strip $(SANITIZE)),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Every test suite writes TAP to $(BUILD)/results/<suite>.tap; tools/tap-count
# turns those into the one summary line CI reads.
RESULTS := $(BUILD)/results
