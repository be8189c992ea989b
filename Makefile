# portsim — build, test and run.
#   make          build ./portsim
#   make run      install what is missing, build, open the two-tabs lesson
#   make check    install what is missing, build, run every test
#   make bench    optimised build, print benchmark figures
# Options: WERROR=1 (CI), SANITIZE=1 (ASan+UBSan, separate build dir), CC=clang,
# RELEASE=1 (no PS_ASSERT invariant checks; bench and install use it).
#
# The layers (README, "Code map") are physical: each folder is a static
# library compiled with the include paths of itself and the layers it may use,
# and nothing else, so an include that crosses a layer upwards fails to build.
#   sim        the kernel model: pure C11, -pedantic, no feature macros
#   io         files (one reader, atomic writes) and exit statuses
#   lang       the scenario language (lexer, parser, suggestions, loading)
#   userland   the simulated tools (ss, lsof, netstat, kill, curl, ...)
#   trace      trace formatter, checker, pcap (the only libpcap user)
#   render     the view model (no SDL)
#   render/sdl the SDL backend (the only SDL user)
#   verify     the real-kernel referee (namespaces, helpers)
#   cli        main() and the subcommands

CC      ?= cc
SDL_PKGS  := sdl2 SDL2_ttf SDL2_image
PCAP_PKGS := libpcap
TEST_PKGS := cmocka
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BUILD   := build
# `make` alone builds portsim: the first rule in the file is a generated
# per-object rule, so the goal is named rather than left to rule order.
.DEFAULT_GOAL := all
CHECKS  := $(if $(RELEASE),,-DPS_CHECKS)
COMMON  := -g $(OPT) $(WARN) $(CHECKS) $(if $(WERROR),-Werror) -ffile-prefix-map=$(CURDIR)=.
LDLIBS_ := -lm
ifeq ($(SANITIZE),1)
  COMMON  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS_ += -fsanitize=address,undefined
  BUILD   := build-san
  # Leaks inside system libraries are not ours to fix (tests/lsan.supp).
  export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp
endif
ifneq ($(filter clang%,$(notdir $(CC))),)
  BUILD := $(BUILD)-clang
endif
ifeq ($(COVERAGE),1)
  COMMON  += --coverage -O0
  LDFLAGS_ += --coverage
  BUILD   := build-cov
endif

# pkg-config runs lazily (=), after `deps` may have installed it.
SDL_CFLAGS  = $(shell pkg-config --cflags $(SDL_PKGS))
SDL_LIBS    = $(shell pkg-config --libs $(SDL_PKGS))
PCAP_CFLAGS = $(shell pkg-config --cflags $(PCAP_PKGS))
PCAP_LIBS   = $(shell pkg-config --libs $(PCAP_PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS))
VERSION    := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# ---- the layers: name, folder, the layers below it that it may use ----
LAYERS       := sim io lang userland trace render sdl verify cli
DIR_sim      := sim
DIR_io       := io
DIR_lang     := lang
DIR_userland := userland
DIR_trace    := trace
DIR_render   := render
DIR_sdl      := render/sdl
DIR_verify   := verify
DIR_cli      := cli
USES_sim      :=
USES_io       := sim
USES_lang     := sim io
USES_userland := sim
USES_trace    := sim io lang userland
USES_render   := sim io lang userland trace
USES_sdl      := sim io lang userland trace render
USES_verify   := sim io lang userland trace
USES_cli      := sim io lang userland trace render sdl verify
# The kernel model is plain C11; the layers that talk to the system ask for
# POSIX (or Linux, for the referee's namespaces) explicitly.
STD_sim      := -std=c11 -pedantic
STD_verify   := -std=c11 # its files ask for _GNU_SOURCE (namespaces, capabilities)
STD_DEFAULT  := -std=c11 -D_DEFAULT_SOURCE
EXTRA_trace   = $(PCAP_CFLAGS)
EXTRA_sdl     = $(SDL_CFLAGS)
EXTRA_cli     = -DPS_VERSION='"$(VERSION)"'

std    = $(if $(STD_$(1)),$(STD_$(1)),$(STD_DEFAULT))
incs   = $(foreach l,$(USES_$(1)) $(1),-I$(DIR_$(l)))
lib    = $(BUILD)/lib/libps-$(1).a
# Libraries to link for a layer: itself, then what it uses, top first.
links  = $(foreach l,$(1) $(call reverse,$(USES_$(1))),$(call lib,$(l)))
reverse = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
SYSLIBS = $(SDL_LIBS) $(PCAP_LIBS) $(LDLIBS_)

src_of = $(sort $(wildcard $(DIR_$(1))/*.c))
obj_of = $(patsubst %.c,$(BUILD)/%.o,$(call src_of,$(1)))

define LAYER_RULES
$(call obj_of,$(1)): $(BUILD)/$(DIR_$(1))/%.o: $(DIR_$(1))/%.c
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$<"
	@$$(CC) $(call std,$(1)) $$(COMMON) $(call incs,$(1)) $$(EXTRA_$(1)) -MMD -MP -c $$< -o $$@
$(call lib,$(1)): $(call obj_of,$(1)) $(if $(filter lang,$(1)),$(BUILD)/gen/builtin.o)
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	@ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call LAYER_RULES,$(l))))

# The built-in lesson (lang/load.h): scenarios/two-tabs.scn as a C string.
$(BUILD)/gen/builtin.c: scenarios/two-tabs.scn
	@mkdir -p $(dir $@)
	@{ echo 'const char ps_builtin_two_tabs[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	   echo ';'; } > $@
$(BUILD)/gen/builtin.o: $(BUILD)/gen/builtin.c
	@$(CC) -std=c11 $(COMMON) -c $< -o $@

$(BUILD)/portsim: $(call links,cli)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_) -o $@ $(call obj_of,cli) $(filter-out $(call lib,cli),$^) $(SYSLIBS)

.PHONY: all deps run check test clean
all: portsim

deps:
	@sh tools/deps.sh

portsim: $(BUILD)/portsim
	@cp $< $@

# ---- tests: tests/LAYER/test_*.c sees LAYER and what LAYER uses ----
# (a userland test also parses its scenarios: it may use the language too)
TEST_DIRS := sim io lang userland trace render sdl
TEST_USES_userland := io lang
TEST_BIN  := $(foreach l,$(TEST_DIRS),$(patsubst tests/$(l)/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/$(l)/test_*.c))))
define TEST_RULES
$(patsubst tests/$(1)/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/$(1)/test_*.c))): $(BUILD)/tests/%: tests/$(1)/%.c $(call links,$(1)) $(foreach l,$(TEST_USES_$(1)),$(call lib,$(l)))
	@mkdir -p $$(dir $$@)
	@echo "  CCLD    $$@"
	@$$(CC) $(STD_DEFAULT) $$(COMMON) $(call incs,$(1)) $(foreach l,$(TEST_USES_$(1)),-I$(DIR_$(l))) \
	  -Itests -Itests/$(1) $$(EXTRA_$(1)) $$(TEST_CFLAGS) -MMD -MP \
	  -o $$@ $$< $(call links,$(1)) $(foreach l,$(call reverse,$(TEST_USES_$(1))),$(call lib,$(l))) \
	  $(call lib,sim) $$(LDFLAGS_) $$(SYSLIBS) $$(TEST_LIBS)
endef
$(foreach l,$(TEST_DIRS),$(eval $(call TEST_RULES,$(l))))

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

# Feature-specific targets (bench, fuzz, memcheck, layers, coverage...) live in mk/.
-include $(sort $(wildcard mk/*.mk))

# Dependency files of this build folder only (another folder's may be stale).
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
