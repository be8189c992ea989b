/* shell.h — commands typed on a simulated host (ss, lsof, netstat, kill,
 * ps, curl, nc, program launchers), answering in the real tools' formats
 * and acting on engine state only through the engine's public API. */
#ifndef PS_SHELL_H
#define PS_SHELL_H

#include "engine.h"

/* Runs one command line on host at the engine's current time and emits a
 * PS_EV_SHELL event whose text is "$ COMMAND\nOUTPUT". */
void ps_shell_run(ps_engine *e, uint32_t host, const char *cmdline);

#endif
