# mk/robust.mk — robustness targets (issue 7; docs/robustness.md).
#   make memcheck                 every shipped scenario through `portsim run` and
#                                 `portsim check` under valgrind: no errors, no leaks
#   make fuzz FUZZ_SECONDS=N      libFuzzer (+ASan+UBSan) on tests/fuzz/fuzz_scenario.c
#   make fuzz-replay              the corpus and regressions through the libFuzzer build
#   make fuzz-afl-build           the same harness built with AFL++ (afl-clang-fast)
#   make fuzz-afl FUZZ_SECONDS=N  and run for N seconds with afl-fuzz
#   make determinism              gcc/clang x -O0/-O2 give byte-identical traces
#   make reproducible             two checkout folders build a byte-identical binary
#   make robust-deps              installs clang + compiler-rt (valgrind, afl++: see below)
# `make check` needs none of this: it runs tests/trace/test_fuzz_replay.c (the corpus
# replayed through the harness), tests/trace/test_allocfail.c and tests/limits.sh.

.PHONY: memcheck fuzz fuzz-replay fuzz-afl-build fuzz-afl determinism robust-deps \
        memcheck-deps afl-deps

# ---- packages, installed only when one of these targets runs ----
# tools/deps.sh installs only what is missing, sudo when not root, and shows
# apt's progress.
define ps_apt_install
	@sh tools/deps.sh --packages $(1)
endef

# clang alone lacks the sanitizer and libFuzzer runtimes with --no-install-recommends.
robust-deps:
	$(call ps_apt_install,clang libclang-rt-dev)
memcheck-deps:
	$(call ps_apt_install,valgrind)
afl-deps:
	$(call ps_apt_install,afl++ clang libclang-rt-dev)

# ---- memcheck: valgrind over every shipped scenario ----
MEMCHECK_BUILD := build-memcheck
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
MEMCHECK_SCN := $(sort $(wildcard scenarios/*.scn))

memcheck: memcheck-deps
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory BUILD=$(MEMCHECK_BUILD) SANITIZE= OPT=-O1 $(MEMCHECK_BUILD)/portsim
	@set -e; p=$(MEMCHECK_BUILD)/portsim; \
	for f in $(MEMCHECK_SCN); do \
	  echo "== memcheck $$f"; \
	  $(VALGRIND) $$p run $$f >/dev/null; \
	  $(VALGRIND) $$p run --format jsonl $$f >/dev/null; \
	  $(VALGRIND) $$p check $$f >/dev/null; \
	done; \
	echo "== memcheck bad input and the step limit"; \
	if $(VALGRIND) $$p check tests/bad/unknown_host.scn >/dev/null 2>&1; then exit 1; fi; \
	$(VALGRIND) $$p run --max-steps 50 scenarios/busy-server.scn >/dev/null 2>&1 && exit 1; \
	test $$? = 1; \
	echo "memcheck: $(words $(MEMCHECK_SCN)) scenarios x (run text, run jsonl, check): no errors, no leaks"

# ---- fuzzing ----
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LAYERS  := sim io lang userland trace
FUZZ_SRC     := $(foreach l,$(FUZZ_LAYERS),$(call src_of,$(l))) tests/fuzz/fuzz_scenario.c
FUZZ_CFLAGS   = -std=c11 -D_DEFAULT_SOURCE -g -O1 -DPS_CHECKS $(foreach l,$(FUZZ_LAYERS),-I$(DIR_$(l))) \
                $(shell pkg-config --cflags libpcap)
FUZZ_LIBS     = $(shell pkg-config --libs libpcap) -lm
# libFuzzer options: one process, one core (no -jobs); a slow input (> 5 s)
# or > 1 GiB of memory is a bug too.
# Inputs up to 1 MiB: the grow mutator (tests/fuzz/grow_mutator.c) writes
# files of thousands of names and lines, the shapes that once made parsing
# quadratic.
FUZZ_OPTS    := -max_len=1048576 -timeout=5 -rss_limit_mb=1024 \
                -dict=tests/fuzz/scenario.dict -print_final_stats=1 \
                -artifact_prefix=$(FUZZ_BUILD)/crash-

$(FUZZ_BUILD)/fuzz_scenario: $(FUZZ_SRC) $(BUILD)/gen/builtin.c | robust-deps
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $(FUZZ_SRC) tests/fuzz/grow_mutator.c \
	  $(BUILD)/gen/builtin.c $(FUZZ_LIBS)

# New inputs go to $(FUZZ_BUILD)/corpus; the committed corpus is only read.
# A crash leaves $(FUZZ_BUILD)/crash-*: copy it to tests/fuzz/regressions/.
fuzz: $(FUZZ_BUILD)/fuzz_scenario
	@mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BUILD)/fuzz_scenario $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	  $(FUZZ_BUILD)/corpus tests/fuzz/corpus tests/fuzz/regressions

fuzz-replay: $(FUZZ_BUILD)/fuzz_scenario
	$(FUZZ_BUILD)/fuzz_scenario -runs=0 tests/fuzz/corpus tests/fuzz/regressions

# AFL++: afl-clang-fast links its own driver for LLVMFuzzerTestOneInput.
AFL_BUILD := build-afl
$(AFL_BUILD)/fuzz_scenario: $(FUZZ_SRC) $(BUILD)/gen/builtin.c | afl-deps
	@mkdir -p $(dir $@)
	@echo "  AFL     $@"
	@AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 afl-clang-fast $(FUZZ_CFLAGS) -fsanitize=fuzzer \
	  -o $@ $(FUZZ_SRC) $(BUILD)/gen/builtin.c $(FUZZ_LIBS)

fuzz-afl-build: $(AFL_BUILD)/fuzz_scenario

fuzz-afl: $(AFL_BUILD)/fuzz_scenario
	@mkdir -p $(AFL_BUILD)/out
	AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	  afl-fuzz -V $(FUZZ_SECONDS) -t 5000 -m none -x tests/fuzz/scenario.dict \
	  -i tests/fuzz/corpus -o $(AFL_BUILD)/out -- $(AFL_BUILD)/fuzz_scenario

# ---- allocation failure: the test binary wraps the allocator at link time ----
$(BUILD)/tests/test_allocfail: LDFLAGS_ += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=free
$(BUILD)/tests/test_scenario_oom: LDFLAGS_ += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

# ---- determinism: four compilers/optimisation levels, identical traces ----
DET_BUILD   := build-det
DET_CONFIGS := gcc:-O0 gcc:-O2 clang:-O0 clang:-O2
DET_SCN     := $(sort $(wildcard scenarios/*.scn))

determinism: robust-deps
	@sh tools/deps.sh
	@set -e; for c in $(DET_CONFIGS); do \
	  cc=$${c%%:*}; opt=$${c#*:}; dir=$(DET_BUILD)/$$cc$$opt; \
	  echo "== build $$dir (CC=$$cc OPT=$$opt)"; \
	  $(MAKE) --no-print-directory BUILD=$$dir CC=$$cc OPT=$$opt SANITIZE= $$dir/portsim; \
	done
	@set -e; n=0; ref=$(DET_BUILD)/gcc-O0; # the first configuration is the reference \
	for f in $(DET_SCN); do \
	  b=$$(basename $$f .scn); \
	  for c in $(DET_CONFIGS); do \
	    cc=$${c%%:*}; opt=$${c#*:}; dir=$(DET_BUILD)/$$cc$$opt; \
	    $$dir/portsim run --format jsonl $$f > $$dir/$$b.jsonl; \
	    $$dir/portsim run --format text $$f > $$dir/$$b.txt; \
	    for ext in jsonl txt; do \
	      cmp -s $$ref/$$b.$$ext $$dir/$$b.$$ext || { \
	        echo "determinism: $$f ($$ext) differs between gcc -O0 and $$cc $$opt:"; \
	        diff $$ref/$$b.$$ext $$dir/$$b.$$ext | head -5; exit 1; }; \
	    done; \
	  done; \
	  n=$$((n + 1)); \
	done; \
	echo "determinism: $$n scenarios, text and jsonl traces byte-identical across $(DET_CONFIGS)"

# ---- reproducible: two checkouts in different folders build the same bytes ----
# (-ffile-prefix-map in the Makefile maps each checkout's path to '.').
.PHONY: reproducible
reproducible:
	@sh tools/deps.sh
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	for d in a/first b/second-folder; do \
	  mkdir -p "$$t/$$d"; git archive HEAD | tar -x -C "$$t/$$d"; \
	  $(MAKE) --no-print-directory -C "$$t/$$d" build/portsim >/dev/null; \
	done; \
	if cmp -s "$$t/a/first/build/portsim" "$$t/b/second-folder/build/portsim"; then \
	  echo "reproducible: build/portsim is byte-identical when built in two different folders"; \
	else echo "reproducible: build/portsim differs between two folders"; exit 1; fi
