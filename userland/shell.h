/* shell.h — commands typed on a simulated host (ss, lsof, netstat, kill,
 * ps, curl, nc, program launchers), answering in the real tools' formats
 * and acting on engine state only through the engine's public API.
 *
 * A command runs at the engine's current time: what it prints describes the
 * state at that instant, and what it does (kill, start a server, connect)
 * happens through engine operations whose events reach the engine's sink
 * before the command's own PS_EV_SHELL event. The command reference, output
 * formats and ordering rules are in docs/shell.md.
 *
 * The shell keeps no state of its own between commands: everything it knows
 * it reads from the engine, so a GUI terminal and a scenario's `shell` lines
 * can be mixed freely on one engine. */
#ifndef PS_SHELL_H
#define PS_SHELL_H

#include "engine_ops.h"

/* Runs one command line on host and returns what the terminal would show:
 * lines joined by "\n", no final newline, "" when the command prints
 * nothing. Emits no SHELL event (the caller shows the text itself, e.g. a
 * GUI terminal). The caller frees the result; NULL if memory ran out.
 * Every command pays its scan and its output from the run's work budget
 * (engine.h); when the budget cannot pay, it does nothing, prints nothing,
 * and the run has stopped (PS_RUN_WORK). */
char *ps_shell_exec(ps_engine *e, uint32_t host, const char *cmdline);

/* Runs one command line on host at the engine's current time and emits a
 * PS_EV_SHELL event whose text is "$ COMMAND\nOUTPUT" (just "$ COMMAND" when
 * the output is empty). This is what a scenario's `shell` line does. Returns
 * false, emitting nothing, if memory ran out. */
bool ps_shell_run(ps_engine *e, uint32_t host, const char *cmdline);

/* Makes this userland run e's `shell` actions (engine.h's command hook).
 * Every engine that runs a scenario with `shell` lines needs it. */
void ps_shell_attach(ps_engine *e);

/* Whether socket s shows as IPv6 (an AF_INET6 socket), as on a real box:
 * a Node.js server listens on `::` (ss prints `*:3000`) and its IPv4 peers
 * are mapped (`[::ffff:192.0.2.10]:52114`). */
bool ps_shell_socket_v6(const ps_engine *e, uint32_t s);
/* Socket s's local (or, with peer, remote) addr:port as `ss -n` prints it:
 * 0.0.0.0:80, *:3000 (dual-stack ::), [::]:3000 (v6only), [2001:db8::1]:443,
 * and a listener's peer 0.0.0.0:*, *:* or [::]:*. */
#define PS_SHELL_ENDPOINT_MAX 56
char *ps_shell_endpoint(const ps_engine *e, uint32_t s, bool peer, char buf[PS_SHELL_ENDPOINT_MAX]);

/* The user a host's shell runs as (for a prompt such as `alice@laptop`):
 * the user of the scenario's lowest-pid non-root process on that host, or
 * "root" if it has none. Processes the shell starts run as this user
 * (as root under `sudo`). */
const char *ps_shell_user(const ps_engine *e, uint32_t host);

/* The pid the next program started on host will get: one more than the
 * highest pid the host has ever had (dead processes included, so pids are
 * not reused), or 1000 on a host that never had a process. */
uint32_t ps_shell_next_pid(const ps_engine *e, uint32_t host);

#endif
