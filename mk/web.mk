# mk/web.mk — portsim in a browser (issue 17; web/README.md).
#   make web        build-web/: a static folder any web server can serve
#                   (index.html, the page's JS and .wasm, the DejaVu fonts,
#                   the shipped lessons), plus build-web/portsim-cli.js, the
#                   same engine under node (`node build-web/portsim-cli.js run FILE`)
#   make check-web  the web build's traces equal the native ones
#                   (tests/web/web_trace.sh), then the page in headless
#                   Chromium (tests/web/browser.mjs)
# Installs emscripten (and chromium, python3, npm for check-web) when missing. Only the
# SDL-free layers are compiled: sim, io (not platform.c: no madvise in a
# browser), lang, userland, trace (libpcap's dump calls come from
# web/pcap_dump.c), the view model render/, and web/.

.PHONY: web check-web web-deps check-web-deps

WEB          := build-web
WEB_OBJ      := build-wasm
# Debian's emscripten runs its JS tools with node, and their modules (acorn)
# are in Debian's node folder, which a node from elsewhere does not search.
EMCC         := NODE_PATH=/usr/share/nodejs emcc
WEB_LAYERS   := sim io lang userland trace render
WEB_SRC      := $(filter-out io/platform.c,$(foreach l,$(WEB_LAYERS),$(call src_of,$(l))))
WEB_OBJS     := $(patsubst %.c,$(WEB_OBJ)/%.o,$(WEB_SRC)) $(WEB_OBJ)/gen/builtin.o
WEB_CFLAGS   := -O2 $(WARN) $(CHECKS) $(if $(WERROR),-Werror) -ffile-prefix-map=$(CURDIR)/=
EXTRA_WEB_trace := -Iweb/pcap
# The web glue sees every layer it is built on, and the command line (cli.h).
WEB_GLUE_INC := $(foreach l,$(WEB_LAYERS) cli,-I$(DIR_$(l))) -Iweb/pcap
WEB_LESSONS  := $(sort $(wildcard scenarios/*.scn))
WEB_FONTS    := $(sort $(wildcard assets/DejaVu*.ttf))
WEB_STATIC   := web/index.html web/app.js web/style.css web/sw.js
# Memory grows as a lesson needs it (busy-server); the engine bounds itself.
WEB_LDFLAGS  := -O2 -sALLOW_MEMORY_GROWTH=1 -sSTRICT=1

web-deps:
	$(call ps_apt_install,emscripten)

# The native build too (web_trace.sh compares with it). npm: node's own when
# it has one (Debian's npm package needs Debian's node).
check-web-deps:
	@sh tools/deps.sh
	$(call ps_apt_install,emscripten chromium python3)
	$(if $(shell command -v npm),,$(call ps_apt_install,npm))

define WEB_LAYER_RULES
$(patsubst %.c,$(WEB_OBJ)/%.o,$(filter $(DIR_$(1))/%,$(WEB_SRC))): $(WEB_OBJ)/$(DIR_$(1))/%.o: $(DIR_$(1))/%.c
	@mkdir -p $$(dir $$@)
	@echo "  EMCC    $$<"
	@$(EMCC) $(call std,$(1)) $(WEB_CFLAGS) $(call incs,$(1)) $(EXTRA_WEB_$(1)) -MMD -MP -c $$< -o $$@
endef
$(foreach l,$(WEB_LAYERS),$(eval $(call WEB_LAYER_RULES,$(l))))

# cli/cli.c is the native `portsim run` and `check`; web/*.c is the glue.
WEB_GLUE_OBJS := $(WEB_OBJ)/cli/cli.o $(patsubst %.c,$(WEB_OBJ)/%.o,$(wildcard web/*.c))
$(WEB_GLUE_OBJS): $(WEB_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  EMCC    $<"
	@$(EMCC) $(STD_DEFAULT) $(WEB_CFLAGS) $(WEB_GLUE_INC) -MMD -MP -c $< -o $@

# The built-in lesson: the C file the main Makefile generates, compiled by emcc.
$(WEB_OBJ)/gen/builtin.o: $(BUILD)/gen/builtin.c
	@mkdir -p $(dir $@)
	@$(EMCC) -std=c11 $(WEB_CFLAGS) -c $< -o $@

# node: the real file system and standard streams (so the trace's bytes are
# the program's bytes), instantiated synchronously (emscripten 3.1.6 would
# otherwise fetch() the .wasm, which node 20 cannot do for a file path).
$(WEB)/portsim-cli.js: $(WEB_OBJS) $(WEB_OBJ)/cli/cli.o $(WEB_OBJ)/web/cli_main.o $(WEB_OBJ)/web/pcap_dump.o \
                       $(WEB_OBJ)/web/umask.o
	@mkdir -p $(dir $@)
	@echo "  EMLD    $@"
	@$(EMCC) $(WEB_LDFLAGS) -sENVIRONMENT=node -sNODERAWFS=1 -sWASM_ASYNC_COMPILATION=0 -sEXIT_RUNTIME=1 \
	  -o $@ $^

# What the page calls: every function web/app.h declares.
WEB_EXPORTS = $(shell sed -nE 's/^[a-z].*[ *](web_[a-z_]*).*/_\1/p' web/app.h | paste -sd, -)

# The page: an ES module factory (createPortsim) for web/app.js, drawing
# through web/gfx.js; the pcap download writes to the in-memory file system.
$(WEB)/portsim.js: $(WEB_OBJS) $(WEB_OBJ)/web/app.o $(WEB_OBJ)/web/gfx_canvas.o $(WEB_OBJ)/web/pcap_dump.o \
                   $(WEB_OBJ)/web/umask.o web/gfx.js web/app.h
	@mkdir -p $(dir $@)
	@echo "  EMLD    $@"
	@$(EMCC) $(WEB_LDFLAGS) -sENVIRONMENT=web -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createPortsim \
	  -sEXPORTED_FUNCTIONS=_malloc,_free,$(WEB_EXPORTS) \
	  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8,FS \
	  --js-library web/gfx.js -o $@ $(filter %.o,$^)

# The static folder: the page, its fonts, the lessons and their list.
$(WEB)/.static: $(WEB_STATIC) $(WEB_FONTS) $(WEB_LESSONS)
	@mkdir -p $(WEB)/fonts $(WEB)/lessons
	@cp $(WEB_STATIC) $(WEB)/
	@cp $(WEB_FONTS) assets/DejaVu-LICENSE.txt $(WEB)/fonts/
	@cp $(WEB_LESSONS) $(WEB)/lessons/
	@printf '%s\n' $(notdir $(WEB_LESSONS)) | sed 's/.*/"&"/' | paste -sd, | sed 's/.*/[&]/' > $(WEB)/lessons/index.json
	@touch $@

web: web-deps
	@$(MAKE) --no-print-directory $(WEB)/portsim.js $(WEB)/portsim-cli.js $(WEB)/.static
	@echo "build-web/ is ready: python3 -m http.server -b 127.0.0.1 -d $(WEB) 8000, then http://127.0.0.1:8000/"

# puppeteer-core drives Debian's chromium; npm's files stay in an ignored
# build folder. The major version is pinned: its API is the test's, and 24
# is the last that runs on Debian 12's node 18 (25 wants node 22).
WEB_TEST := build-webtest
PUPPETEER := puppeteer-core@24

$(WEB_TEST)/node_modules/puppeteer-core/package.json:
	@mkdir -p $(WEB_TEST)
	@echo "  NPM     $(PUPPETEER) into $(WEB_TEST)/"
	@npm install --prefix $(WEB_TEST) --no-audit --no-fund --loglevel=error $(PUPPETEER)

check-web: check-web-deps
	@$(MAKE) --no-print-directory web $(BUILD)/portsim $(WEB_TEST)/node_modules/puppeteer-core/package.json
	@echo "== web/*.c with $(CC) (-Wall -Wextra ... -Werror: the glue is plain C11 too)"
	@for f in web/*.c; do $(CC) $(STD_DEFAULT) $(WARN) -Werror -fsyntax-only $(WEB_GLUE_INC) $$f || exit 1; done
	@echo "== tests/web/web_trace.sh"
	@PORTSIM=$(BUILD)/portsim PORTSIM_WEB_CLI=$(WEB)/portsim-cli.js sh tests/web/web_trace.sh
	@echo "== tests/web/browser.mjs"
	@node tests/web/browser.mjs $(WEB_TEST)/node_modules $(WEB) $(BUILD)/portsim

# Header dependencies of the wasm objects.
-include $(shell find $(WEB_OBJ) -name '*.d' 2>/dev/null)
