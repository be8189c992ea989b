/* cli.h — the headless subcommands of portsim (run, check) and the helpers
 * the command line shares. None of this initialises SDL: course CI runs
 * these on machines without a display. */
#ifndef PS_CLI_H
#define PS_CLI_H

#include "scenario.h"
#include "trace.h"

/* Exit codes (design.md, "Command line"). */
enum { PS_EXIT_OK = 0, PS_EXIT_FAILED = 1, PS_EXIT_USAGE = 2 };

/* `portsim run FILE [options]`: prints the trace. Returns an exit code. */
int ps_cmd_run(int argc, char **argv);
/* `portsim check [--update] FILE...`: expectations and golden traces. */
int ps_cmd_check(int argc, char **argv);

typedef struct ps_run_opts {
    ps_trace_format format;  /* text, jsonl or none */
    uint64_t seed;           /* used when seed_set; else the file's seed */
    bool seed_set;
    ps_time until;           /* stop time, PS_TIME_NEVER to run to the end */
    uint64_t max_events;     /* step limit */
    const char *pcap;        /* --pcap: also write the segments to this file, or NULL */
} ps_run_opts;

/* Runs a scenario file (NULL: the built-in lesson) headless and prints its
 * trace to stdout (and, with o->pcap, writes the capture). Returns an exit
 * code. */
int ps_cli_trace(const char *file, const ps_run_opts *o);

/* Loads a scenario from a path, or the built-in two-tabs lesson for NULL.
 * On error prints the diagnostic to stderr and returns NULL. */
ps_scenario *ps_cli_load(const char *path);

/* The built-in lesson (scenarios/two-tabs.scn, compiled in). */
extern const char ps_builtin_two_tabs[];

#endif
