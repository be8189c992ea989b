# mk/coverage.mk — `make coverage`: builds with gcc's --coverage (-O0) in
# its own folder, runs what `make test` runs, then prints line coverage per
# layer folder and in total (gcovr), and fails when the kernel model (sim/)
# is below COV_MIN_SIM % or the whole project below COV_MIN_TOTAL %.
# Tests, benches and generated code are not counted. gcovr is installed
# on first use (ps_apt_install, mk/robust.mk). Use `make -j2 coverage`.

COV_MIN_SIM   ?= 95
COV_MIN_TOTAL ?= 85
# The folder is build-cov, as COVERAGE=1 picks; a BUILD given on the command
# line (a parallel worktree's) gets its own -cov sibling instead, so two
# coverage runs never share counters.
COV_BUILD := $(if $(filter command line,$(origin BUILD)),$(BUILD)-cov,build-cov)
COV_DIRS  := $(foreach l,$(LAYERS),$(DIR_$(l)))

.PHONY: coverage coverage-deps
coverage-deps:
	$(call ps_apt_install,gcovr)

# Counters of an earlier run would add up: start from zero every time.
coverage: coverage-deps
	@sh tools/deps.sh --test
	@find $(COV_BUILD) -name '*.gcda' -delete 2>/dev/null || true
	@$(MAKE) --no-print-directory COVERAGE=1 SANITIZE= BUILD=$(COV_BUILD) test
	@gcovr -r . --object-directory $(COV_BUILD) $(foreach d,$(COV_DIRS),--filter '$(d)/[^/]*\.c$$') \
	  --csv $(COV_BUILD)/coverage.csv
	@awk -F, -v dirs="$(COV_DIRS)" -v min_sim=$(COV_MIN_SIM) -v min_total=$(COV_MIN_TOTAL) ' \
	  NR > 1 { d = $$1; sub(/\/[^\/]*$$/, "", d); total[d] += $$2; hit[d] += $$3; T += $$2; H += $$3 } \
	  function pct(h, t) { return t ? 100 * h / t : 100 } \
	  END { \
	    n = split(dirs, ds, " "); \
	    printf "%-12s %7s %7s %7s\n", "folder", "lines", "run", "cover"; \
	    for (i = 1; i <= n; i++) \
	      printf "%-12s %7d %7d %6.1f%%\n", ds[i] "/", total[ds[i]], hit[ds[i]], pct(hit[ds[i]], total[ds[i]]); \
	    printf "%-12s %7d %7d %6.1f%%   (per file: %s)\n", "total", T, H, pct(H, T), FILENAME; \
	    bad = 0; \
	    if (pct(hit["sim"], total["sim"]) < min_sim) { \
	      printf "coverage: sim/ below %d%%\n", min_sim; bad = 1 } \
	    if (pct(H, T) < min_total) { printf "coverage: the project below %d%%\n", min_total; bad = 1 } \
	    exit bad }' $(COV_BUILD)/coverage.csv
