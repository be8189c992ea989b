/* main.c — the portsim command: dispatches to the headless subcommands
 * (run, check, render) or opens the lecture window (gui.h), falling back to
 * a headless trace when there is no display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "gui.h"
#include "keys.h"
#include "platform.h"
#include "quiz_cmd.h"
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
          "  portsim [--no-questions] [FILE]\n"
          "                                 open the lecture window (default: the two-tabs lesson);\n"
          "                                 it stops at each question (`ask` line) unless told not to\n"
          "  portsim run FILE [options]     run headless and print the trace\n"
          "      --format text|jsonl|none   trace format (default text)\n"
          "      --seed N                   override the scenario's seed\n"
          "      --until T                  stop at simulated time T (e.g. 300ms, 1.5s)\n"
          "      --max-steps N              stop after N queue steps (default 50000000;\n"
          "                                 --max-events is a deprecated alias)\n"
          "      --max-work N               stop when shell commands have scanned and printed\n"
          "                                 N units (default 200000000)\n"
          "      --pcap OUT.pcap            also write every segment as a packet (for Wireshark)\n"
          "  portsim check [--update] [--max-steps N] FILE...\n"
          "                                 check every `expect` and the golden FILE.trace;\n"
          "                                 --update rewrites the golden traces\n"
          "  portsim check --against TASK.scn STUDENT.scn...\n"
          "                                 check TASK's `expect` lines on each student's scenario\n"
          "      --junit OUT.xml            (check and quiz) also write JUnit XML for CI\n"
          "      --tap                      (check, quiz --answers) TAP version 13 on stdout,\n"
          "                                 the usual report on stderr\n"
          "  portsim quiz FILE [--answers ANSWERS] [--junit OUT.xml] [--tap]\n"
          "                                 ask FILE's questions (`ask` lines) on the terminal,\n"
          "                                 or grade ANSWERS (one `ID ANSWER` per line)\n"
          "  portsim render [FILE] --at T -o OUT.png [--size WxH] [--zoom Z] [--frames N]\n"
          "                                 draw the window at time T without a display\n"
          "                                 (default size 1280x720); --frames N draws N frames\n"
          "                                 playing from T and prints frames per second\n"
          "  portsim verify FILE | --self-test\n"
          "                                 replay FILE's socket operations on the real kernel,\n"
          "                                 hosts as network namespaces (root; exit 3: cannot here)\n"
          "  portsim --help | --version\n"
          "\n"
          "Exit status: 0 ok, 1 a check failed or a run hit its limit, 2 usage or scenario\n"
          "error, 3 verify cannot run here, 4 an output could not be written.\n"
          "Scenario language: scenarios/README.md\n"
          "\n",
          out);
    pv_keys_print(out, false);
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
    bool questions = true;
    ps_platform_init();
    if (argc >= 2) {
        const char *cmd = argv[1];
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
            usage(stdout);
            return PS_EXIT_OK;
        }
        if (strcmp(cmd, "--keys-markdown") == 0) { /* the README's key tables (tests/keys.sh) */
            pv_keys_print(stdout, true);
            return PS_EXIT_OK;
        }
        if (strcmp(cmd, "--version") == 0) {
            puts("portsim " PS_VERSION);
            return PS_EXIT_OK;
        }
        if (strcmp(cmd, "run") == 0) return ps_cmd_run(argc - 1, argv + 1);
        if (strcmp(cmd, "check") == 0) return ps_cmd_check(argc - 1, argv + 1);
        if (strcmp(cmd, "quiz") == 0) return ps_cmd_quiz(argc - 1, argv + 1);
        if (strcmp(cmd, "render") == 0) return pv_cmd_render(argc - 1, argv + 1);
        if (strcmp(cmd, "verify") == 0) return ps_cmd_verify(argc - 1, argv + 1);
        if (strcmp(cmd, "--no-questions") == 0) { /* the window's questions start off */
            questions = false;
            argc--, argv++;
        } else if (cmd[0] == '-') {
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
    int rc = pv_gui_run(file, questions);
    return rc == PV_GUI_NO_WINDOW ? headless_default(file) : rc;
}
