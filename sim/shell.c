/* shell.c — the simulated shell on each host (see shell.h). */
#include "shell.h"

#include <stdio.h>
#include <string.h>

void ps_shell_run(ps_engine *e, uint32_t host, const char *cmdline)
{
    char out[512];
    size_t n = strcspn(cmdline, " \t");
    snprintf(out, sizeof out, "$ %s\nbash: %.*s: command not found", cmdline, (int)n, cmdline);
    ps_engine_note(e, PS_EV_SHELL, host, out);
}
