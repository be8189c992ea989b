# portsim — build, test and run.
#   make          build ./portsim
#   make run      install what is missing, build, open the two-tabs lesson
#   make check    install what is missing, build, run every test
#   make bench    optimised build, print benchmark figures
# Options: WERROR=1 (CI), SANITIZE=1 (ASan+UBSan, separate build dir), CC=clang.

CC      ?= cc
PKGS    := sdl2 SDL2_ttf SDL2_image libpcap
TEST_PKGS := cmocka
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS_ := -std=c11 -D_DEFAULT_SOURCE -g $(OPT) $(WARN) -Isim -Irender $(if $(WERROR),-Werror)
LDLIBS_ := -lm
BUILD   := build
ifeq ($(SANITIZE),1)
  CFLAGS_ += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS_ += -fsanitize=address,undefined
  BUILD   := build-san
endif
ifneq ($(filter clang%,$(notdir $(CC))),)
  BUILD := $(BUILD)-clang
endif

# pkg-config runs lazily (=), after `deps` may have installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS))

SIM_SRC    := $(sort $(wildcard sim/*.c))
RENDER_SRC := $(filter-out render/main.c,$(sort $(wildcard render/*.c)))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))
SIM_OBJ    := $(SIM_SRC:%.c=$(BUILD)/%.o)
RENDER_OBJ := $(RENDER_SRC:%.c=$(BUILD)/%.o)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
VERSION    := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

.PHONY: all deps run check test scenarios-check clean bench
all: portsim

deps:
	@sh tools/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_) $(PKG_CFLAGS) -DPS_VERSION='"$(VERSION)"' -MMD -MP -c $< -o $@

# The built-in lesson: scenarios/two-tabs.scn as a C string.
$(BUILD)/gen/builtin.c: scenarios/two-tabs.scn
	@mkdir -p $(dir $@)
	@{ echo 'const char ps_builtin_two_tabs[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	   echo ';'; } > $@

$(BUILD)/gen/builtin.o: $(BUILD)/gen/builtin.c
	$(CC) $(CFLAGS_) -c $< -o $@

# Everything but main(), so tests link the same code the program runs.
$(BUILD)/libportsim.a: $(SIM_OBJ) $(RENDER_OBJ) $(BUILD)/gen/builtin.o
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/portsim: $(BUILD)/render/main.o $(BUILD)/libportsim.a
	$(CC) $(LDFLAGS_) -o $@ $^ $(PKG_LIBS) $(LDLIBS_)

portsim: $(BUILD)/portsim
	@cp $< $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libportsim.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(CFLAGS_) $(PKG_CFLAGS) $(TEST_CFLAGS) -Itests -o $@ $< $(BUILD)/libportsim.a $(LDFLAGS_) $(PKG_LIBS) $(TEST_LIBS) $(LDLIBS_)

# Unit tests first (they name the module that broke), then the end-to-end
# scripts (tests/*.sh, given the binary in $$PORTSIM), then every lesson.
test: $(TEST_BIN) $(BUILD)/portsim
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; PORTSIM=$(BUILD)/portsim $$t; done
	@set -e; for t in $(sort $(wildcard tests/*.sh)); do echo "== $$t"; PORTSIM=$(BUILD)/portsim sh $$t; done
	@echo "== portsim check scenarios/*.scn"
	@$(BUILD)/portsim check scenarios/*.scn

check:
	@sh tools/deps.sh --test
	@$(MAKE) --no-print-directory test

run: deps
	@$(MAKE) --no-print-directory portsim
	./portsim

clean:
	rm -rf build build-* portsim

# Feature-specific targets (bench, fuzz, memcheck, verify...) live in mk/.
-include $(sort $(wildcard mk/*.mk))

-include $(shell find build* -name '*.d' 2>/dev/null)
