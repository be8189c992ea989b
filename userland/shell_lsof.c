/* shell_lsof.c — `lsof -i` over a simulated host.
 *
 * Options: -i [SPEC] (SPEC = [4|6][TCP|UDP][@ADDR][:PORT[-PORT]], e.g.
 * `:3000`, `TCP:3000`, `-iTCP`), -n (numeric addresses), -P (numeric
 * ports), -t (pids only), -s TCP:STATE (e.g. `-sTCP:LISTEN`). Combinable
 * (`-nP`, `-nPi:3000`).
 *
 * Layout as lsof's print.c: COMMAND left-aligned (cut to 9 characters),
 * every other column right-aligned, each as wide as its widest cell, NAME
 * unpadded. FD is the descriptor, right-aligned in at least 4 columns, then
 * the mode letter `u` and an empty lock column (`  19u `). DEVICE is the
 * socket's inode, which portsim numbers 20000 + the engine's socket slot
 * (deterministic; real inodes are just as arbitrary). SIZE/OFF is `0t0`.
 * Rows are ordered by pid, then fd, like lsof. Without -n, 127.0.0.1 prints
 * as `localhost` and any other address numerically (portsim has no DNS);
 * without -P, well-known ports print as their /etc/services names.
 * Only sockets a process holds are listed (an orphan in TIME-WAIT has no fd). */
#include "shell_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct lsof_opts {
    bool inet, numeric_host, numeric_port, terse;
    bool want4, want6, udp_only, tcp_only;
    bool has_addr;
    ps_addr addr;
    uint32_t port_lo, port_hi; /* 0, 0 = any */
    bool has_state;
    ps_tcp_state state;
} lsof_opts;

static bool bad(ps_sh *sh, const char *what, const char *arg)
{
    ps_sbuf_printf(sh->out, "lsof: %s: %s", what, arg);
    return false;
}

static bool parse_port(const char *s, uint32_t *out)
{
    char *end;
    if (!isdigit((unsigned char)*s)) return false;
    unsigned long v = strtoul(s, &end, 10);
    if (v == 0 || v > 65535) return false;
    *out = (uint32_t)v;
    return *end == '\0' || *end == '-';
}

/* [4|6][protocol][@hostname|hostaddr][:service|port] */
static bool parse_inet(ps_sh *sh, const char *spec, lsof_opts *o)
{
    const char *s = spec;
    if (*s == '4') o->want4 = true, s++;
    else if (*s == '6') o->want6 = true, s++;
    if (!strncasecmp(s, "tcp", 3)) s += 3, o->tcp_only = true;
    else if (!strncasecmp(s, "udp", 3)) s += 3, o->udp_only = true;
    if (*s == '@') {
        s++;
        size_t n = strcspn(s, ":");
        if (n == 9 && !strncmp(s, "localhost", 9)) o->addr = PS_ADDR_LOOPBACK;
        else if (!ps_addr_parse(s, n, &o->addr)) return bad(sh, "unknown host name", spec);
        o->has_addr = true;
        s += n;
    }
    if (*s == ':') {
        s++;
        const char *dash = strchr(s, '-');
        if (!parse_port(s, &o->port_lo)) {
            /* A service name, as lsof accepts (`-i :http`). */
            o->port_lo = ps_service_port(s);
            if (!o->port_lo) return bad(sh, "unknown service", spec);
            dash = NULL;
        }
        o->port_hi = o->port_lo;
        if (dash && (!parse_port(dash + 1, &o->port_hi) || o->port_hi < o->port_lo))
            return bad(sh, "invalid port range", spec);
        s = "";
    }
    if (*s) return bad(sh, "unacceptable Internet address", spec);
    return true;
}

static bool parse_state(ps_sh *sh, const char *spec, lsof_opts *o)
{
    const char *s = spec;
    if (!strncasecmp(s, "tcp:", 4)) s += 4;
    else return bad(sh, "no protocol in state specification", spec);
    for (int st = 0; st < PS_STATE_COUNT; st++)
        if (!strcasecmp(s, ps_state_netstat((ps_tcp_state)st))) {
            o->has_state = true;
            o->state = (ps_tcp_state)st;
            return true;
        }
    return bad(sh, "unknown TCP state name", s);
}

static bool parse(ps_sh *sh, int argc, char **argv, lsof_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            ps_sbuf_printf(sh->out, "portsim: lsof lists sockets only (-i); files such as '%s' "
                                    "are not simulated", a);
            return false;
        }
        for (const char *c = a + 1; *c; c++) {
            if (*c == 'n') o->numeric_host = true;
            else if (*c == 'P') o->numeric_port = true;
            else if (*c == 't') o->terse = true;
            else if (*c == 'i' || *c == 's') {
                /* The value is the rest of this word, or the next word when
                 * that does not start with '-' (optional for -i). */
                const char *val = c[1] ? c + 1 : NULL;
                if (!val && i + 1 < argc && argv[i + 1][0] != '-') val = argv[++i];
                if (*c == 'i') {
                    o->inet = true;
                    if (val && !parse_inet(sh, val, o)) return false;
                } else if (!val || !parse_state(sh, val, o)) {
                    if (!val) ps_sbuf_puts(sh->out, "lsof: -s needs a state, e.g. -sTCP:LISTEN");
                    return false;
                }
                break;
            } else {
                ps_sbuf_printf(sh->out, "lsof: unknown option: -%c", *c);
                return false;
            }
        }
    }
    if (!o->inet) {
        ps_sbuf_puts(sh->out, "portsim: only network files are simulated: use lsof -i");
        return false;
    }
    return true;
}

static bool in_range(const lsof_opts *o, uint16_t port)
{
    return port >= o->port_lo && port <= o->port_hi;
}

static bool wanted(const lsof_opts *o, const ps_view *v)
{
    const ps_socket *sk = v->sk;
    bool udp = sk->proto == PS_PROTO_UDP;
    if (!v->proc || (udp ? o->tcp_only : o->udp_only)) return false;
    if ((o->want4 && v->v6) || (o->want6 && !v->v6)) return false;
    if (o->port_lo && !in_range(o, sk->lport) && !(sk->raddr && in_range(o, sk->rport)))
        return false;
    if (o->has_addr && sk->laddr != o->addr && sk->raddr != o->addr) return false;
    if (o->has_state && (udp || sk->state != o->state)) return false; /* -s names TCP states */
    return true;
}

static int by_pid_fd(const void *pa, const void *pb)
{
    const ps_view *a = pa, *b = pb;
    if (a->proc->pid != b->proc->pid) return a->proc->pid < b->proc->pid ? -1 : 1;
    return a->sk->fd < b->sk->fd ? -1 : a->sk->fd > b->sk->fd;
}

/* lsof writes an IPv6 address in brackets and an IPv4 peer of an AF_INET6
 * socket as plain IPv4 (192.0.2.80:3001, not ::ffff:). */
static void endpoint(ps_sbuf *b, const lsof_opts *o, const ps_scenario *sc, ps_addr a, uint16_t port)
{
    char ab[PS_IN6_STRLEN], pb[8];
    if (a == PS_ADDR_ANY) ps_sbuf_puts(b, "*");
    else if (a == PS_ADDR_LOOPBACK && !o->numeric_host) ps_sbuf_puts(b, "localhost");
    else if (ps_addr_is_v6(a)) ps_sbuf_printf(b, "[%s]", ps_sc_addr_str(sc, a, true, ab));
    else ps_sbuf_puts(b, ps_addr_str(a, ab));
    ps_sbuf_printf(b, ":%s", ps_port_name(port, o->numeric_port, pb));
}

/* Every TCP and UDP socket of the host (lsof sorts them by pid and fd). */
static ps_view *all_views(ps_sh *sh, size_t *n)
{
    size_t nt = 0, nu = 0;
    bool nomem_t = false, nomem_u = false;
    ps_view *t = ps_views_of(sh->e, sh->host, PS_PROTO_TCP, &nt, &nomem_t);
    ps_view *u = ps_views_of(sh->e, sh->host, PS_PROTO_UDP, &nu, &nomem_u);
    ps_view *v = nu == 0 ? t : nt == 0 ? u : realloc(t, (nt + nu) * sizeof *t);
    if ((nt && nu && !v) || nomem_t || nomem_u) {
        sh->out->failed = true;
        free(v ? v : t);
        if (v != u) free(u);
        *n = 0;
        return NULL;
    }
    if (nt && nu) {
        memcpy(v + nt, u, nu * sizeof *u);
        free(u);
    }
    *n = nt + nu;
    return v;
}

void ps_tool_lsof(ps_sh *sh, int argc, char **argv)
{
    lsof_opts o;
    if (!parse(sh, argc, argv, &o)) return;
    size_t n = 0, k = 0;
    ps_view *v = all_views(sh, &n);
    for (size_t i = 0; i < n; i++)
        if (wanted(&o, &v[i])) v[k++] = v[i];
    if (k > 1) qsort(v, k, sizeof *v, by_pid_fd); /* v is NULL when k is 0 */
    if (o.terse) {
        for (size_t i = 0; i < k; i++) {
            if (i > 0 && v[i].proc->pid == v[i - 1].proc->pid) continue;
            ps_sbuf_line(sh->out);
            ps_sbuf_printf(sh->out, "%u", v[i].proc->pid);
        }
        free(v);
        return;
    }
    if (k == 0) { /* lsof prints nothing (and exits 1) when nothing matches */
        free(v);
        return;
    }
    static const ps_col cols[] = {
        { "", false, 0 }, { " ", true, 0 }, { " ", true, 0 }, { " ", true, 6 }, { " ", true, 0 },
        { " ", true, 0 }, { " ", true, 0 }, { " ", true, 0 }, { " ", false, 0 },
    };
    ps_grid t;
    ps_grid_init(&t, cols, 9);
    static const char *const head[] = { "COMMAND", "PID",  "USER", "FD  ", "TYPE",
                                        "DEVICE",  "SIZE/OFF", "NODE", "NAME" };
    for (int c = 0; c < 9; c++) ps_grid_cell(&t, "%s", head[c]);
    ps_sbuf name = { 0 };
    for (size_t i = 0; i < k; i++) {
        const ps_socket *sk = v[i].sk;
        name.len = 0;
        endpoint(&name, &o, ps_engine_scenario(sh->e), sk->laddr, sk->lport);
        bool udp = sk->proto == PS_PROTO_UDP;
        if (udp ? sk->state == PS_ESTABLISHED : sk->state != PS_LISTEN) {
            ps_sbuf_puts(&name, "->");
            endpoint(&name, &o, ps_engine_scenario(sh->e), sk->raddr, sk->rport);
        }
        ps_grid_cell(&t, "%.9s", v[i].proc->name);
        ps_grid_cell(&t, "%u", v[i].proc->pid);
        ps_grid_cell(&t, "%s", v[i].proc->user);
        ps_grid_cell(&t, "%4uu ", sk->fd);
        ps_grid_cell(&t, "%s", v[i].v6 ? "IPv6" : "IPv4");
        ps_grid_cell(&t, "%u", 20000u + v[i].index);
        ps_grid_cell(&t, "0t0");
        ps_grid_cell(&t, udp ? "UDP" : "TCP");
        if (udp) ps_grid_cell(&t, "%s", name.s ? name.s : ""); /* UDP has no state to show */
        else ps_grid_cell(&t, "%s (%s)", name.s ? name.s : "", ps_state_netstat((ps_tcp_state)sk->state));
        if (name.failed) t.failed = true;
    }
    ps_sbuf_free(&name);
    free(v);
    ps_grid_render(&t, sh->out);
    ps_grid_free(&t);
}
