/* shell_sock.c — the facts about sockets that ss, netstat and lsof must
 * agree on: which sockets a host has and in what order they are listed,
 * which of them a real Linux box would show as IPv6, and the names of
 * well-known ports. */
#include "shell.h"
#include "shell_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An AF_INET6 socket shows as IPv6 in every tool (lsof's TYPE IPv6,
 * netstat's tcp6, ss's brackets), its IPv4 peers as ::ffff:a.b.c.d.
 * Node.js listens on `::` by default (userland/shell.c), so its servers are
 * such sockets (docs/reference/ipv6.md, "What the tools print"). */
bool ps_shell_socket_v6(const ps_engine *e, uint32_t s)
{
    const ps_socket *sk = ps_engine_socket(e, s);
    return sk->live && ps_sock_v6(sk);
}

char *ps_ss_addr(const ps_engine *e, const ps_socket *sk, ps_addr a, char buf[PS_IN6_STRLEN + 2])
{
    char t[PS_IN6_STRLEN];
    const ps_scenario *sc = ps_engine_scenario(e);
    if (!ps_sock_v6(sk)) snprintf(buf, PS_IN6_STRLEN + 2, "%s", ps_sc_addr_str(sc, a, false, t));
    else if (a == PS_ADDR_ANY && !(sk->xflags & PS_SOCKX_V6ONLY)) snprintf(buf, PS_IN6_STRLEN + 2, "*");
    else snprintf(buf, PS_IN6_STRLEN + 2, "[%s]", ps_sc_addr_str(sc, a, true, t));
    return buf;
}

char *ps_shell_endpoint(const ps_engine *e, uint32_t s, bool peer, char buf[PS_SHELL_ENDPOINT_MAX])
{
    const ps_socket *sk = ps_engine_socket(e, s);
    char ab[PS_IN6_STRLEN + 2], pb[8];
    ps_ss_addr(e, sk, peer ? sk->raddr : sk->laddr, ab);
    snprintf(buf, PS_SHELL_ENDPOINT_MAX, "%s:%s", ab, ps_port_name(peer ? sk->rport : sk->lport, true, pb));
    return buf;
}

static int cmp_u32(uint32_t a, uint32_t b) { return a < b ? -1 : a > b; }

static int view_cmp(const void *pa, const void *pb)
{
    const ps_view *a = pa, *b = pb;
    int c;
    if ((c = cmp_u32(a->v6, b->v6))) return c;
    bool la = a->sk->state == PS_LISTEN, lb = b->sk->state == PS_LISTEN;
    if ((c = cmp_u32(!la, !lb))) return c;
    if ((c = cmp_u32(a->sk->lport, b->sk->lport))) return c;
    if ((c = cmp_u32(a->sk->laddr, b->sk->laddr))) return c;
    if ((c = cmp_u32(a->sk->raddr, b->sk->raddr))) return c;
    if ((c = cmp_u32(a->sk->rport, b->sk->rport))) return c;
    return cmp_u32(a->index, b->index);
}

/* Whether a tool lists socket sk of `proto`: a TCP socket once it has a
 * state (not a CLOSED one that never got going); a UDP socket always (an
 * unconnected one is CLOSED: ss calls it UNCONN). */
static bool listed(const ps_socket *sk, uint32_t host, ps_proto proto)
{
    if (!sk->live || sk->host != host || sk->proto != proto) return false;
    return proto == PS_PROTO_UDP || sk->state != PS_CLOSED;
}

ps_view *ps_views_of(const ps_engine *e, uint32_t host, ps_proto proto, size_t *n, bool *nomem)
{
    *n = 0;
    *nomem = false;
    uint32_t slots = ps_engine_socket_slots(e);
    size_t count = 0;
    for (uint32_t i = 0; i < slots; i++) count += listed(ps_engine_socket(e, i), host, proto);
    if (count == 0) return NULL;
    ps_view *v = malloc(count * sizeof *v);
    if (!v) {
        *nomem = true;
        return NULL;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < slots; i++) {
        const ps_socket *sk = ps_engine_socket(e, i);
        if (!listed(sk, host, proto)) continue;
        const ps_proc *p = sk->proc != PS_NONE ? ps_engine_proc(e, sk->proc) : NULL;
        v[k++] = (ps_view){ i, sk, p, ps_sock_v6(sk) };
    }
    qsort(v, k, sizeof *v, view_cmp);
    *n = k;
    return v;
}

/* The entries of Debian's /etc/services that docs/reference/linux-ports.md
 * lists ("Well-known ports"). */
static const struct { uint16_t port; const char *name; } services[] = {
    { 22, "ssh" },    { 25, "smtp" },         { 80, "http" },
    { 443, "https" }, { 5432, "postgresql" }, { 8080, "http-alt" },
    { 53, "domain" }, { 5353, "mdns" }, /* docs/reference/udp.md */
};

const char *ps_service_name(uint16_t port)
{
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (services[i].port == port) return services[i].name;
    return NULL;
}

uint16_t ps_service_port(const char *name)
{
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (!strcmp(services[i].name, name)) return services[i].port;
    return !strcmp(name, "www") ? 80 : 0;
}

const char *ps_port_name(uint16_t port, bool numeric, char buf[8])
{
    if (port == 0) return "*";
    const char *s = numeric ? NULL : ps_service_name(port);
    if (s) return s;
    snprintf(buf, 8, "%u", port);
    return buf;
}

/* libuv's uv_strerror() words, which Node.js prints (not strerror's). */
const char *ps_node_errmsg(ps_errno err)
{
    switch (err) {
    case PS_EADDRINUSE: return "address already in use";
    case PS_EACCES: return "permission denied";
    case PS_EADDRNOTAVAIL: return "address not available";
    case PS_ECONNREFUSED: return "connection refused";
    case PS_EHOSTUNREACH: return "host is unreachable";
    default: return ps_errno_message(err);
    }
}
