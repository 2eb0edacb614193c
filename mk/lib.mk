# libvoipha.a: the pure core library (parser, config model, validation,
# escapers, renderer, atomic writer). Its unit and fuzz suites are in
# mk/lib-tests.mk.
LIB_SRCS := $(wildcard src/lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBVOIPHA := $(BUILD)/libvoipha.a

$(LIBVOIPHA): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

-include $(LIB_OBJS:.o=.d)
-include mk/lib-tests.mk
