/* shell_ss.c — `ss` (iproute2's socket statistics) over a simulated host.
 *
 * Options: -t -u -l -a -n -p -4 -6 and their long forms, combinable
 * (`-tlnp`). Layout as iproute2 prints it when piped: every column as wide
 * as its widest cell (header included); "Local Address:" and "Peer Address:"
 * right-aligned and glued to their left-aligned Port columns; the Process
 * cell starts with a space and has no separator, which is why the header
 * reads `Peer Address:PortProcess` whenever the peer ports are <= 4 wide.
 * State filter as in ss.c: default = connections (not LISTEN, TIME-WAIT,
 * SYN-RECV), -l = listeners, -a = everything; the last of -l/-a wins.
 * UDP sockets (docs/reference/udp.md): an unconnected one is UNCONN and
 * counts as listening, a connected one is ESTAB; their rows come before
 * TCP's; `ss -u` alone shows only ESTAB rows and, having one state, no State
 * column. */
#include "shell_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct ss_opts {
    bool tcp, udp, numeric, procs, v4only, v6only;
    enum { SS_CONN, SS_LISTEN, SS_ALL } states;
} ss_opts;

/* The listen backlog each program asks for, shown as a listener's Send-Q. */
static unsigned backlog(const ps_proc *p)
{
    if (!p) return 4096;
    if (!strcmp(p->name, "node") || !strcmp(p->name, "nginx")) return 511;
    if (!strcmp(p->name, "python3")) return 5;
    if (!strcmp(p->name, "nc")) return 1;
    return 4096; /* SOMAXCONN since Linux 5.4 */
}

static bool wanted(const ss_opts *o, const ps_view *v)
{
    if (o->v4only && v->v6) return false;
    if (o->v6only && !v->v6) return false;
    ps_tcp_state st = (ps_tcp_state)v->sk->state;
    bool udp = v->sk->proto == PS_PROTO_UDP;
    bool listening = udp ? st == PS_CLOSED : st == PS_LISTEN;
    switch (o->states) {
    case SS_LISTEN: return listening;
    case SS_ALL: return true;
    case SS_CONN: return !listening && st != PS_TIME_WAIT && st != PS_SYN_RECV;
    }
    return true;
}

/* Address cell ("127.0.0.1:", "*:", "[::ffff:127.0.0.1]:") and port cell. */
static void addr_cells(ps_grid *t, const ss_opts *o, const ps_engine *e, const ps_socket *sk, ps_addr a,
                       uint16_t port)
{
    char ab[PS_IN6_STRLEN + 2], pb[8];
    ps_grid_cell(t, "%s:", ps_ss_addr(e, sk, a, ab));
    ps_grid_cell(t, "%s", ps_port_name(port, o->numeric, pb));
}

static bool parse(ps_sh *sh, int argc, char **argv, ss_opts *o)
{
    memset(o, 0, sizeof *o);
    o->states = SS_CONN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            ps_sbuf_printf(sh->out, "portsim: ss filters such as '%s' are not simulated; "
                                    "use the options -t -u -l -a -n -p -4 -6", a);
            return false;
        }
        if (a[1] == '-') {
            const char *l = a + 2;
            if (!strcmp(l, "tcp")) o->tcp = true;
            else if (!strcmp(l, "udp")) o->udp = true;
            else if (!strcmp(l, "listening")) o->states = SS_LISTEN;
            else if (!strcmp(l, "all")) o->states = SS_ALL;
            else if (!strcmp(l, "numeric")) o->numeric = true;
            else if (!strcmp(l, "processes")) o->procs = true;
            else {
                ps_sbuf_printf(sh->out, "ss: unrecognized option '%s'", a);
                return false;
            }
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            switch (*c) {
            case 't': o->tcp = true; break;
            case 'u': o->udp = true; break;
            case 'l': o->states = SS_LISTEN; break;
            case 'a': o->states = SS_ALL; break;
            case 'n': o->numeric = true; break;
            case 'p': o->procs = true; break;
            case '4': o->v4only = true; break;
            case '6': o->v6only = true; break;
            default:
                ps_sbuf_printf(sh->out, "ss: invalid option -- '%c'", *c);
                return false;
            }
        }
    }
    return true;
}

/* The rows of one protocol's sockets. */
static void rows(ps_sh *sh, ps_grid *t, const ss_opts *o, ps_proto proto, bool netid, bool state_col)
{
    size_t n = 0;
    bool nomem = false;
    ps_view *v = ps_views_of(sh->e, sh->host, proto, &n, &nomem);
    if (nomem) sh->out->failed = true;
    bool udp = proto == PS_PROTO_UDP;
    for (size_t i = 0; i < n; i++) {
        if (!wanted(o, &v[i])) continue;
        const ps_socket *sk = v[i].sk;
        bool listen = sk->state == PS_LISTEN;
        if (netid) ps_grid_cell(t, udp ? "udp" : "tcp");
        if (state_col)
            ps_grid_cell(t, "%s", udp && sk->state == PS_CLOSED ? "UNCONN" : ps_state_ss((ps_tcp_state)sk->state));
        ps_grid_cell(t, "0");
        ps_grid_cell(t, "%u", listen ? backlog(v[i].proc) : 0u);
        addr_cells(t, o, sh->e, sk, sk->laddr, sk->lport);
        addr_cells(t, o, sh->e, sk, sk->raddr, sk->rport);
        if (o->procs && v[i].proc)
            ps_grid_cell(t, " users:((\"%s\",pid=%u,fd=%u))", v[i].proc->name, v[i].proc->pid,
                          sk->fd);
        else
            ps_grid_cell(t, "%s", "");
    }
    free(v);
}

void ps_tool_ss(ps_sh *sh, int argc, char **argv)
{
    ss_opts o;
    if (!parse(sh, argc, argv, &o)) return;
    /* Without -t or -u, ss lists every kind of socket and adds a Netid
     * column; simulated hosts have UDP and TCP sockets to show. */
    bool netid = o.tcp == o.udp;
    bool show_tcp = o.tcp || !o.udp, show_udp = o.udp || !o.tcp;
    bool state_col = !(o.udp && !o.tcp && o.states == SS_CONN);
    static const ps_col cols[] = {
        { "", false, 0 },  /* Netid */
        { " ", false, 0 }, /* State */
        { " ", false, 6 }, /* Recv-Q: printed "%-6d" */
        { " ", false, 6 }, /* Send-Q */
        { " ", true, 0 },  /* Local Address: */
        { "", false, 0 },  /* Port */
        { " ", true, 0 },  /* Peer Address: */
        { "", false, 0 },  /* Port */
        { "", false, 0 },  /* Process */
    };
    /* Without Netid and State, Recv-Q leads, with no separator before it. */
    static const ps_col no_state[] = {
        { "", false, 6 }, { " ", false, 6 }, { " ", true, 0 }, { "", false, 0 },
        { " ", true, 0 }, { "", false, 0 },  { "", false, 0 },
    };
    ps_grid t;
    if (netid) ps_grid_init(&t, cols, 9);
    else if (state_col) ps_grid_init(&t, cols + 1, 8);
    else ps_grid_init(&t, no_state, 7);
    if (netid) ps_grid_cell(&t, "Netid");
    if (state_col) ps_grid_cell(&t, "State");
    ps_grid_cell(&t, "Recv-Q");
    ps_grid_cell(&t, "Send-Q");
    ps_grid_cell(&t, "Local Address:");
    ps_grid_cell(&t, "Port");
    ps_grid_cell(&t, "Peer Address:");
    ps_grid_cell(&t, "Port");
    ps_grid_cell(&t, "Process");

    /* ss dumps UDP before TCP. */
    if (show_udp) rows(sh, &t, &o, PS_PROTO_UDP, netid, state_col);
    if (show_tcp) rows(sh, &t, &o, PS_PROTO_TCP, netid, state_col);
    ps_grid_render(&t, sh->out);
    ps_grid_free(&t);
}
