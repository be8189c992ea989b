# mk/screenshots.mk — the README's pictures of the lecture window.
#   make screenshots   draws docs/img/*.png with `portsim render` (1280x720);
#                      the pictures are never edited by hand, only redrawn.

.PHONY: screenshots
screenshots: $(BUILD)/portsim
	@mkdir -p docs/img
	$(BUILD)/portsim render scenarios/two-tabs.scn --at 165ms -o docs/img/two-tabs.png
	$(BUILD)/portsim render scenarios/port-conflict.scn --at 100ms -o docs/img/port-conflict.png
	$(BUILD)/portsim render scenarios/udp-vs-tcp.scn --at 136ms -o docs/img/udp-vs-tcp.png
