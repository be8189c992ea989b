/* exit.h — portsim's exit statuses, one table for every subcommand (the
 * README's exit-status table and `portsim --help` list the same). */
#ifndef PS_IO_EXIT_H
#define PS_IO_EXIT_H

enum {
    PS_EXIT_OK = 0,          /* all good */
    PS_EXIT_FAILED = 1,      /* a check failed, or a run hit its limit */
    PS_EXIT_USAGE = 2,       /* a usage or scenario error */
    PS_EXIT_UNAVAILABLE = 3, /* verify cannot run here (not root, no namespaces) */
    PS_EXIT_OUTPUT = 4,      /* an output could not be written */
};

#endif
