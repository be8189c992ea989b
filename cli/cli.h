/* cli.h — the headless subcommands of portsim (run, check) and the helpers
 * the command line shares. None of this initialises SDL: course CI runs
 * these on machines without a display. Exit statuses are io/exit.h's. */
#ifndef PS_CLI_H
#define PS_CLI_H

#include "engine.h"
#include "exit.h"
#include "load.h"
#include "report.h"
#include "trace.h"


/* `portsim run FILE [options]`: prints the trace. Returns an exit code. */
int ps_cmd_run(int argc, char **argv);
/* `portsim check [--update | --against TASK] [--max-steps N] FILE...`: expectations and
 * golden traces. Both commands accept --max-events as a deprecated alias of
 * --max-steps. */
int ps_cmd_check(int argc, char **argv);

typedef struct ps_run_opts {
    ps_trace_format format;  /* text, jsonl or none */
    uint64_t seed;           /* used when seed_set; else the file's seed */
    bool seed_set;
    ps_time until;           /* stop time, PS_TIME_NEVER to run to the end */
    uint64_t max_steps;      /* --max-steps: stop after this many queue steps */
    uint64_t max_work;       /* --max-work: the work budget (engine.h) */
    const char *pcap;        /* --pcap: also write the segments to this file, or NULL */
} ps_run_opts;

/* Text trace, the file's seed, to the end, the default limits. */
ps_run_opts ps_run_opts_default(void);

/* Runs a scenario file (NULL: the built-in lesson) headless and prints its
 * trace to stdout (and, with o->pcap, writes the capture). Returns an exit
 * code. */
int ps_cli_trace(const char *file, const ps_run_opts *o);


/* The CI reports a command was asked for: TAP on stdout when `tap`, JUnit
 * XML written to `junit` (unless NULL) naming the run `name`. Returns rc,
 * or PS_EXIT_OUTPUT when the JUnit file could not be written. */
int ps_cli_reports(const ps_report *r, const char *junit, const char *name, bool tap, int rc);

/* Flushes standard output at the end of a command: rc, or PS_EXIT_OUTPUT
 * with "portsim: cannot write WHAT: REASON" when the output was lost. */
int ps_cli_stdout_done(int rc, const char *what);

#endif
