/* netns.c — throw-away network namespaces for `portsim verify` (netns.h). */
#define _GNU_SOURCE
#include "mem.h"
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "units.h"

#define NETNS_DIR "/run/netns"
#define MAX_PIDS_EXTRA 16u

typedef struct ns_entry {
    char name[80];     /* portsim-<pid>-<index>-<host> (netns.h) */
    char path[96];     /* /run/netns/<name> */
    int fd;            /* open namespace file, -1 if none */
    bool made;         /* `ip netns add` was run for it (it may exist) */
} ns_entry;

/* Everything the teardown needs, fixed in size once created, so a signal
 * handler can walk it. Changes happen with the signals blocked. */
static struct {
    ns_entry *ns;
    uint32_t nns;
    pid_t *pids;       /* tracked children, 0 = free slot */
    uint32_t npids;
    pid_t owner;       /* the process that made them (children do nothing) */
    bool armed;        /* atexit and signal handlers installed */
} g;

static void block_signals(sigset_t *old)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGHUP);
    sigaddset(&s, SIGQUIT);
    sigprocmask(SIG_BLOCK, &s, old);
}

static void restore_signals(const sigset_t *old) { sigprocmask(SIG_SETMASK, old, NULL); }

void ps_netns_destroy(void)
{
    if (g.owner != getpid()) return; /* a child: the parent cleans up */
    for (uint32_t i = 0; i < g.npids; i++) {
        if (g.pids[i] > 0) {
            kill(g.pids[i], SIGKILL);
            while (waitpid(g.pids[i], NULL, 0) < 0 && errno == EINTR) {}
            g.pids[i] = 0;
        }
    }
    for (uint32_t i = 0; i < g.nns; i++) {
        ns_entry *e = &g.ns[i];
        if (e->fd >= 0) close(e->fd);
        e->fd = -1;
        if (e->made) {
            umount2(e->path, MNT_DETACH); /* what `ip netns del` does */
            unlink(e->path);
            e->made = false;
        }
    }
}

static void on_exit_teardown(void) { ps_netns_destroy(); }

static void on_signal(int sig)
{
    ps_netns_destroy();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void arm(void)
{
    if (g.armed) return;
    g.armed = true;
    atexit(on_exit_teardown);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    /* A crash still removes the namespaces (then dies of the signal). */
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
}

/* Called with the signals blocked, so the handler never sees a half-grown
 * table. */
static bool track(pid_t pid)
{
    for (uint32_t i = 0; i < g.npids; i++)
        if (g.pids[i] == 0) {
            g.pids[i] = pid;
            return true;
        }
    uint32_t old = g.npids;
    if (!ps_grow(&g.pids, &g.npids, (size_t)old + 1, sizeof *g.pids)) return false;
    memset(g.pids + old, 0, (g.npids - old) * sizeof *g.pids);
    g.pids[old] = pid;
    return true;
}

static void untrack(pid_t pid)
{
    for (uint32_t i = 0; i < g.npids; i++)
        if (g.pids[i] == pid) g.pids[i] = 0;
}

/* In a fresh child: no teardown of the parent's things, default signals. */
static void become_child(const sigset_t *old)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
    restore_signals(old);
}

/* ---- running ip(8) ---- */

/* Where iproute2 installs `ip`. Never looked up through PATH: a root
 * process must not run whatever `ip` the caller's PATH finds first. */
static const char *const ip_paths[] = { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" };

/* The first executable ip_paths entry, or NULL. */
static const char *ip_path(void)
{
    static const char *found;
    for (size_t i = 0; !found && i < sizeof ip_paths / sizeof ip_paths[0]; i++)
        if (access(ip_paths[i], X_OK) == 0) found = ip_paths[i];
    return found;
}

/* Runs `ip ARGS...` (NULL-terminated), stdout discarded; on failure puts the
 * command and its stderr into err. */
static bool run_ip(char *err, size_t n, ...)
{
    const char *ip = ip_path();
    if (!ip) {
        snprintf(err, n, "`ip` is not installed (looked for /usr/sbin/ip, /sbin/ip, "
                         "/usr/bin/ip and /bin/ip; install iproute2)");
        return false;
    }
    const char *argv[24];
    int argc = 0;
    argv[argc++] = "ip";
    va_list ap;
    va_start(ap, n);
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < 23) argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    int pfd[2];
    if (pipe(pfd) < 0) {
        snprintf(err, n, "pipe: %s", strerror(errno));
        return false;
    }
    sigset_t old;
    block_signals(&old);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        become_child(&old);
        int dn = open("/dev/null", O_RDWR);
        if (dn >= 0) {
            dup2(dn, 0);
            dup2(dn, 1);
        }
        dup2(pfd[1], 2);
        close(pfd[0]);
        execv(ip, (char *const *)argv);
        dprintf(2, "cannot run %s: %s", ip, strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    char out[400];
    size_t got = 0;
    if (pid > 0) {
        ssize_t r;
        while (got < sizeof out - 1 && ((r = read(pfd[0], out + got, sizeof out - 1 - got)) > 0 ||
                                        (r < 0 && errno == EINTR)))
            if (r > 0) got += (size_t)r;
    }
    out[got] = '\0';
    close(pfd[0]);
    int st = -1;
    if (pid > 0)
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    restore_signals(&old);
    if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) return true;
    while (got && (out[got - 1] == '\n' || out[got - 1] == ' ')) out[--got] = '\0';
    int len = snprintf(err, n, "`");
    for (int i = 0; argv[i] && len >= 0 && (size_t)len < n; i++)
        len += snprintf(err + len, n - (size_t)len, "%s%s", i ? " " : "", argv[i]);
    if (len >= 0 && (size_t)len < n)
        snprintf(err + len, n - (size_t)len, "` failed: %s",
                 pid < 0 ? strerror(errno) : got ? out : "no message");
    return false;
}

/* ---- children inside a namespace ---- */

pid_t ps_netns_spawn(uint32_t host, int (*fn)(void *ctx), void *ctx)
{
    if (host >= g.nns || g.ns[host].fd < 0) return -1;
    sigset_t old;
    block_signals(&old);
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        become_child(&old);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        /* Never run fn outside the namespace. */
        if (setns(g.ns[host].fd, CLONE_NEWNET) < 0) _exit(127);
        for (uint32_t i = 0; i < g.nns; i++)
            if (g.ns[i].fd >= 0) close(g.ns[i].fd);
        _exit(fn(ctx));
    }
    if (pid > 0 && !track(pid)) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        pid = -1;
    }
    restore_signals(&old);
    return pid;
}

int ps_netns_reap(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    sigset_t old;
    block_signals(&old);
    untrack(pid);
    restore_signals(&old);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void ps_netns_kill(pid_t pid)
{
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    ps_netns_reap(pid);
}

typedef struct read_ctx {
    const char *path;
    int rfd, wfd;
} read_ctx;

static int read_child(void *p)
{
    read_ctx *c = p;
    close(c->rfd);
    int fd = open(c->path, O_RDONLY);
    if (fd < 0) return 1;
    char buf[8192];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(c->wfd, buf + off, (size_t)(r - off));
            if (w <= 0) return 1;
            off += w;
        }
    return r < 0;
}

char *ps_netns_read(uint32_t host, const char *path, size_t *len)
{
    int pfd[2];
    if (pipe(pfd) < 0) return NULL;
    read_ctx c = { path, pfd[0], pfd[1] };
    pid_t pid = ps_netns_spawn(host, read_child, &c);
    close(pfd[1]);
    if (pid < 0) {
        close(pfd[0]);
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    ssize_t r = 0;
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        r = read(pfd[0], buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(pfd[0]);
    int st = ps_netns_reap(pid);
    if (!buf || r < 0 || st != 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* ---- sysctls ---- */

typedef struct sysctl_ctx {
    unsigned lo, hi, unpriv;
    bool forward;      /* a router: net.ipv4.ip_forward=1 */
} sysctl_ctx;

static bool write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) return false;
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n;
    return close(fd) == 0 && ok;
}

#define RANGE_PATH "/proc/sys/net/ipv4/ip_local_port_range"
#define UNPRIV_PATH "/proc/sys/net/ipv4/ip_unprivileged_port_start"

/* In the namespace: the kernel wants unpriv <= range.lo at every moment, so
 * the order of the two writes depends on which way they move. */
static int sysctl_child(void *p)
{
    const sysctl_ctx *c = p;
    char range[32], unpriv[16];
    snprintf(range, sizeof range, "%u %u", c->lo, c->hi);
    snprintf(unpriv, sizeof unpriv, "%u", c->unpriv);
    unsigned cur_lo = 32768, cur_hi = 60999;
    FILE *f = fopen(RANGE_PATH, "r");
    if (f) {
        if (fscanf(f, "%u %u", &cur_lo, &cur_hi) != 2) cur_lo = 32768;
        fclose(f);
    }
    if (c->forward && !write_file("/proc/sys/net/ipv4/ip_forward", "1")) return 3;
    if (c->unpriv <= cur_lo) {
        if (!write_file(UNPRIV_PATH, unpriv)) return 2;
        if (!write_file(RANGE_PATH, range)) return 1;
    } else {
        if (!write_file(RANGE_PATH, range)) return 1;
        if (!write_file(UNPRIV_PATH, unpriv)) return 2;
    }
    return 0;
}

/* ---- support and creation ---- */

bool ps_netns_supported(char *why, size_t n)
{
    if (geteuid() != 0) {
        snprintf(why, n, "portsim verify needs root: it creates network namespaces "
                         "(run it with sudo, or as root in CI)");
        return false;
    }
    if (access("/proc/self/ns/net", F_OK) != 0) {
        snprintf(why, n, "this kernel has no network namespaces (/proc/self/ns/net is missing)");
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(unshare(CLONE_NEWNET) == 0 ? 0 : (errno & 0x7f) + 1);
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(why, n, "cannot create a network namespace here (unshare: %s)",
                 pid > 0 && WIFEXITED(st) ? strerror(WEXITSTATUS(st) - 1) : "failed");
        return false;
    }
    char err[512];
    if (!run_ip(err, sizeof err, "-V", (const char *)NULL)) {
        snprintf(why, n, "iproute2's `ip` is needed to make the namespaces: %s", err);
        return false;
    }
    return true;
}

const char *ps_netns_name(uint32_t host) { return host < g.nns ? g.ns[host].name : NULL; }

static bool setup_host(const ps_scenario *sc, uint32_t h, char *err, size_t n)
{
    const ps_host_spec *hs = &sc->hosts[h];
    ns_entry *e = &g.ns[h];
    sigset_t old;
    block_signals(&old);
    e->made = true; /* from now on the teardown tries to remove it */
    restore_signals(&old);
    if (!run_ip(err, n, "netns", "add", e->name, (const char *)NULL)) return false;
    e->fd = open(e->path, O_RDONLY | O_CLOEXEC);
    if (e->fd < 0) {
        snprintf(err, n, "cannot open %s: %s", e->path, strerror(errno));
        return false;
    }
    if (!run_ip(err, n, "-n", e->name, "link", "set", "lo", "up", (const char *)NULL)) return false;
    for (uint32_t a = 0; a < hs->naddrs; a++) {
        char addr[32];
        ps_addr_str(hs->addrs[a], addr);
        strcat(addr, "/32");
        if (!run_ip(err, n, "-n", e->name, "addr", "add", addr, "dev", "lo", (const char *)NULL))
            return false;
    }
    /* IPv6 addresses on lo as /128, usable at once (nodad: no duplicate
     * address detection wait); ::1 comes with lo. */
    for (uint32_t a = 0; a < hs->naddrs6; a++) {
        char addr[PS_IN6_STRLEN + 8];
        ps_sc_addr_str(sc, hs->addrs6[a], true, addr);
        strcat(addr, "/128");
        if (!run_ip(err, n, "-n", e->name, "-6", "addr", "add", addr, "dev", "lo", "nodad",
                    (const char *)NULL))
            return false;
    }
    if (hs->unpriv_start > hs->eph_lo) {
        snprintf(err, n, "host %s: unpriv=%u above the ephemeral range's start %u cannot be set "
                 "on Linux (ip_unprivileged_port_start must not exceed ip_local_port_range)",
                 hs->name, hs->unpriv_start, hs->eph_lo);
        return false;
    }
    sysctl_ctx c = { hs->eph_lo, hs->eph_hi, hs->unpriv_start, hs->router };
    pid_t pid = ps_netns_spawn(h, sysctl_child, &c);
    int st = pid > 0 ? ps_netns_reap(pid) : -1;
    if (st == 3) {
        snprintf(err, n, "router %s: cannot set net.ipv4.ip_forward=1 in %s", hs->name, e->name);
        return false;
    }
    if (st != 0) {
        snprintf(err, n, "host %s: cannot set %s to %u-%u and unprivileged start %u in %s",
                 hs->name, st == 2 ? "ip_unprivileged_port_start" : "ip_local_port_range",
                 hs->eph_lo, hs->eph_hi, hs->unpriv_start, e->name);
        return false;
    }
    return true;
}

/* Routes from host `from`, over its end of link `dev`, to every address of
 * `to`. IPv6 ones go via the peer's link-local address (fe80::1 on the a
 * side of a link, fe80::2 on the b side): neighbour discovery answers only
 * for an address of the interface asked, not for one on lo. */
static bool routes(const ps_scenario *sc, uint32_t from, uint32_t to, const char *dev,
                   const char *peer_ll, char *err, size_t n)
{
    char src[PS_IN6_STRLEN];
    ps_addr_str(sc->hosts[from].addrs[0], src);
    for (uint32_t a = 0; a < sc->hosts[to].naddrs; a++) {
        char dst[32];
        ps_addr_str(sc->hosts[to].addrs[a], dst);
        strcat(dst, "/32");
        if (!run_ip(err, n, "-n", g.ns[from].name, "route", "add", dst, "dev", dev, "src", src,
                    (const char *)NULL))
            return false;
    }
    if (sc->hosts[from].naddrs6 == 0) return true; /* nothing to send IPv6 from */
    ps_sc_addr_str(sc, sc->hosts[from].addrs6[0], true, src);
    for (uint32_t a = 0; a < sc->hosts[to].naddrs6; a++) {
        char dst[PS_IN6_STRLEN + 8];
        ps_sc_addr_str(sc, sc->hosts[to].addrs6[a], true, dst);
        strcat(dst, "/128");
        if (!run_ip(err, n, "-n", g.ns[from].name, "-6", "route", "add", dst, "via", peer_ll, "dev",
                    dev, "src", src, (const char *)NULL))
            return false;
    }
    return true;
}

static bool setup_link(const ps_scenario *sc, uint32_t l, char *err, size_t n)
{
    const ps_link_spec *ls = &sc->links[l];
    char dev[16];
    snprintf(dev, sizeof dev, "psl%u", l);
    const char *na = g.ns[ls->a].name, *nb = g.ns[ls->b].name;
    /* Made inside a's namespace, the peer straight into b's: the pair never
     * exists in the initial namespace. */
    if (!run_ip(err, n, "-n", na, "link", "add", dev, "type", "veth", "peer", "name", dev,
                "netns", nb, (const char *)NULL))
        return false;
    if (!run_ip(err, n, "-n", na, "link", "set", dev, "up", (const char *)NULL)) return false;
    if (!run_ip(err, n, "-n", nb, "link", "set", dev, "up", (const char *)NULL)) return false;
    if ((sc->hosts[ls->a].naddrs6 || sc->hosts[ls->b].naddrs6) &&
        (!run_ip(err, n, "-n", na, "-6", "addr", "add", "fe80::1/64", "dev", dev, "nodad",
                 (const char *)NULL) ||
         !run_ip(err, n, "-n", nb, "-6", "addr", "add", "fe80::2/64", "dev", dev, "nodad",
                 (const char *)NULL)))
        return false;
    return routes(sc, ls->a, ls->b, dev, "fe80::2", err, n) &&
           routes(sc, ls->b, ls->a, dev, "fe80::1", err, n);
}

/* ---- routers: forwarding, NAT rules, routes through the gateway ---- */

static const char *const nft_paths[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft" };

/* nftables' `nft`, by absolute path as `ip` is; NULL if not installed. */
static const char *nft_path(void)
{
    static const char *found;
    for (size_t i = 0; !found && i < sizeof nft_paths / sizeof nft_paths[0]; i++)
        if (access(nft_paths[i], X_OK) == 0) found = nft_paths[i];
    return found;
}

/* The index of the link between a and b, or PS_NONE. */
static uint32_t link_between(const ps_scenario *sc, uint32_t a, uint32_t b)
{
    for (uint32_t l = 0; l < sc->nlinks; l++)
        if ((sc->links[l].a == a && sc->links[l].b == b) || (sc->links[l].a == b && sc->links[l].b == a))
            return l;
    return PS_NONE;
}

/* Router r as a home router is set up: its outside address also on each
 * outside veth (masquerade takes the address of the interface a packet
 * leaves by), then the nftables rules the scenario asks for:
 *   table ip nat
 *     postrouting: ip saddr INSIDE/P ip daddr != INSIDE/P masquerade
 *     prerouting:  ip saddr != INSIDE/P ip daddr OUTSIDE tcp|udp dport PORT dnat to ADDR:PORT */
static bool setup_router(const ps_scenario *sc, uint32_t r, char *err, size_t n)
{
    const ps_host_spec *hs = &sc->hosts[r];
    const char *ns = g.ns[r].name;
    char out[32], net[32], a[16];
    ps_addr_str(hs->addrs[0], out);
    ps_addr mask = ~0u << (32 - hs->inside_prefix);
    ps_addr_str(hs->addrs[1] & mask, a);
    snprintf(net, sizeof net, "%s/%u", a, (unsigned)hs->inside_prefix);
    for (uint32_t l = 0; l < sc->nlinks; l++) {
        uint32_t o = sc->links[l].a == r ? sc->links[l].b : sc->links[l].b == r ? sc->links[l].a : PS_NONE;
        if (o == PS_NONE || ps_scenario_inside(sc, r, o)) continue;
        char dev[16], out32[40];
        snprintf(dev, sizeof dev, "psl%u", l);
        snprintf(out32, sizeof out32, "%s/32", out);
        if (!run_ip(err, n, "-n", ns, "addr", "add", out32, "dev", dev, (const char *)NULL)) return false;
    }
    bool dnat = false;
    for (uint32_t i = 0; i < sc->nforwards; i++) dnat = dnat || sc->forwards[i].router == r;
    if (!hs->masquerade && !dnat) return true;
    const char *nft = nft_path();
    if (!nft) {
        snprintf(err, n, "router %s needs nftables' `nft` (looked for /usr/sbin/nft, /sbin/nft, "
                         "/usr/bin/nft and /bin/nft; install nftables)", hs->name);
        return false;
    }
#define NFT(...) run_ip(err, n, "netns", "exec", ns, nft, __VA_ARGS__, (const char *)NULL)
    if (!NFT("add", "table", "ip", "nat")) return false;
    if (hs->masquerade &&
        (!NFT("add", "chain", "ip", "nat", "postrouting", "{", "type", "nat", "hook", "postrouting",
              "priority", "srcnat", ";", "policy", "accept", ";", "}") ||
         !NFT("add", "rule", "ip", "nat", "postrouting", "ip", "saddr", net, "ip", "daddr", "!=", net,
              "masquerade")))
        return false;
    if (dnat && !NFT("add", "chain", "ip", "nat", "prerouting", "{", "type", "nat", "hook", "prerouting",
                     "priority", "dstnat", ";", "policy", "accept", ";", "}"))
        return false;
    for (uint32_t i = 0; i < sc->nforwards; i++) {
        const ps_forward_spec *f = &sc->forwards[i];
        if (f->router != r) continue;
        char port[8], to[32];
        snprintf(port, sizeof port, "%u", (unsigned)f->port);
        ps_addr_str(f->to, a);
        snprintf(to, sizeof to, "%s:%u", a, (unsigned)f->to_port);
        if (!NFT("add", "rule", "ip", "nat", "prerouting", "ip", "saddr", "!=", net, "ip", "daddr", out,
                 f->proto == PS_PROTO_UDP ? "udp" : "tcp", "dport", port, "dnat", "to", to))
            return false;
    }
#undef NFT
    return true;
}

/* A host inside a router reaches the router's other neighbours through it:
 * one /32 route per address, via the router's inside address. */
static bool gateway_routes(const ps_scenario *sc, uint32_t h, char *err, size_t n)
{
    uint32_t gw = ps_scenario_gateway(sc, h);
    if (gw == PS_NONE) return true;
    uint32_t l = link_between(sc, h, gw);
    char dev[16], via[16], src[16];
    snprintf(dev, sizeof dev, "psl%u", l);
    ps_addr_str(sc->hosts[gw].addrs[1], via);
    ps_addr_str(sc->hosts[h].addrs[0], src);
    for (uint32_t o = 0; o < sc->nhosts; o++) {
        if (o == h || o == gw || link_between(sc, o, gw) == PS_NONE || link_between(sc, o, h) != PS_NONE)
            continue;
        for (uint32_t a = 0; a < sc->hosts[o].naddrs; a++) {
            char dst[32];
            ps_addr_str(sc->hosts[o].addrs[a], dst);
            strcat(dst, "/32");
            if (!run_ip(err, n, "-n", g.ns[h].name, "route", "add", dst, "via", via, "dev", dev, "onlink",
                        "src", src, (const char *)NULL))
                return false;
        }
    }
    return true;
}

/* Namespaces of an earlier verify that was SIGKILLed (nothing can clean up
 * after that): portsim-<pid>-* whose pid no longer exists. */
static void sweep_stale(void)
{
    DIR *d = opendir(NETNS_DIR);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end;
        if (strncmp(de->d_name, "portsim-", 8) != 0) continue;
        long pid = strtol(de->d_name + 8, &end, 10);
        if (end == de->d_name + 8 || *end != '-' || pid <= 0) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char path[400];
        snprintf(path, sizeof path, NETNS_DIR "/%s", de->d_name);
        umount2(path, MNT_DETACH);
        unlink(path);
    }
    closedir(d);
}

bool ps_netns_create(const ps_scenario *sc, char *err, size_t n)
{
    sweep_stale();
    ps_netns_destroy(); /* a previous set, if any */
    sigset_t old;
    block_signals(&old);
    free(g.ns);
    free(g.pids);
    g.ns = NULL;
    g.pids = NULL;
    g.nns = g.npids = 0;
    restore_signals(&old);
    g.owner = getpid();
    ns_entry *ns = calloc(sc->nhosts ? sc->nhosts : 1, sizeof *ns);
    pid_t *pids = calloc(sc->nprocs + MAX_PIDS_EXTRA, sizeof *pids);
    if (!ns || !pids) {
        free(ns);
        free(pids);
        snprintf(err, n, "out of memory");
        return false;
    }
    for (uint32_t h = 0; h < sc->nhosts; h++) {
        ns[h].fd = -1;
        /* The host's index makes the name unique (no host name can imitate
         * "<pid>-<index>-" of another); the host name is only for people. */
        const char *hn = sc->hosts[h].name;
        if (strlen(hn) <= 40)
            snprintf(ns[h].name, sizeof ns[h].name, "portsim-%ld-%u-%s", (long)g.owner, h, hn);
        else snprintf(ns[h].name, sizeof ns[h].name, "portsim-%ld-%u", (long)g.owner, h);
        snprintf(ns[h].path, sizeof ns[h].path, NETNS_DIR "/%s", ns[h].name);
    }
    block_signals(&old);
    g.ns = ns;
    g.nns = sc->nhosts;
    g.pids = pids;
    g.npids = sc->nprocs + MAX_PIDS_EXTRA;
    arm();
    restore_signals(&old);
    for (uint32_t h = 0; h < sc->nhosts; h++)
        if (!setup_host(sc, h, err, n)) goto fail;
    for (uint32_t l = 0; l < sc->nlinks; l++)
        if (!setup_link(sc, l, err, n)) goto fail;
    for (uint32_t h = 0; h < sc->nhosts; h++)
        if ((sc->hosts[h].router && !setup_router(sc, h, err, n)) || !gateway_routes(sc, h, err, n))
            goto fail;
    return true;
fail:
    ps_netns_destroy();
    return false;
}

unsigned ps_netns_leftovers(void)
{
    char prefix[48];
    snprintf(prefix, sizeof prefix, "portsim-%ld-", (long)getpid());
    DIR *d = opendir(NETNS_DIR);
    if (!d) return 0;
    unsigned count = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) count++;
    closedir(d);
    return count;
}
