/* shell_nat.c — a router's tables as Linux's tools print them:
 * `conntrack -L` (conntrack-tools 1.4.7) lists the translation table,
 * newest entry first, and `nft list ruleset` (nftables 1.0.6) the NAT rules
 * the router applies, exactly as `portsim verify` loads them into the
 * kernel. Formats captured in namespaces: docs/reference/nat.md. Both need
 * root (CAP_NET_ADMIN), as the real tools do. nft indents with tabs; they
 * are written as a terminal shows them (to the next multiple of 8), so
 * traces and the window's terminal show the layout. */
#include "shell_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNTRACK_VERSION "conntrack v1.4.7 (conntrack-tools)"

static void tuple_text(ps_sbuf *out, const ps_tuple *t)
{
    char a[16], b[16];
    ps_sbuf_printf(out, "src=%s dst=%s sport=%u dport=%u", ps_addr_str(t->src, a), ps_addr_str(t->dst, b),
                   t->sport, t->dport);
}

static int newest_first(const void *x, const void *y)
{
    const ps_ct_entry *a = *(const ps_ct_entry *const *)x, *b = *(const ps_ct_entry *const *)y;
    return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

void ps_tool_conntrack(ps_sh *sh, int argc, char **argv)
{
    bool list = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-L") || !strcmp(argv[i], "--dump")) list = true;
        else {
            ps_sbuf_printf(sh->out, "portsim: conntrack knows only -L (--dump), not '%s'", argv[i]);
            return;
        }
    }
    if (!list) {
        ps_sbuf_puts(sh->out, CONNTRACK_VERSION ": no command specified");
        return;
    }
    if (strcmp(sh->user, "root") != 0) {
        ps_sbuf_puts(sh->out, CONNTRACK_VERSION ": Operation failed: sorry, you must be root or "
                              "get CAP_NET_ADMIN capability to do this");
        return;
    }
    const ps_nat *t = ps_engine_nat(sh->e, sh->host);
    ps_time now = ps_engine_now(sh->e);
    uint32_t n = 0;
    const ps_ct_entry **v = NULL;
    if (t && t->n) {
        if (!ps_engine_charge(sh->e, t->n)) return;
        v = malloc(t->n * sizeof *v);
        if (!v) return;
        for (uint32_t i = 0; i < t->n; i++)
            if (ps_nat_live(t, i, now)) v[n++] = &t->v[i];
        qsort(v, n, sizeof *v, newest_first);
    }
    for (uint32_t i = 0; i < n; i++) {
        const ps_ct_entry *en = v[i];
        /* conntrack prints whole seconds left, rounded down; a UDP entry
         * has no state (docs/reference/nat.md, "UDP"). */
        bool udp = en->proto == PS_PROTO_UDP;
        ps_sbuf_printf(sh->out, "%-8s %u %llu %s%s", udp ? "udp" : "tcp", udp ? 17u : 6u,
                       (unsigned long long)((en->expires - now) / 1000000u),
                       udp ? "" : ps_ct_state_name((ps_ct_state)en->state), udp ? "" : " ");
        tuple_text(sh->out, &en->orig);
        if (!en->replied) ps_sbuf_puts(sh->out, " [UNREPLIED]");
        ps_sbuf_putc(sh->out, ' ');
        tuple_text(sh->out, &en->reply);
        ps_sbuf_printf(sh->out, "%s mark=0 use=1\n", en->assured ? " [ASSURED]" : "");
    }
    free(v);
    /* conntrack writes this last line to standard error, after the entries. */
    ps_sbuf_printf(sh->out, CONNTRACK_VERSION ": %u flow entries have been shown.", n);
}

void ps_tool_nft(ps_sh *sh, int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "list") != 0 || strcmp(argv[2], "ruleset") != 0) {
        ps_sbuf_puts(sh->out, "portsim: nft knows only 'nft list ruleset'");
        return;
    }
    if (strcmp(sh->user, "root") != 0) {
        ps_sbuf_puts(sh->out, "Operation not permitted (you must be root)\n"
                              "netlink: Error: cache initialization failed: Operation not permitted");
        return;
    }
    const ps_scenario *sc = ps_engine_scenario(sh->e);
    const ps_host_spec *h = &sc->hosts[sh->host];
    if (!h->router) return;
    bool dnat = false;
    for (uint32_t i = 0; i < sc->nforwards; i++) dnat = dnat || sc->forwards[i].router == sh->host;
    if (!h->masquerade && !dnat) return;
    char net[24], a[16], out[16];
    ps_addr_str(h->addrs[1] & (~0u << (32 - h->inside_prefix)), a);
    snprintf(net, sizeof net, "%s/%u", a, (unsigned)h->inside_prefix);
    ps_addr_str(h->addrs[0], out);
#define T1 "        "          /* one tab */
#define T2 "                "  /* two */
    ps_sbuf_puts(sh->out, "table ip nat {\n");
    if (h->masquerade)
        ps_sbuf_printf(sh->out,
                       T1 "chain postrouting {\n"
                       T2 "type nat hook postrouting priority srcnat; policy accept;\n"
                       T2 "ip saddr %s ip daddr != %s masquerade\n"
                       T1 "}\n",
                       net, net);
    if (dnat) {
        ps_sbuf_printf(sh->out, "%s" T1 "chain prerouting {\n"
                                T2 "type nat hook prerouting priority dstnat; policy accept;\n",
                       h->masquerade ? "\n" : "");
        for (uint32_t i = 0; i < sc->nforwards; i++) {
            const ps_forward_spec *f = &sc->forwards[i];
            if (f->router != sh->host) continue;
            ps_sbuf_printf(sh->out, T2 "ip saddr != %s ip daddr %s %s dport %u dnat to %s:%u\n", net, out,
                           f->proto == PS_PROTO_UDP ? "udp" : "tcp", f->port, ps_addr_str(f->to, a), f->to_port);
        }
        ps_sbuf_puts(sh->out, T1 "}\n");
    }
#undef T1
#undef T2
    ps_sbuf_puts(sh->out, "}");
}
