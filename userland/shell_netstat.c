/* shell_netstat.c — net-tools' `netstat` over a simulated host.
 *
 * Options: -t -u -l -a -n -p -4 -6 (combinable: -tlnp, -tnp, -tanp). Fixed
 * columns as net-tools prints them: Proto 5, Recv-Q and Send-Q 6 (right),
 * Local and Foreign Address 23, State 11. Rows: -l listeners, -a all,
 * default everything but listeners (TIME_WAIT included, unlike ss); -4 / -6
 * keep one family. IPv6 sockets (AF_INET6, Node.js's among them) are `tcp6`,
 * their wildcard is `:::` (numeric) or `[::]` (names), v4-mapped peers print
 * as IPv4 (docs/reference/ipv6.md).
 * Without -n, 127.0.0.1 is `localhost` and well-known ports get their
 * /etc/services names; no other address is resolved. UDP rows follow TCP's
 * (docs/reference/udp.md): `udp`, an unconnected socket counts as a server
 * and has an empty State, a connected one is ESTABLISHED. */
#include "shell_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ns_opts {
    bool tcp, udp, numeric, procs;
    bool only4, only6; /* -4, -6 */
    enum { NS_CONN, NS_LISTEN, NS_ALL } states;
} ns_opts;

static bool parse(ps_sh *sh, int argc, char **argv, ns_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1] || a[1] == '-') {
            ps_sbuf_printf(sh->out, "portsim: netstat knows only -t -u -l -a -n -p -4 -6, not '%s'", a);
            return false;
        }
        for (const char *c = a + 1; *c; c++) {
            switch (*c) {
            case 't': o->tcp = true; break;
            case 'u': o->udp = true; break;
            case 'l': o->states = NS_LISTEN; break;
            case 'a': o->states = NS_ALL; break;
            case 'n': o->numeric = true; break;
            case 'p': o->procs = true; break;
            case '4': o->only4 = true; break;
            case '6': o->only6 = true; break;
            default:
                ps_sbuf_printf(sh->out, "netstat: invalid option -- '%c'", *c);
                return false;
            }
        }
    }
    return true;
}

/* netstat writes an IPv4 peer of an AF_INET6 socket without ::ffff:, and
 * cuts an address so that address:port fits 23 columns (net-tools'
 * tcp_do_one without --wide). */
static void addr_cell(ps_grid *t, const ns_opts *o, const ps_scenario *sc, bool v6, ps_addr a,
                      uint16_t port)
{
    char ab[PS_IN6_STRLEN], pb[8];
    const char *ps = ps_port_name(port, o->numeric, pb);
    if (v6 && a == PS_ADDR_ANY) snprintf(ab, sizeof ab, "%s", o->numeric ? "::" : "[::]");
    else if (a == PS_ADDR_LOOPBACK && !o->numeric) snprintf(ab, sizeof ab, "localhost");
    else ps_sc_addr_str(sc, a, false, ab);
    size_t room = strlen(ps) < 22 ? 22 - strlen(ps) : 0;
    if (strlen(ab) > room) ab[room] = '\0';
    ps_grid_cell(t, "%s:%s", ab, ps);
}

/* The rows of one protocol's sockets. */
static void rows(ps_sh *sh, ps_grid *t, const ns_opts *o, ps_proto proto)
{
    size_t n = 0;
    bool nomem = false;
    bool udp = proto == PS_PROTO_UDP;
    ps_view *v = ps_views_of(sh->e, sh->host, proto, &n, &nomem);
    if (nomem) sh->out->failed = true;
    for (size_t i = 0; i < n; i++) {
        const ps_socket *sk = v[i].sk;
        bool listen = udp ? sk->state == PS_CLOSED : sk->state == PS_LISTEN;
        if (o->states == NS_LISTEN ? !listen : o->states == NS_CONN ? listen : false) continue;
        if ((o->only4 && !o->only6 && v[i].v6) || (o->only6 && !o->only4 && !v[i].v6)) continue;
        ps_grid_cell(t, "%s%s", udp ? "udp" : "tcp", v[i].v6 ? "6" : "");
        ps_grid_cell(t, "0");
        ps_grid_cell(t, "0");
        addr_cell(t, o, ps_engine_scenario(sh->e), v[i].v6, sk->laddr, sk->lport);
        addr_cell(t, o, ps_engine_scenario(sh->e), v[i].v6, sk->raddr, sk->rport);
        ps_grid_cell(t, "%s", udp && listen ? "" : ps_state_netstat((ps_tcp_state)sk->state));
        if (o->procs && v[i].proc) ps_grid_cell(t, "%u/%s", v[i].proc->pid, v[i].proc->name);
        else if (o->procs) ps_grid_cell(t, "-");
    }
    free(v);
}

void ps_tool_netstat(ps_sh *sh, int argc, char **argv)
{
    ns_opts o;
    if (!parse(sh, argc, argv, &o)) return;
    ps_sbuf_line(sh->out);
    ps_sbuf_printf(sh->out, "Active Internet connections (%s)",
                   o.states == NS_LISTEN ? "only servers"
                   : o.states == NS_ALL  ? "servers and established"
                                         : "w/o servers");
    static const ps_col cols[] = {
        { "", false, 5 },  { " ", true, 6 },   { " ", true, 6 },  { " ", false, 23 },
        { " ", false, 23 }, { " ", false, 11 }, { " ", false, 0 },
    };
    ps_grid t;
    ps_grid_init(&t, cols, o.procs ? 7 : 6);
    ps_grid_cell(&t, "Proto");
    ps_grid_cell(&t, "Recv-Q");
    ps_grid_cell(&t, "Send-Q");
    ps_grid_cell(&t, "Local Address");
    ps_grid_cell(&t, "Foreign Address");
    ps_grid_cell(&t, "State");
    if (o.procs) ps_grid_cell(&t, "PID/Program name");

    if (o.tcp || !o.udp) rows(sh, &t, &o, PS_PROTO_TCP);
    if (o.udp || !o.tcp) rows(sh, &t, &o, PS_PROTO_UDP);
    ps_grid_render(&t, sh->out);
    ps_grid_free(&t);
}
