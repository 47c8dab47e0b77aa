# strata - build, test and run.
#
#   make run        install missing Debian packages, build, open the shell on ./strata.db
#   make test       install, build, run every test (release build)
#   make test-san   the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make test-full  every test plus the whole sqllogictest corpus in ../shared/slt
#   make install    PREFIX=/usr/local: library, header, strata binary, pkg-config, man page
#
# Layout: every src/**/*.c except *_test.c and *_main.c goes into libstrata.a;
# src/**/NAME_main.c is the program NAME; src/**/*_test.c and tests/**/*_test.c
# are unit-test programs (one each). SAN=1 builds into build/san instead of build/release.
#
# Several people (or agents) working in one tree at once: build only your
# folders into your own directory, e.g.
#   make -j2 BUILD=build/pager ONLY="src/util src/storage"
# and commit only your own paths (git add <paths>; never git add -A).

SHELL := /bin/bash
PREFIX ?= /usr/local
SAN ?= 0
VERSION := 0.1.0

ifeq ($(SAN),1)
BUILD ?= build/san
MODE_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
MODE_LDFLAGS := -fsanitize=address,undefined
else
BUILD ?= build/release
MODE_CFLAGS := -O2 -g 
MODE_LDFLAGS :=
endif
# Assertions stay on in every build that runs tests; a distribution build may
# pass EXTRA_CFLAGS=-DNDEBUG to compile them out.

CC ?= cc
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow=local -Wvla
CFLAGS_ALL := -std=gnu11 -fPIC -fvisibility=hidden -pthread -D_GNU_SOURCE \
	-DSTRATA_VERSION=\"$(VERSION)\" \
	-Iinclude -Isrc -I$(BUILD)/gen $(WARN) $(MODE_CFLAGS) $(EXTRA_CFLAGS) -MMD -MP
LIBS := -lxxhash -lzstd -llz4 -lssl -lcrypto -lgmp -lpthread -lm
PROG_LIBS := $(LIBS) -ledit

# ONLY="src/util src/storage" builds just those folders (handy while another
# module is mid-change); the default is the whole tree.
ONLY ?= src
ALL_C := $(shell find $(ONLY) -name '*.c' 2>/dev/null)
# The programs' own folders (shell, sqllogictest runner, wire server) are not part
# of the library: they go into libstrata-tools.a, linked into programs and tests only.
TOOL_DIRS := src/shell src/slt src/server
TOOL_SRC := $(filter $(addsuffix /%,$(TOOL_DIRS)),$(filter-out %_test.c %_main.c,$(ALL_C)))
LIB_SRC := $(filter-out $(TOOL_SRC) %_test.c %_main.c,$(ALL_C))
MAIN_SRC := $(filter %_main.c,$(ALL_C))
TEST_SRC := $(filter %_test.c,$(ALL_C)) $(if $(filter src,$(ONLY)),$(shell find tests -name '*_test.c' 2>/dev/null))
TEST_SUPPORT := $(shell find tests -name '*_support.c' 2>/dev/null)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/obj/%.o)
PROGS := $(foreach m,$(MAIN_SRC),$(BUILD)/$(patsubst %_main.c,%,$(notdir $(m))))
TESTS := $(foreach t,$(TEST_SRC),$(BUILD)/tests/$(patsubst %.c,%,$(notdir $(t))))
GEN := $(BUILD)/gen/util/errcodes.h

.PHONY: all lib deps run test test-san test-full install clean tidy
.DEFAULT_GOAL := all

all: $(BUILD)/libstrata.a $(BUILD)/libstrata.so $(PROGS) $(TESTS) $(BUILD)/strata.pc
	@ln -sfn $(notdir $(BUILD)) build/current 2>/dev/null || true

lib: $(BUILD)/libstrata.a

deps:
	@tools/install-deps

$(GEN): src/util/errcodes.txt tools/gen-errcodes
	@mkdir -p $(dir $@)
	tools/gen-errcodes $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libstrata.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libstrata-tools.a: $(TOOL_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libstrata.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(MODE_LDFLAGS) $(LIBS)

$(BUILD)/strata.pc: tools/strata.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

define prog_rule
$(BUILD)/$(patsubst %_main.c,%,$(notdir $(1))): $(BUILD)/obj/$(1:.c=.o) $(BUILD)/libstrata-tools.a $(BUILD)/libstrata.a
	$$(CC) -o $$@ $$^ $(MODE_LDFLAGS) $(PROG_LIBS)
endef
$(foreach m,$(MAIN_SRC),$(eval $(call prog_rule,$(m))))

TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
define test_rule
$(BUILD)/tests/$(patsubst %.c,%,$(notdir $(1))): $(BUILD)/obj/$(1:.c=.o) $(TEST_SUPPORT_OBJ) $(BUILD)/libstrata-tools.a $(BUILD)/libstrata.a
	@mkdir -p $$(dir $$@)
	$$(CC) -o $$@ $$^ $(MODE_LDFLAGS) $(PROG_LIBS)
endef
$(foreach t,$(TEST_SRC),$(eval $(call test_rule,$(t))))

run: deps all
	$(BUILD)/strata strata.db

test: deps all
	tools/run-tests $(BUILD)

test-san: deps
	$(MAKE) SAN=1 all
	STRATA_TEST_QUICK=1 tools/run-tests build/san

test-full: deps all
	STRATA_TEST_FULL=1 tools/run-tests $(BUILD)

tidy:
	tools/tidy

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(BUILD)/libstrata.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libstrata.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/strata.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(BUILD)/strata $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' tools/strata.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/strata.pc
	if [ -f docs/strata.1 ]; then install -m 644 docs/strata.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
