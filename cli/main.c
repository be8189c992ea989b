/* main.c — the portsim command: dispatches to the headless subcommands
 * (run, check, quiz, render, verify) or opens the lecture window (gui.h), falling
 * back to a headless trace when there is no display. Owns the help texts:
 * `portsim --help` prints them all, `portsim COMMAND --help` one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "gui.h"
#include "keys.h"
#include "paths.h"
#include "platform.h"
#include "quiz_cmd.h"
#include "render_cmd.h"
#include "suggest.h"
#include "verify.h"

#ifndef PS_VERSION
#define PS_VERSION "dev"
#endif

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help; /* synopsis and options, as `portsim --help` lists them */
} command;

static const command k_commands[] = {
    { "run", ps_cmd_run,
      "  portsim run FILE [options]     run headless and print the trace\n"
      "      --format text|jsonl|none   trace format (default text)\n"
      "      --seed N                   override the scenario's seed\n"
      "      --until T                  stop at simulated time T (e.g. 300ms, 1.5s)\n"
      "      --max-steps N              stop after N queue steps (default 50000000;\n"
      "                                 --max-events is a deprecated alias)\n"
      "      --max-work N               stop when shell commands have scanned and printed\n"
      "                                 N units (default 200000000)\n"
      "      --pcap OUT.pcap            also write every segment as a packet (for Wireshark)\n" },
    { "check", ps_cmd_check,
      "  portsim check [--update] [--max-steps N] FILE...\n"
      "                                 check every `expect` and the golden FILE.trace\n"
      "                                 (none for standard input); --update rewrites them\n"
      "  portsim check --against TASK.scn STUDENT.scn...\n"
      "                                 check TASK's `expect` lines on each student's scenario\n"
      "      --junit OUT.xml            (check and quiz) also write JUnit XML for CI\n"
      "      --tap                      (check, quiz --answers) TAP version 13 on stdout,\n"
      "                                 the usual report on stderr\n" },
    { "quiz", ps_cmd_quiz,
      "  portsim quiz FILE [--answers ANSWERS] [--junit OUT.xml] [--tap]\n"
      "                                 ask FILE's questions (`ask` lines) on the terminal,\n"
      "                                 or grade ANSWERS (one `ID ANSWER` per line)\n" },
    { "render", pv_cmd_render,
      "  portsim render [FILE] --at T -o OUT.png [--size WxH] [--zoom Z] [--present]\n"
      "                 [--boxes OUT.json] [--frames N]\n"
      "                                 draw the window at time T without a display\n"
      "                                 (default size 1280x720; .png only); --present: as in\n"
      "                                 presentation mode (F5); --boxes: also every text drawn,\n"
      "                                 its box, role and connection, as JSON; --frames N draws\n"
      "                                 N frames playing from T and prints frames per second\n" },
    { "verify", ps_cmd_verify,
      "  portsim verify FILE | --self-test\n"
      "                                 replay FILE's socket operations on the real kernel,\n"
      "                                 hosts as network namespaces (root; exit 3: cannot here)\n" },
};
#define NCOMMANDS (sizeof k_commands / sizeof k_commands[0])

static const char k_exit_help[] =
    "Exit status: 0 ok, 1 a check failed or a run hit its limit, 2 usage or scenario\n"
    "error, 3 verify cannot run here, 4 an output could not be written.\n";

/* The environment variables, and the folders they would replace today. */
static void environment_help(FILE *out)
{
    static const char *const what[] = { "the fonts (DejaVuSans.ttf ...)", "the lessons the picker (O) lists" };
    fputs("Environment:\n", out);
    for (int k = PS_DATA_ASSETS; k <= PS_DATA_LESSONS; k++) {
        char dir[PS_PATH_MAX];
        bool found = ps_data_dir((ps_data_kind)k, dir, sizeof dir);
        fprintf(out, "  %-16s folder of %s; now %s%s\n", ps_data_env((ps_data_kind)k), what[k],
                found ? "" : "not found, tried ", dir);
    }
    fputs("  DISPLAY, WAYLAND_DISPLAY  where the window opens; unset: the trace, headless\n", out);
}

static void usage(FILE *out)
{
    fputs("portsim " PS_VERSION " — watch one machine keep many TCP conversations apart\n"
          "\n"
          "Usage:\n"
          "  portsim [--no-questions] [FILE]\n"
          "                                 open the lecture window (default: the two-tabs lesson);\n"
          "                                 it stops at each question (`ask` line) unless told not to\n"
          "  portsim --lessons              open the window with the lesson picker\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++) fputs(k_commands[i].help, out);
    fputs("  FILE may be - (standard input) wherever a scenario is read.\n"
          "  portsim COMMAND --help         one command's options\n"
          "  portsim --help | -V, --version\n"
          "\n",
          out);
    fputs(k_exit_help, out);
    environment_help(out);
    fputs("Scenario language: man 5 portsim-scenario, or scenarios/README.md\n\n", out);
    pv_keys_print(out, false);
}

static void command_usage(const command *c)
{
    printf("Usage:\n%s\n%s", c->help, k_exit_help);
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
            file ? ps_scenario_name(file) : "the two-tabs lesson");
    ps_run_opts o = ps_run_opts_default();
    return ps_cli_trace(file, &o);
}

/* The lecture window, or the trace when no window can open. */
static int window(const char *file, const pv_gui_opts *o)
{
    if (!has_display()) return headless_default(file);
    int rc = pv_gui_run(file, o);
    return rc == PV_GUI_NO_WINDOW ? headless_default(file) : rc;
}

static bool asks_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    return false;
}

/* argv[1] is neither a command nor an option: a file to open, or a typo. */
static int not_a_command(const char *word)
{
    const char *names[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++) names[i] = k_commands[i].name;
    char hint[96];
    if (*ps_suggest_hint(word, strlen(word), names, NCOMMANDS, hint, sizeof hint))
        fprintf(stderr, "portsim: unknown command '%s'%s\n", word, hint);
    else
        fprintf(stderr, "portsim: '%s' is neither a command (run, check, quiz, render, verify) nor a file\n",
                word);
    fputs("Try 'portsim --help'.\n", stderr);
    return PS_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const char *const options[] = { "--help", "--version", "--lessons", "--keys-markdown",
                                           "--no-questions" };
    pv_gui_opts gui = { .picker = false, .questions = true };
    ps_platform_init();
    if (argc >= 2 && strcmp(argv[1], "--no-questions") == 0) { /* the window's questions start off */
        gui.questions = false;
        argc--, argv++;
    }
    if (argc >= 2) {
        const char *cmd = argv[1];
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
            usage(stdout);
            return ps_cli_stdout_done(PS_EXIT_OK, "the help");
        }
        if (strcmp(cmd, "--keys-markdown") == 0) { /* the README's key tables (tests/keys.sh) */
            pv_keys_print(stdout, true);
            return PS_EXIT_OK;
        }
        if (strcmp(cmd, "--lessons") == 0) { /* the desktop entry: the window, the picker open */
            if (argc > 2) {
                fprintf(stderr, "portsim: --lessons takes nothing after it\nTry 'portsim --help'.\n");
                return PS_EXIT_USAGE;
            }
            gui.picker = true;
            return window(NULL, &gui);
        }
        if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
            puts("portsim " PS_VERSION);
            return PS_EXIT_OK;
        }
        for (size_t i = 0; i < NCOMMANDS; i++) {
            if (strcmp(cmd, k_commands[i].name) != 0) continue;
            if (asks_help(argc - 1, argv + 1)) {
                command_usage(&k_commands[i]);
                return ps_cli_stdout_done(PS_EXIT_OK, "the help");
            }
            return k_commands[i].run(argc - 1, argv + 1);
        }
        if (cmd[0] == '-' && cmd[1]) {
            char hint[96];
            fprintf(stderr, "portsim: unknown option '%s'%s\nTry 'portsim --help'.\n", cmd,
                    ps_suggest_hint(cmd, strcspn(cmd, "="), options, sizeof options / sizeof options[0], hint,
                                    sizeof hint));
            return PS_EXIT_USAGE;
        }
        /* "-" is standard input; a word that names no file is a typo. */
        if (strcmp(cmd, "-") != 0 && access(cmd, F_OK) != 0) return not_a_command(cmd);
    }
    const char *file = argc >= 2 ? argv[1] : NULL;
    if (argc > 2) {
        fprintf(stderr, "portsim: one scenario file at a time ('%s' is extra)\nTry 'portsim --help'.\n", argv[2]);
        return PS_EXIT_USAGE;
    }
    return window(file, &gui);
}
