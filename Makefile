# Drover: one non-recursive Makefile.
#
#   make                 build/drover (libyaml) and build/drover-worker (static, musl)
#   make CC=clang        the same with clang (the worker still uses musl-gcc unless WORKER_CC is set)
#   make asan            build-asan/: AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz            build-fuzz/: libFuzzer targets (clang)
#   make compile_commands.json
#   make check           the whole test suite (scripts/test.sh without the set-up step)
#
# Sources are found by directory, so a new file needs no edit here.

BUILD      ?= build
CC         ?= cc
WORKER_CC  ?= $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
WORKER_LDFLAGS ?= -static -s -Wl,--gc-sections
OPT        ?= -O2 -g
WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
              -Wformat=2 -Wvla -Wimplicit-fallthrough -Wno-format-nonliteral -Werror
CPPFLAGS   += -Isrc -D_GNU_SOURCE
CFLAGS     ?=
ALLCFLAGS   = -std=c11 $(OPT) $(WARN) $(CFLAGS)
LDLIBS_CTL := -lyaml -lm

# Layers. The worker, droverd and droverctl use libc alone.
BASE_SRCS      := $(sort $(wildcard src/base/*.c))
DATA_CORE_SRCS := src/data/value.c src/data/json.c src/data/pystr.c src/data/shlex.c src/data/pyre.c src/data/pyos.c
DATA_SRCS      := $(sort $(wildcard src/data/*.c))
CTL_SRCS       := $(BASE_SRCS) $(DATA_SRCS) \
                  $(sort $(wildcard src/inventory/*.c src/template/*.c src/playbook/*.c \
                         src/proto/*.c src/transport/*.c src/exec/*.c src/output/*.c))
CLI_SRCS       := $(sort $(wildcard src/cli/*.c))
WORKER_SRCS    := $(BASE_SRCS) $(DATA_CORE_SRCS) \
                  $(sort $(wildcard src/proto/*.c src/modules/*.c src/worker/*.c))

# droverd: the supervisor daemon, static with musl, libc only.
DROVERD_SRCS   := $(sort $(wildcard src/droverd/*.c))
DROVERD_ALL    := $(BASE_SRCS) src/data/value.c src/data/json.c src/data/pystr.c src/data/ini.c \
                  src/data/shlex.c src/data/xmlrpc.c $(DROVERD_SRCS)

CTL_OBJS    := $(CTL_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS    := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
WORKER_OBJS := $(WORKER_SRCS:%.c=$(BUILD)/wobj/%.o)

UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all clean asan fuzz check tests
all: $(BUILD)/drover $(BUILD)/drover-worker $(BUILD)/droverd $(BUILD)/droverctl $(UNIT_BINS)

$(BUILD)/libdrover.a: $(CTL_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/drover: $(CLI_OBJS) $(BUILD)/libdrover.a
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libdrover.a $(LDLIBS_CTL)

$(BUILD)/drover-worker: $(WORKER_OBJS)
	$(WORKER_CC) $(ALLCFLAGS) $(WORKER_LDFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/wobj/%.o: %.c
	@mkdir -p $(@D)
	$(WORKER_CC) $(CPPFLAGS) -I$(BUILD)/gen -DDROVER_WORKER $(ALLCFLAGS) -ffunction-sections -fdata-sections -MMD -MP -c -o $@ $<

# The worker's module table, from the MODULE_DEFINE line of each module's file
# (see src/modules/module.h); rewritten only when it changes.
$(BUILD)/gen/modtab.inc: $(sort $(wildcard src/modules/*.c)) scripts/modtab.sh
	@mkdir -p $(@D)
	sh scripts/modtab.sh $(sort $(wildcard src/modules/*.c)) > $@.tmp
	if cmp -s $@.tmp $@; then rm -f $@.tmp; touch $@; else mv $@.tmp $@; fi
$(BUILD)/wobj/src/modules/module.o: $(BUILD)/gen/modtab.inc

$(BUILD)/droverd: $(DROVERD_ALL:%.c=$(BUILD)/dobj/%.o)
	$(WORKER_CC) $(ALLCFLAGS) $(WORKER_LDFLAGS) $(LDFLAGS) -o $@ $^

# droverctl: supervisorctl's client, static with musl, libc only; it reads
# the configuration with droverd's loader and responses with the worker's
# HTTP framing.
DROVERCTL_ALL  := $(filter-out src/droverd/main.c,$(DROVERD_ALL)) src/proto/httpmsg.c \
                  $(sort $(wildcard src/droverctl/*.c))
$(BUILD)/droverctl: $(DROVERCTL_ALL:%.c=$(BUILD)/dobj/%.o)
	$(WORKER_CC) $(ALLCFLAGS) $(WORKER_LDFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/dobj/%.o: %.c
	@mkdir -p $(@D)
	$(WORKER_CC) $(CPPFLAGS) $(ALLCFLAGS) -ffunction-sections -fdata-sections -MMD -MP -c -o $@ $<

# droverd's sources but main.c, for its unit tests (tests/unit/test_droverd_*.c),
# which link only what droverd links.
$(BUILD)/libdroverd.a: $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out src/droverd/main.c,$(DROVERD_ALL)))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/test_droverd_%: tests/unit/test_droverd_%.c tests/unit/t.h $(BUILD)/libdroverd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libdroverd.a

# The subcommands' own modules (all of src/cli but main.c), for unit tests of
# cli code; an archive, so a test links only what it uses.
$(BUILD)/libdrover-cli.a: $(filter-out $(BUILD)/obj/src/cli/main.o,$(CLI_OBJS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(BUILD)/libdrover-cli.a $(BUILD)/libdrover.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libdrover-cli.a $(BUILD)/libdrover.a \
	    $(LDLIBS_CTL)

tests: $(UNIT_BINS)

asan:
	$(MAKE) BUILD=build-asan CC=$(CC) WORKER_CC=$(CC) WORKER_LDFLAGS= \
	    OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"

# libFuzzer targets: one binary per tests/fuzz/fuzz_*.c, linked with the controller library.
FUZZ_BUILD := build-fuzz
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang WORKER_CC=clang WORKER_LDFLAGS= \
	    OPT="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" $(FUZZ_BUILD)/libdrover.a
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang $(FUZZ_BINS)
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libdrover.a
	clang $(CPPFLAGS) -std=c11 -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	    -o $@ $< $(FUZZ_BUILD)/libdrover.a $(LDLIBS_CTL)

compile_commands.json:
	$(MAKE) clean && bear -- $(MAKE) all

check: all
	sh tests/run.sh

clean:
	rm -rf build build-asan build-fuzz build-clang

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
