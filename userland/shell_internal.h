/* shell_internal.h — what the shell's modules share: a growable text buffer,
 * one column-layout helper that ss, netstat, lsof and ps all print through,
 * the socket views the tools agree on (address family, names, order), and
 * each tool's entry point. Not part of the public API (that is shell.h). */
#ifndef PS_SHELL_INTERNAL_H
#define PS_SHELL_INTERNAL_H

#include <stdarg.h>

#include "engine_ops.h"
#include "sbuf.h"
#include "units.h"

/* ---- column layout (shell_text.c) ---- */

/* One column: how its cells align and what goes before it on a line. The
 * width is the longest cell, header included, never less than min_width.
 * The first column's `sep` is not printed. */
typedef struct ps_col {
    const char *sep;  /* printed before the cell: " " or "" (ss glues some) */
    bool right;       /* right-aligned (padded on the left) */
    int min_width;
} ps_col;

/* Rows of cells, the header being row 0. Cells are added left to right;
 * ps_grid_render() writes every row with trailing blanks trimmed (the real
 * tools pad their last column; the reference outputs, like a terminal, show
 * no trailing blanks). */
typedef struct ps_grid {
    const ps_col *cols;
    int ncols;
    ps_sbuf pool;     /* cell texts, each NUL-terminated */
    size_t *off;      /* offset of each cell in pool */
    uint32_t ncells, cap;
    bool failed;
} ps_grid;

void ps_grid_init(ps_grid *t, const ps_col *cols, int ncols);
void ps_grid_free(ps_grid *t);
void ps_grid_cell(ps_grid *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t ps_grid_rows(const ps_grid *t);
/* Appends the table to out, one line per row. */
void ps_grid_render(ps_grid *t, ps_sbuf *out);

/* ---- socket views (shell_sock.c) ---- */

/* A socket as the tools see it: IPv4, or IPv6 for an AF_INET6 socket. */
typedef struct ps_view {
    uint32_t index;   /* engine socket index */
    const ps_socket *sk;
    const ps_proc *proc; /* owner, NULL when orphaned (closing, TIME-WAIT) */
    bool v6;
} ps_view;

/* Address a of socket sk as ss writes it: 0.0.0.0, * (dual-stack ::),
 * [::] (v6only), [2001:db8::1], [::ffff:192.0.2.10]. */
char *ps_ss_addr(const ps_engine *e, const ps_socket *sk, ps_addr a, char buf[PS_IN6_STRLEN + 2]);

/* The live sockets of one protocol on host in the order ss and netstat
 * print them: IPv4 before IPv6 (both tools read the IPv4 table first),
 * listeners before the others within a family (the kernel walks its
 * listening table first), then by local port, local address, peer address,
 * peer port. UDP sockets come in the same order: the kernel walks its UDP
 * table by a salted hash of the port, which portsim cannot reproduce
 * (docs/reference/udp.md). Returns a malloc'd array (free it) and sets *n;
 * NULL with *n = 0 when there is none or memory ran out (*nomem tells
 * which). */
ps_view *ps_views_of(const ps_engine *e, uint32_t host, ps_proto proto, size_t *n, bool *nomem);

/* Port as a tool prints it: the /etc/services name unless numeric, "*" for 0. */
const char *ps_port_name(uint16_t port, bool numeric, char buf[8]);
/* The /etc/services name of a port, or NULL. */
const char *ps_service_name(uint16_t port);
/* The port of an /etc/services name ("http" -> 80), or 0. */
uint16_t ps_service_port(const char *name);
/* Node.js's own name for a failed listen's errno ("address already in use"). */
const char *ps_node_errmsg(ps_errno err);

/* How the shell that runs a command sees the machine. */
typedef struct ps_sh {
    ps_engine *e;
    uint32_t host;
    const char *user; /* who typed the command ("root" under sudo) */
    ps_sbuf *out;
} ps_sh;

/* ---- the tools (one file each) ---- */

void ps_tool_ss(ps_sh *sh, int argc, char **argv);      /* shell_ss.c */
void ps_tool_netstat(ps_sh *sh, int argc, char **argv); /* shell_netstat.c */
void ps_tool_lsof(ps_sh *sh, int argc, char **argv);    /* shell_lsof.c */
void ps_tool_conntrack(ps_sh *sh, int argc, char **argv); /* shell_nat.c */
void ps_tool_nft(ps_sh *sh, int argc, char **argv);       /* shell_nat.c */

#endif
