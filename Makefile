# racedet build. `make demo` and `make check` do all the set-up on a fresh
# Debian 12 machine (they install the -dev packages that are missing).
#
# Layout of what is built:
#   build/lib/libracedet.so   the LD_PRELOAD shim: preload/ + src/runtime + src/common
#   build/bin/racedet         run / report: src/cli + src/report + src/common
#   build/bin/racedet-cc      compiler wrapper: src/cli/racedet_cc.c
#   build/bin/racedet-c++     its C++ twin: the same file built with RACEDET_CC_CXX
#   build/lib/libracedet_tsan.a  the hot ABI entry points racedet-cc links
#                             into programs: src/runtime/races/linked
#   build/samples/*           bundled samples (race_* ones built with racedet-cc,
#                             or racedet-c++ for the .cpp ones)
#   build/tests/...           unit tests; build-asan/ holds the sanitizer build

BUILD    ?= build
SAN      ?=
CC       ?= cc
VERSION  := 0.1.0
PREFIX   ?= /usr/local

DEB_PACKAGES := libunwind-dev libdw-dev libelf-dev uthash-dev libjansson-dev libiberty-dev pkg-config \
                graphviz python3-jsonschema man-db autoconf automake cmake g++

WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
BASEFLAGS := -std=c11 -D_GNU_SOURCE -g -O2 -fPIC -fvisibility=hidden \
            -DRACEDET_VERSION='"$(VERSION)"' -Iinclude -Isrc/common -Isrc/runtime -Isrc/report \
            -I/usr/include/x86_64-linux-gnu
ifeq ($(SAN),1)
BASEFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SANLDFLAGS := -fsanitize=address,undefined
endif
CFLAGS   ?=
ALLCFLAGS := $(BASEFLAGS) $(WARN) $(CFLAGS)
# The runtime is reached through interceptors on every lock: keep TLS cheap
# and the shim's own symbols out of the program's namespace.
RTFLAGS  := -ftls-model=initial-exec -fno-strict-aliasing

RT_LIBS     := -lunwind -ldl -lpthread
# -liberty (libiberty-dev, a static archive): GCC's C++ demangler, the one
# c++filt and gdb use; libdw has none (see src/report/symbolize.c).
REPORT_LIBS := -ldw -lelf -ljansson -liberty -lpthread

COMMON_SRC  := $(sort $(wildcard src/common/*.c))
# The engine's parts (docs/design.md §0); races/linked/ is one level deeper:
# it goes into libracedet_tsan.a, not the shim.
RUNTIME_SRC := $(sort $(wildcard src/runtime/*/*.c))
PRELOAD_SRC := $(sort $(wildcard preload/*.c))
LINKED_SRC  := $(sort $(wildcard src/runtime/races/linked/*.c))
REPORT_SRC  := $(sort $(wildcard src/report/*.c))
CLI_SRC     := $(filter-out src/cli/racedet_cc.c,$(sort $(wildcard src/cli/*.c)))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ  := $(call obj,$(COMMON_SRC))
RUNTIME_OBJ := $(call obj,$(RUNTIME_SRC))
PRELOAD_OBJ := $(call obj,$(PRELOAD_SRC))
LINKED_OBJ  := $(call obj,$(LINKED_SRC))
REPORT_OBJ  := $(call obj,$(REPORT_SRC))
CLI_OBJ     := $(call obj,$(CLI_SRC))

SHIM   := $(BUILD)/lib/libracedet.so
TSANRT := $(BUILD)/lib/libracedet_tsan.a
RACEDET := $(BUILD)/bin/racedet
RACEDET_CC := $(BUILD)/bin/racedet-cc
RACEDET_CXX := $(BUILD)/bin/racedet-c++

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
E2E_HELPER_SRC := $(sort $(wildcard tests/e2e/*.c))
E2E_HELPER_BIN := $(patsubst tests/e2e/%.c,$(BUILD)/tests/e2e/%,$(E2E_HELPER_SRC))
E2E_HELPER_CXX_SRC := $(sort $(wildcard tests/e2e/*.cpp))
E2E_HELPER_BIN += $(patsubst tests/e2e/%.cpp,$(BUILD)/tests/e2e/%,$(E2E_HELPER_CXX_SRC))

SAMPLE_SRC := $(sort $(wildcard samples/*.c))
SAMPLE_CXX_SRC := $(sort $(wildcard samples/*.cpp))
SAMPLE_BIN := $(patsubst samples/%.c,$(BUILD)/samples/%,$(SAMPLE_SRC)) \
              $(patsubst samples/%.cpp,$(BUILD)/samples/%,$(SAMPLE_CXX_SRC))

.PHONY: all deps demo check unit unit-asan e2e bench bench-peers clean install uninstall fuzz readme samples e2e-helpers build-asan-unit
all: deps $(SHIM) $(TSANRT) $(RACEDET) $(RACEDET_CC) $(RACEDET_CXX)

# ---- set-up: install what a fresh Debian 12 lacks -------------------------
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "racedet: installing$$missing"; \
	    if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	      || { echo "racedet: could not install$$missing"; exit 1; }; \
	fi

# ---- objects ----------------------------------------------------------------
$(BUILD)/obj/src/runtime/%.o: src/runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(RTFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/obj/preload/%.o: preload/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(RTFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/obj/src/runtime/races/linked/%.o: src/runtime/races/linked/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(RTFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -MMD -MP -c $< -o $@

# ---- products -------------------------------------------------------------
$(SHIM): $(PRELOAD_OBJ) $(RUNTIME_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -Wl,-z,nodelete -Wl,--no-undefined $(SANLDFLAGS) -o $@ $^ $(RT_LIBS)

# Linked into every program racedet-cc links (with libracedet.so after it).
$(TSANRT): $(LINKED_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(RACEDET): $(CLI_OBJ) $(REPORT_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SANLDFLAGS) -o $@ $^ $(REPORT_LIBS)

$(RACEDET_CC): $(call obj,src/cli/racedet_cc.c src/report/mem.c) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SANLDFLAGS) -o $@ $^

# racedet-c++: one source, two flavours (see the comment at its top).
$(BUILD)/obj/src/cli/racedet_cxx.o: src/cli/racedet_cc.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -DRACEDET_CC_CXX -MMD -MP -c $< -o $@
$(RACEDET_CXX): $(BUILD)/obj/src/cli/racedet_cxx.o $(call obj,src/report/mem.c) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SANLDFLAGS) -o $@ $^

# ---- samples ----------------------------------------------------------------
# race_* samples need memory-access instrumentation, and schedule_atomic_*
# and schedule_memory_* ones racedet explore's scheduling points at their
# atomic operations and memory accesses: built with racedet-cc.
CC_SAMPLE_BIN := $(filter $(BUILD)/samples/race_% $(BUILD)/samples/schedule_atomic_% $(BUILD)/samples/schedule_memory_%,\
                   $(patsubst samples/%.c,$(BUILD)/samples/%,$(SAMPLE_SRC)))
$(CC_SAMPLE_BIN): $(BUILD)/samples/%: samples/%.c $(RACEDET_CC) $(SHIM) $(TSANRT)
	@mkdir -p $(dir $@)
	RACEDET_CC=$(CC) $(RACEDET_CC) -g -O1 -o $@ $<
$(BUILD)/samples/%: samples/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -g -O0 -Wall -Wextra -pthread -o $@ $<
# C++ samples: the same, with racedet-c++ and $(CXX) (C++17 for std::scoped_lock)
$(BUILD)/samples/race_%: samples/race_%.cpp $(RACEDET_CXX) $(SHIM) $(TSANRT)
	@mkdir -p $(dir $@)
	RACEDET_CXX=$(CXX) $(RACEDET_CXX) -std=c++17 -g -O1 -o $@ $<
$(BUILD)/samples/%: samples/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -g -O0 -Wall -Wextra -pthread -o $@ $<

# ---- tests ------------------------------------------------------------------
$(BUILD)/tests/unit/%: tests/unit/%.c $(RUNTIME_OBJ) $(REPORT_OBJ) $(COMMON_OBJ) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Itests/unit -o $@ $< $(RUNTIME_OBJ) $(REPORT_OBJ) $(COMMON_OBJ) \
	    $(SANLDFLAGS) $(RT_LIBS) $(REPORT_LIBS)
$(BUILD)/tests/e2e/%: tests/e2e/%.c $(wildcard tests/e2e/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -g -O0 -Wall -Wextra -Werror -pthread -Iinclude -o $@ $< -ljansson

$(BUILD)/tests/e2e/%: tests/e2e/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -g -O0 -Wall -Wextra -Werror -pthread -o $@ $<

unit: deps $(UNIT_BIN)
unit-asan: deps
	$(MAKE) --no-print-directory BUILD=build-asan SAN=1 build-asan-unit
build-asan-unit: $(UNIT_BIN)

samples: all $(SAMPLE_BIN)
e2e-helpers: $(E2E_HELPER_BIN)

demo: all $(SAMPLE_BIN) e2e-helpers
	@sh tests/e2e/demo.sh $(BUILD)

check: all $(SAMPLE_BIN) e2e-helpers unit unit-asan
	@sh tests/run_all.sh $(BUILD)

bench: all
	@$(MAKE) --no-print-directory -C bench BUILD=../$(BUILD)

# peers' regression suites under racedet (bench/peers/README.md); not in bench
bench-peers: all
	@$(MAKE) --no-print-directory -C bench BUILD=../$(BUILD) peers

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Regenerate the README's options section from the option table.
readme: $(RACEDET)
	@sh tests/e2e/readme_options.sh $(BUILD) --update

# ---- install ------------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the command, the compiler
# wrapper, the shim (racedet finds it as ../lib/libracedet.so next to
# itself), the annotation header, a pkg-config file and the man page.
BINDIR     = $(PREFIX)/bin
LIBDIR     = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
MAN1DIR    = $(PREFIX)/share/man/man1
PCDIR      = $(LIBDIR)/pkgconfig
MANPAGE    := $(BUILD)/man/racedet.1
INSTALLED  = $(BINDIR)/racedet $(BINDIR)/racedet-cc $(BINDIR)/racedet-c++ $(LIBDIR)/libracedet.so \
             $(LIBDIR)/libracedet_tsan.a \
             $(INCLUDEDIR)/racedet.h $(PCDIR)/racedet.pc $(MAN1DIR)/racedet.1

# The man page: docs/racedet.1 with the option table (options.def, through
# `racedet help options`) put in place of its OPTIONS-TABLE line.
$(MANPAGE): docs/racedet.1 $(RACEDET)
	@mkdir -p $(dir $@)
	$(RACEDET) help options | awk -v src=docs/racedet.1 -v version=$(VERSION) ' \
	    { opt[++n] = $$0 } \
	    END { \
	        while ((getline line < src) > 0) { \
	            if (line ~ /^\.\\" OPTIONS-TABLE/) { \
	                for (i = 1; i <= n; i++) { \
	                    l = opt[i]; sub(/^ +/, "", l); \
	                    flag = l; sub(/ .*/, "", flag); \
	                    text = l; sub(/^[^ ]+ +/, "", text); \
	                    gsub(/\\/, "\\\\", text); gsub(/-/, "\\-", flag); \
	                    print ".TP"; print ".B " flag; \
	                    if (text ~ /^[.\x27]/) text = "\\&" text; \
	                    print text; \
	                } \
	            } else { gsub(/@VERSION@/, version, line); print line } \
	        } \
	    }' > $@.tmp && mv $@.tmp $@
.PHONY: man
man: $(MANPAGE)

install: all $(MANPAGE)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(PCDIR)
	install -m 755 $(RACEDET) $(RACEDET_CC) $(RACEDET_CXX) $(DESTDIR)$(BINDIR)/
	install -m 755 $(SHIM) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(TSANRT) $(DESTDIR)$(LIBDIR)/
	install -m 644 include/racedet.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' racedet.pc.in \
	    > $(DESTDIR)$(PCDIR)/racedet.pc
	chmod 644 $(DESTDIR)$(PCDIR)/racedet.pc
	install -m 644 $(MANPAGE) $(DESTDIR)$(MAN1DIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# ---- fuzzing (not part of check; its regression corpus is) --------------------
# make fuzz [FUZZ_SECONDS=60]: libFuzzer on the report readers and renderers
# (tests/fuzz/). New inputs go to build-fuzz/corpus, crashes to
# build-fuzz/crashes/; copy a crash into tests/fuzz/regressions/ once fixed.
FUZZ_SECONDS ?= 60
FUZZ_BIN := build-fuzz/fuzz_report
$(FUZZ_BIN): tests/fuzz/fuzz_report.c tests/fuzz/fuzz_one.h $(REPORT_SRC) $(COMMON_SRC) $(wildcard src/report/*.h)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -DRACEDET_VERSION='"$(VERSION)"' -Iinclude -Isrc/common \
	    -Isrc/report -I/usr/include/x86_64-linux-gnu $(WARN) -o $@ \
	    tests/fuzz/fuzz_report.c $(REPORT_SRC) $(COMMON_SRC) $(REPORT_LIBS)
fuzz: deps $(FUZZ_BIN)
	@mkdir -p build-fuzz/corpus build-fuzz/crashes
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -dict=tests/fuzz/report.dict -artifact_prefix=build-fuzz/crashes/ \
	    build-fuzz/corpus tests/fuzz/seeds tests/fuzz/regressions tests/e2e/data

$(BUILD)/tests/unit/test_fuzz_regressions: tests/fuzz/fuzz_one.h
