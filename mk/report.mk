# The report generator: src/ is format -> reader -> model -> render -> cli.

REPORT_SRCS := $(wildcard src/format/*.c src/reader/*.c src/model/*.c src/render/*.c)
CLI_SRCS    := $(wildcard src/cli/*.c)
REPORT_OBJS := $(REPORT_SRCS:%.c=$(B)/%.o)
CLI_OBJS    := $(CLI_SRCS:%.c=$(B)/%.o)
LIBS        := $(PKG_LIBS) -lm

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libkvmmmu.a: $(REPORT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/kvmmmu-report: $(CLI_OBJS) $(B)/libkvmmmu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

-include $(REPORT_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
