# bench.mk — `make bench`: performance figures, one line each (name, value,
# unit), from an optimised build in build-bench/ (-O3 -march=native, the
# flags of the ns-3 build measured in docs/reference/hold-model.md, so the
# figures compare). Not part of `make check`: timings belong in reports, not
# in pass/fail tests.

BENCH_SRC := $(sort $(wildcard bench/bench_*.c))

.PHONY: bench bench-run
bench:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-bench RELEASE=1 OPT="-O3 -march=native -DNDEBUG" bench-run

bench-run: $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%) $(BUILD)/portsim
	@for b in $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%); do $$b || exit 1; done
	@for s in two-tabs:150ms busy-server:2ms; do \
	  at=$${s#*:}; s=$${s%%:*}; \
	  SDL_VIDEODRIVER=dummy $(BUILD)/portsim render scenarios/$$s.scn --at $$at --frames 600 | \
	    awk -v n="render_fps_$$s" '{ for (i = 2; i < NF; i++) if ($$i == "frames" && $$(i+1) == "per") \
	      printf "%-40s %14.2f %s\n", n, $$(i-1), "frames/s" }'; \
	done

# The benches measure the kernel model and parse their scenarios: sim, io, lang.
$(BUILD)/bench/%: bench/%.c bench/bench_common.h $(call lib,lang) $(call lib,io) $(call lib,sim)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(STD_DEFAULT) $(COMMON) -Isim -Iio -Ilang -Ibench -o $@ $< $(call lib,lang) $(call lib,io) \
	  $(call lib,sim) $(LDFLAGS_) $(LDLIBS_)
