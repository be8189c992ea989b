# mk/install.mk — `make install` / `make uninstall`, as a Debian program:
#   make install [PREFIX=/usr/local] [DESTDIR=]   the release binary (RELEASE=1:
#       no PS_ASSERT checks; built in its own folder, INSTALL_BUILD, with the
#       share folder compiled in, io/paths.h), fonts and lessons with their
#       golden traces, the man pages, the desktop entry, icons, AppStream
#       metainfo and bash completion
#   make uninstall [PREFIX=...] [DESTDIR=...]      removes exactly those files
#   make icons      re-renders data/icons/*.png from the SVG (rsvg-convert)
# tests/install.sh installs into a temporary tree and validates it all.

PREFIX  ?= /usr/local
DESTDIR ?=
APP_ID  := io.github.portsim.portsim
BINDIR   = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share
DATADIR  = $(SHAREDIR)/portsim
MANDIR   = $(SHAREDIR)/man
ICON_SIZES := 48 128 256
# A BUILD given on the command line (a worktree's) gets its own -install
# sibling, as coverage.mk does; objects never mix flags between folders.
INSTALL_BUILD := $(if $(filter command line,$(origin BUILD)),$(BUILD)-install,build-install)

# The install build compiles the share folder into io/paths.c; the stamp
# changes only when PS_DATADIR does, so a new PREFIX rebuilds that one file.
EXTRA_io = $(if $(PS_DATADIR),-DPS_DATADIR='"$(PS_DATADIR)"')
ifneq ($(PS_DATADIR),)
$(BUILD)/io/paths.o: $(BUILD)/gen/datadir.stamp
$(BUILD)/gen/datadir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PS_DATADIR)' | cmp -s - $@ || echo '$(PS_DATADIR)' > $@
endif
.PHONY: FORCE install uninstall install-build icons icons-deps

# What goes where: SOURCE:FOLDER:MODE, one entry per file, for both targets.
INSTALL_FILES = \
  $(INSTALL_BUILD)/portsim:$(BINDIR):755 \
  $(foreach f,$(wildcard assets/*.ttf) assets/DejaVu-LICENSE.txt,$(f):$(DATADIR)/assets:644) \
  $(foreach f,$(wildcard scenarios/*.scn scenarios/*.trace) scenarios/README.md,$(f):$(DATADIR)/scenarios:644) \
  man/portsim.1:$(MANDIR)/man1:644 \
  man/portsim-scenario.5:$(MANDIR)/man5:644 \
  data/$(APP_ID).desktop:$(SHAREDIR)/applications:644 \
  data/$(APP_ID).metainfo.xml:$(SHAREDIR)/metainfo:644 \
  data/portsim.bash-completion:$(SHAREDIR)/bash-completion/completions:644 \
  data/icons/portsim.svg:$(SHAREDIR)/icons/hicolor/scalable/apps:644 \
  $(foreach s,$(ICON_SIZES),data/icons/portsim-$(s).png:$(SHAREDIR)/icons/hicolor/$(s)x$(s)/apps:644)

# Shell: splits the entry $$e into src, dir, mode and the installed name
# (icons take the application's id, the completion the command's name).
install_entry = src=$${e%%:*}; rest=$${e\#*:}; dir=$${rest%%:*}; mode=$${rest\#*:}; \
  case $$src in data/icons/*) name=$(APP_ID).$${src\#\#*.} ;; *.bash-completion) name=portsim ;; \
  *) name=$${src\#\#*/} ;; esac

install-build:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory BUILD=$(INSTALL_BUILD) RELEASE=1 SANITIZE= COVERAGE= \
	  PS_DATADIR=$(DATADIR) $(INSTALL_BUILD)/portsim

install: install-build
	@set -e; for e in $(INSTALL_FILES); do \
	  $(install_entry); \
	  install -d "$(DESTDIR)$$dir"; \
	  install -m "$$mode" "$$src" "$(DESTDIR)$$dir/$$name"; \
	done
	@echo "portsim: installed into $(DESTDIR)$(PREFIX) (portsim, $(DATADIR), man pages, desktop entry, icons, metainfo, completion)"

# Only our files and our own folders go; shared folders (share/applications,
# the icon theme) stay, even when empty, as other packages own them too.
uninstall:
	@set -e; for e in $(INSTALL_FILES); do \
	  $(install_entry); \
	  rm -f "$(DESTDIR)$$dir/$$name"; \
	done
	@rmdir "$(DESTDIR)$(DATADIR)/assets" "$(DESTDIR)$(DATADIR)/scenarios" "$(DESTDIR)$(DATADIR)" 2>/dev/null || true
	@echo "portsim: uninstalled from $(DESTDIR)$(PREFIX)"

icons-deps:
	$(call ps_apt_install,librsvg2-bin)

icons: icons-deps
	@for s in $(ICON_SIZES); do \
	  rsvg-convert -w $$s -h $$s data/icons/portsim.svg -o data/icons/portsim-$$s.png && \
	  echo "  ICON    data/icons/portsim-$$s.png"; \
	done
