/* main.c — the portsim command: dispatches to the headless subcommands
 * (run, check, render) or opens the lecture window (gui.h), falling back to
 * a headless trace when there is no display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "gui.h"
#include "platform.h"
#include "render_cmd.h"
#include "verify.h"

#ifndef PS_VERSION
#define PS_VERSION "dev"
#endif

static void usage(FILE *out)
{
    fputs("portsim " PS_VERSION " — watch one machine keep many TCP conversations apart\n"
          "\n"
          "Usage:\n"
          "  portsim [FILE]                 open the lecture window (default: the two-tabs lesson)\n"
          "  portsim run FILE [options]     run headless and print the trace\n"
          "      --format text|jsonl|none   trace format (default text)\n"
          "      --seed N                   override the scenario's seed\n"
          "      --until T                  stop at simulated time T (e.g. 300ms, 1.5s)\n"
          "      --max-events N             stop after N events (default 50000000)\n"
          "      --pcap OUT.pcap            also write every segment as a packet (for Wireshark)\n"
          "  portsim check [--update] [--max-events N] FILE...\n"
          "                                 check every `expect` and the golden FILE.trace;\n"
          "                                 --update rewrites the golden traces\n"
          "  portsim render [FILE] --at T -o OUT.png [--size WxH] [--zoom Z] [--present] [--frames N]\n"
          "                                 draw the window at time T without a display\n"
          "                                 (default size 1280x720); --frames N draws N frames\n"
          "                                 playing from T and prints frames per second\n"
          "                                 [--boxes OUT.json]: also every text drawn, its box,\n"
          "                                 role and connection, as JSON\n"
          "  portsim verify FILE | --self-test\n"
          "                                 replay FILE's socket operations on the real kernel,\n"
          "                                 hosts as network namespaces (root; exit 3: cannot here)\n"
          "  portsim --help | --version\n"
          "\n"
          "Window keys: Space play/pause, Right/Left next/previous event, + / - speed,\n"
          "  R restart, F fullscreen, Ctrl+ / Ctrl- zoom, O open a scenario (or drop a\n"
          "  file on the window), S save a PNG screenshot, Tab next host's sockets,\n"
          "  click or drag the timeline to jump, ? or H help, Q quit.\n"
          "  T (or `) opens a terminal on the selected building: commands run at the\n"
          "  current time and the picture follows (Enter run, Up/Down history,\n"
          "  Alt+Left/Right step, Esc close). Ctrl+S saves what was typed as scenario\n"
          "  lines in NAME-session.scn next to the file; P writes the session's\n"
          "  packets, typed commands included, to NAME.pcap.\n"
          "\n"
          "Exit status: 0 ok, 1 a check failed, 2 usage or scenario error.\n"
          "Scenario language: scenarios/README.md\n",
          out);
}

/* A display to open a window on: X11 or Wayland. */
static bool has_display(void)
{
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

/* Without a window, the default job is the lesson as a trace. */
static int headless_default(const char *file)
{
    fprintf(stderr, "portsim: no display found, so running %s headless; the trace follows.\n",
            file ? file : "the two-tabs lesson");
    ps_run_opts o = ps_run_opts_default();
    return ps_cli_trace(file, &o);
}

int main(int argc, char **argv)
{
    ps_platform_init();
    if (argc >= 2) {
        const char *cmd = argv[1];
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
            usage(stdout);
            return PS_EXIT_OK;
        }
        if (strcmp(cmd, "--version") == 0) {
            puts("portsim " PS_VERSION);
            return PS_EXIT_OK;
        }
        if (strcmp(cmd, "run") == 0) return ps_cmd_run(argc - 1, argv + 1);
        if (strcmp(cmd, "check") == 0) return ps_cmd_check(argc - 1, argv + 1);
        if (strcmp(cmd, "render") == 0) return pv_cmd_render(argc - 1, argv + 1);
        if (strcmp(cmd, "verify") == 0) return ps_cmd_verify(argc - 1, argv + 1);
        if (cmd[0] == '-') {
            fprintf(stderr, "portsim: unknown option '%s'\nTry 'portsim --help'.\n", cmd);
            return PS_EXIT_USAGE;
        }
    }
    const char *file = argc >= 2 ? argv[1] : NULL;
    if (argc > 2) {
        fprintf(stderr, "portsim: one scenario file at a time ('%s' is extra)\nTry 'portsim --help'.\n", argv[2]);
        return PS_EXIT_USAGE;
    }
    if (!has_display()) return headless_default(file);
    int rc = pv_gui_run(file);
    return rc == PV_GUI_NO_WINDOW ? headless_default(file) : rc;
}
