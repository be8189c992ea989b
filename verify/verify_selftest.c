/* verify_selftest.c — `portsim verify --self-test`: proves the containment
 * the replay relies on. Inside the namespaces a connect to any address
 * outside the scenario fails at once, privileges really drop (a root helper
 * keeps only CAP_NET_BIND_SERVICE), the link
 * works, portsim itself opens no socket, and the teardown leaves nothing. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit.h"
#include "load.h"
#include "units.h"
#include "verify.h"
#include "verify_internal.h"

/* ---- the containment self-test ---- */

/* How many of this process's descriptors are sockets (the parent must have
 * none: it never opens a socket, let alone in its own namespace). */
static unsigned own_sockets(void)
{
    unsigned n = 0;
    for (int fd = 0; fd < 4096; fd++) {
        char path[64], target[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t l = readlink(path, target, sizeof target - 1);
        if (l <= 0) continue;
        target[l] = '\0';
        if (strncmp(target, "socket:", 7) == 0) n++;
    }
    return n;
}

static unsigned st_fail, st_pass;

static void st_check(bool ok, const char *what, const char *got)
{
    printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, got && *got ? ": " : "", got ? got : "");
    if (ok) st_pass++;
    else st_fail++;
}

static const char self_test_scn[] =
    "host inside 192.0.2.10 2001:db8::10\n"
    "host peer 198.51.100.7 2001:db8:1::7\n"
    "link inside peer 1ms\n"
    "proc inside probe pid=100 user=nobody\n"
    "proc peer daemon pid=200 user=root\n";

/* A connect from helper p to a:port (IPv4, or IPv6 when addr has a ':');
 * returns the kernel's answer. */
static int st_connect(vctx *c, uint32_t p, const char *addr, uint16_t port, uint32_t id)
{
    ps_vcmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.op = PS_VOP_CONNECT;
    cmd.id = id;
    ps_in6 a6;
    if (strchr(addr, ':') && ps_in6_parse(addr, strlen(addr), &a6, NULL)) {
        cmd.inet6 = 1;
        memcpy(cmd.addr6, a6.b, 16);
    } else {
        ps_addr_parse(addr, strlen(addr), &cmd.addr);
    }
    cmd.port = port;
    return ps_verify_command(c, p, &cmd, NULL);
}

static int st_listen(vctx *c, uint32_t p, uint16_t port, uint32_t id)
{
    ps_vcmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.op = PS_VOP_LISTEN;
    cmd.id = id;
    cmd.port = port;
    return ps_verify_command(c, p, &cmd, NULL);
}

/* Routes in the main table of the namespace: only /32s to the peer, no
 * default, no gateway. */
static void st_routes(void)
{
    char *t = ps_netns_read(0, "/proc/self/net/route", NULL);
    if (!t) {
        st_check(false, "read the routes of the namespace", "cannot read /proc/net/route");
        return;
    }
    ps_addr peer;
    ps_addr_parse("198.51.100.7", 12, &peer);
    unsigned routes = 0, bad = 0;
    char got[256] = "";
    for (char *line = strchr(t, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char ifname[32];
        unsigned dst, gw, flags, refcnt, use, metric, mask;
        if (sscanf(line + 1, "%31s %X %X %X %u %u %u %X", ifname, &dst, &gw, &flags, &refcnt, &use,
                   &metric, &mask) != 8)
            continue;
        routes++;
        if (ntohl(dst) != peer || gw != 0 || mask != 0xffffffffu) {
            bad++;
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%s%s dst %08X gw %08X mask %08X", l ? "; " : "",
                     ifname, ntohl(dst), ntohl(gw), ntohl(mask));
        }
    }
    free(t);
    st_check(routes == 1 && bad == 0,
             "inside's only route is 198.51.100.7/32 over its link (no default route, no gateway)",
             bad ? got : routes == 1 ? "" : "not exactly one route");
}

/* IPv6 routes of every table (/proc/net/ipv6_route): the only one with a
 * gateway is the /128 to peer's 2001:db8:1::7 via fe80::2 on the link, and
 * no default route leads anywhere (the kernel's own ::/0 entry is a reject
 * route, RTF_REJECT). */
static void st_routes6(void)
{
    char *t = ps_netns_read(0, "/proc/self/net/ipv6_route", NULL);
    if (!t) {
        st_check(false, "read the IPv6 routes of the namespace", "cannot read /proc/net/ipv6_route");
        return;
    }
    static const char peer[] = "20010db8000100000000000000000007", via[] = "fe800000000000000000000000000002";
    unsigned gw_routes = 0, bad = 0;
    char got[256] = "";
    for (char *line = t; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        char dst[33], src[33], hop[33], dev[32];
        unsigned dlen, slen, metric, refcnt, use, flags;
        if (sscanf(line, "%32s %x %32s %x %32s %x %x %x %x %31s", dst, &dlen, src, &slen, hop, &metric, &refcnt,
                   &use, &flags, dev) != 10)
            continue;
        bool gateway = strcmp(hop, "00000000000000000000000000000000") != 0;
        bool leads_out = (dlen == 0 && !(flags & 0x200u)) || /* a default that is not a reject route */
                         (gateway && (strcmp(dst, peer) != 0 || dlen != 128 || strcmp(hop, via) != 0));
        gw_routes += gateway;
        if (leads_out) {
            bad++;
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%s%s/%u via %s", l ? "; " : "", dst, dlen, hop);
        }
    }
    free(t);
    st_check(gw_routes == 1 && bad == 0,
             "inside's only IPv6 route with a next hop is 2001:db8:1::7/128 via fe80::2 on its link (no default)",
             bad ? got : gw_routes == 1 ? "" : "not exactly one");
}

/* A helper's capability sets as the kernel shows them in /proc/PID/status
 * (read from outside, not as the helper reports itself): only
 * CAP_NET_BIND_SERVICE may be left, and in the effective and permitted sets
 * only for root. */
static void st_caps(pid_t pid, bool root, const char *who)
{
    char path[64], line[128], got[160] = "";
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    unsigned long long bind = 1ull << 10; /* CAP_NET_BIND_SERVICE */
    unsigned long long want_prm = root ? bind : 0, v;
    unsigned seen = 0, bad = 0;
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) {
        char set[4];
        if (sscanf(line, "Cap%3[a-zA-Z]: %llx", set, &v) != 2) continue;
        unsigned long long want = !strcmp(set, "Bnd") ? bind
                                : !strcmp(set, "Eff") || !strcmp(set, "Prm") ? want_prm : 0;
        seen++;
        if (v != want) {
            bad++;
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%sCap%s %016llx", l ? ", " : "", set, v);
        }
    }
    if (f) fclose(f);
    char what[160];
    snprintf(what, sizeof what, "%s: %s (CapEff, CapPrm, CapBnd in /proc/%ld/status)", who,
             root ? "no capability but CAP_NET_BIND_SERVICE" : "no capability at all", (long)pid);
    st_check(seen == 5 && bad == 0, what, seen == 5 ? got : "cannot read the capability sets");
}

/* Interfaces: lo and the one veth, nothing leading out. */
static void st_links(void)
{
    char *t = ps_netns_read(0, "/proc/self/net/dev", NULL);
    char got[256] = "";
    bool ok = t != NULL;
    unsigned n = 0;
    for (char *line = t ? strchr(strchr(t, '\n') + 1, '\n') : NULL; line && line[1];
         line = strchr(line + 1, '\n')) {
        char name[32];
        if (sscanf(line + 1, " %31[^:]:", name) != 1) continue;
        n++;
        size_t l = strlen(got);
        snprintf(got + l, sizeof got - l, "%s%s", l ? " " : "", name);
        if (strcmp(name, "lo") != 0 && strcmp(name, "psl0") != 0) ok = false;
    }
    free(t);
    st_check(ok && n == 2, "inside has only the interfaces lo and psl0 (the link to peer)", got);
    /* The veth pair never shows up where portsim runs. */
    FILE *f = fopen("/proc/net/dev", "r");
    bool here = false;
    char line[256];
    while (f && fgets(line, sizeof line, f)) here |= strstr(line, "psl0:") != NULL;
    if (f) fclose(f);
    st_check(!here, "no verify interface exists in the namespace portsim runs in", here ? "psl0 found" : "");
}

int ps_verify_self_test(void)
{
    char why[512];
    if (!ps_netns_supported(why, sizeof why)) {
        fprintf(stderr, "portsim verify --self-test: cannot run here: %s\n", why);
        return PS_EXIT_UNAVAILABLE;
    }
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(self_test_scn, strlen(self_test_scn), "<self-test>", &d);
    if (!sc) return PS_EXIT_FAILED;
    vctx c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    char err[512];
    if (!ps_netns_create(sc, err, sizeof err)) {
        fprintf(stderr, "portsim verify --self-test: cannot set up the namespaces: %s\n", err);
        ps_scenario_free(sc);
        return PS_EXIT_UNAVAILABLE;
    }
    printf("containment self-test: namespaces %s (192.0.2.10, 2001:db8::10) and %s (198.51.100.7, "
           "2001:db8:1::7), one link\n",
           ps_netns_name(0), ps_netns_name(1));
    c.nvp = 2;
    c.vp = calloc(2, sizeof *c.vp);
    uint32_t uid = ps_verify_uid(0);
    char what[160];
    bool started = c.vp && ps_vproc_start(&c.vp[0], 0, uid, err, sizeof err) &&
                   ps_vproc_start(&c.vp[1], 1, 0, err, sizeof err);
    snprintf(what, sizeof what,
             "helpers start inside the namespaces (probe as this run's uid %u, daemon as root)", uid);
    st_check(started, what, started ? "" : err);
    if (started) {
        st_caps(c.vp[0].pid, false, "inside's helper (nobody)");
        st_caps(c.vp[1].pid, true, "peer's helper (root)");
        st_routes();
        st_routes6();
        st_links();
        static const char *outside[] = { "93.184.216.34", "192.0.2.1", "8.8.8.8", "10.0.0.1",
                                         "2001:4860:4860::8888", "2001:db8::1", "2001:db8:1::8" };
        uint32_t id = 1;
        for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
            for (uint32_t p = 0; p < 2; p++) {
                int r = st_connect(&c, p, outside[i], 443, id++);
                bool v6 = strchr(outside[i], ':') != NULL;
                snprintf(what, sizeof what, "%s: connect to %s%s%s:443 (not in the scenario) fails at once with ENETUNREACH",
                         p ? "peer (root)" : "inside (nobody)", v6 ? "[" : "", outside[i], v6 ? "]" : "");
                st_check(r == ENETUNREACH, what, r == ENETUNREACH ? "" : r < 0 ? "no answer" : r == 0 ? "CONNECTED" : ps_verify_errname(r));
            }
        }
        int r = st_connect(&c, 0, "198.51.100.7", 9, id++);
        st_check(r == ECONNREFUSED, "inside: connect to peer 198.51.100.7:9 (nobody listens) is refused by peer's kernel",
                 r == ECONNREFUSED ? "" : r == 0 ? "connected" : r < 0 ? "no answer" : ps_verify_errname(r));
        r = st_listen(&c, 0, 80, id++);
        snprintf(what, sizeof what, "inside: uid %u cannot listen on 80 (privileges really dropped)", uid);
        st_check(r == EACCES, what,
                 r == EACCES ? "" : r == 0 ? "ok" : r < 0 ? "no answer" : ps_verify_errname(r));
        r = st_listen(&c, 1, 80, id++);
        st_check(r == 0, "peer: root can listen on 80", r == 0 ? "" : r < 0 ? "no answer" : ps_verify_errname(r));
        r = st_connect(&c, 0, "198.51.100.7", 80, id++);
        st_check(r == 0, "inside: connect to peer 198.51.100.7:80 is established over the link",
                 r == 0 ? "" : r < 0 ? "no answer" : ps_verify_errname(r));
        r = st_connect(&c, 0, "2001:db8:1::7", 9, id++);
        st_check(r == ECONNREFUSED,
                 "inside: connect to peer [2001:db8:1::7]:9 (nobody listens) is refused by peer's kernel over IPv6",
                 r == ECONNREFUSED ? "" : r == 0 ? "connected" : r < 0 ? "no answer" : ps_verify_errname(r));
    }
    unsigned socks = own_sockets();
    st_check(socks == 0, "portsim itself holds no socket (only its helpers inside the namespaces do)",
             socks ? "it holds one" : "");
    for (uint32_t p = 0; c.vp && p < c.nvp; p++) ps_vproc_kill(&c.vp[p]);
    ps_netns_destroy();
    unsigned left = ps_netns_leftovers();
    char lb[32];
    snprintf(lb, sizeof lb, "%u left", left);
    st_check(left == 0, "after the teardown no portsim namespace of this run is left", left ? lb : "");
    free(c.vp);
    ps_vbox_free(&c.box);
    ps_scenario_free(sc);
    printf("\n%u checks passed, %u failed\n", st_pass, st_fail);
    return st_fail ? PS_EXIT_FAILED : PS_EXIT_OK;
}
