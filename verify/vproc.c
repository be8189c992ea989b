/* vproc.c — helper processes holding real sockets for `portsim verify`
 * (vproc.h). Everything after fork() here runs inside a scenario host's
 * network namespace (ps_netns_spawn enters it first). */
#define _GNU_SOURCE
#include "mem.h"
#include "vproc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24 /* linux/in.h, not in every libc's netinet/in.h */
#endif

/* ---- pipes ---- */

static bool write_all(int fd, const void *p, size_t n)
{
    const char *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* 1: a whole record, 0: end of file, -1: error. */
static int read_all(int fd, void *p, size_t n)
{
    char *b = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return got ? -1 : 0;
        got += (size_t)r;
    }
    return 1;
}

/* ---- the helper (child side) ---- */

enum { HS_LISTENER = 1, HS_CONNECTING, HS_CONN, HS_ACCEPTED, HS_BOUND, HS_UDP };

typedef struct hsock {
    int fd;           /* -1 once closed */
    uint8_t kind;
    uint32_t id;      /* the parent's id (accepted sockets: their listener's) */
    char *reply;      /* listeners and their accepted connections: reply text;
                         HS_CONNECTING/HS_CONN: the request to send, if any;
                         HS_UDP: the answer to every datagram, if any */
    uint32_t rx;      /* HS_UDP: datagrams read */
} hsock;

typedef struct helper {
    int cmd, msg, ep;
    hsock *s;
    uint32_t ns, cap;
    uint32_t *byid;   /* parent id -> index in s + 1 (0 = none) */
    uint32_t nbyid;
} helper;

typedef struct start_ctx {
    int cmd, msg;     /* the child's ends of the two pipes (it closes all else) */
    uint32_t uid;
} start_ctx;

/* One end of a socket into a message: IPv4 (or IPv4-mapped) as a ps_addr,
 * other IPv6 as its 16 bytes (bit `bit` of m->v6). */
static void put_end(ps_vmsg *m, const struct sockaddr_storage *a, ps_addr *addr, uint16_t *port,
                    uint8_t b6[16], uint8_t bit)
{
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)a;
        *port = ntohs(s6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
            uint32_t v;
            memcpy(&v, s6->sin6_addr.s6_addr + 12, 4);
            *addr = ntohl(v);
        } else {
            memcpy(b6, s6->sin6_addr.s6_addr, 16);
            m->v6 |= bit;
        }
        return;
    }
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)a;
    *addr = ntohl(s4->sin_addr.s_addr);
    *port = ntohs(s4->sin_port);
}

static void send_msg(helper *h, uint32_t kind, uint32_t id, int err, const struct sockaddr_storage *l,
                     const struct sockaddr_storage *r)
{
    ps_vmsg m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.id = id;
    m.err = err;
    if (l) put_end(&m, l, &m.laddr, &m.lport, m.l6, 1);
    if (r) put_end(&m, r, &m.raddr, &m.rport, m.r6, 2);
    if (!write_all(h->msg, &m, sizeof m)) _exit(3);
}

/* The command's address and port as a sockaddr of its family. */
static socklen_t cmd_addr(const ps_vcmd *c, ps_addr v4, uint16_t port, struct sockaddr_storage *a)
{
    memset(a, 0, sizeof *a);
    if (c->inet6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        memcpy(s6->sin6_addr.s6_addr, c->addr6, 16);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)a;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    s4->sin_addr.s_addr = htonl(v4);
    return sizeof *s4;
}

static uint32_t add_sock(helper *h, int fd, uint8_t kind, uint32_t id, const char *reply)
{
    if (!ps_grow(&h->s, &h->cap, (size_t)h->ns + 1, sizeof *h->s)) _exit(4);
    uint32_t i = h->ns++;
    h->s[i] = (hsock){ fd, kind, id, reply && *reply ? strdup(reply) : NULL, 0 };
    return i;
}

static void name_sock(helper *h, uint32_t id, uint32_t i)
{
    if (id >= h->nbyid) {
        uint32_t n = id + 64;
        uint32_t *nb = realloc(h->byid, n * sizeof *nb);
        if (!nb) _exit(4);
        memset(nb + h->nbyid, 0, (n - h->nbyid) * sizeof *nb);
        h->byid = nb;
        h->nbyid = n;
    }
    h->byid[id] = i + 1;
}

static int fd_of(const helper *h, uint32_t id)
{
    return id < h->nbyid && h->byid[id] ? h->s[h->byid[id] - 1].fd : -1;
}

static void watch(helper *h, uint32_t i, uint32_t events, int op)
{
    struct epoll_event ev = { .events = events, .data.u64 = i };
    if (epoll_ctl(h->ep, op, h->s[i].fd, &ev) < 0) _exit(5);
}

static void close_sock(helper *h, uint32_t i)
{
    if (h->s[i].fd >= 0) close(h->s[i].fd);
    h->s[i].fd = -1;
}

/* socket(), the options, bind(addr:port) and, when `listen`, listen(). */
static void do_listen(helper *h, const ps_vcmd *c, bool listen_too)
{
    int fd = socket(c->inet6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        send_msg(h, PS_VMSG_DONE, c->id, errno, NULL, NULL);
        return;
    }
    int one = 1, v6only = c->v6only;
    struct sockaddr_storage a;
    socklen_t alen = cmd_addr(c, c->addr, c->port, &a);
    /* IPV6_V6ONLY always set, so net.ipv6.bindv6only cannot change the answer. */
    if ((c->inet6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) < 0) ||
        (c->reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) ||
        (c->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
        bind(fd, (struct sockaddr *)&a, alen) < 0 || (listen_too && listen(fd, 4096) < 0)) {
        int err = errno;
        close(fd);
        send_msg(h, PS_VMSG_DONE, c->id, err, NULL, NULL);
        return;
    }
    uint32_t i = add_sock(h, fd, listen_too ? HS_LISTENER : HS_BOUND, c->id, c->text);
    name_sock(h, c->id, i);
    if (listen_too) watch(h, i, EPOLLIN, EPOLL_CTL_ADD);
    send_msg(h, PS_VMSG_DONE, c->id, 0, &a, NULL);
}

/* listen() on a socket do_listen only bound; on failure it stays bound. */
static void do_listen_id(helper *h, const ps_vcmd *c)
{
    uint32_t i = c->id < h->nbyid && h->byid[c->id] ? h->byid[c->id] - 1 : UINT32_MAX;
    if (i == UINT32_MAX || h->s[i].fd < 0) {
        send_msg(h, PS_VMSG_DONE, c->id, EBADF, NULL, NULL);
        return;
    }
    if (h->s[i].kind == HS_LISTENER || listen(h->s[i].fd, 4096) < 0) {
        send_msg(h, PS_VMSG_DONE, c->id, h->s[i].kind == HS_LISTENER ? 0 : errno, NULL, NULL);
        return;
    }
    h->s[i].kind = HS_LISTENER;
    free(h->s[i].reply);
    h->s[i].reply = c->text[0] ? strdup(c->text) : NULL;
    watch(h, i, EPOLLIN, EPOLL_CTL_ADD);
    send_msg(h, PS_VMSG_DONE, c->id, 0, NULL, NULL);
}

/* Names an accepted connection (found by its 4-tuple) for later commands. */
static void do_adopt(helper *h, const ps_vcmd *c)
{
    for (uint32_t i = 0; i < h->ns; i++) {
        if (h->s[i].kind != HS_ACCEPTED || h->s[i].fd < 0) continue;
        struct sockaddr_storage l, r;
        socklen_t ll = sizeof l, rl = sizeof r;
        if (getsockname(h->s[i].fd, (struct sockaddr *)&l, &ll) < 0 ||
            getpeername(h->s[i].fd, (struct sockaddr *)&r, &rl) < 0)
            continue;
        /* IPv4 ends (or IPv4-mapped ones): an IPv6 address is the parent's
         * table index, which a helper cannot read, so `accept as` names
         * IPv4 connections only here. */
        ps_vmsg m;
        memset(&m, 0, sizeof m);
        put_end(&m, &l, &m.laddr, &m.lport, m.l6, 1);
        put_end(&m, &r, &m.raddr, &m.rport, m.r6, 2);
        if (!m.v6 && m.laddr == c->addr && m.lport == c->port && m.raddr == c->raddr &&
            m.rport == c->rport) {
            name_sock(h, c->id, i);
            send_msg(h, PS_VMSG_DONE, c->id, 0, &l, &r);
            return;
        }
    }
    send_msg(h, PS_VMSG_DONE, c->id, ENOTCONN, NULL, NULL);
}

/* A connection is up (or failed): tell the parent. */
static void connect_done(helper *h, uint32_t i)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(h->s[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err) {
        close_sock(h, i);
        send_msg(h, PS_VMSG_DONE, h->s[i].id, err, NULL, NULL);
        return;
    }
    struct sockaddr_storage l, r;
    socklen_t ll = sizeof l, rl = sizeof r;
    getsockname(h->s[i].fd, (struct sockaddr *)&l, &ll);
    getpeername(h->s[i].fd, (struct sockaddr *)&r, &rl);
    h->s[i].kind = HS_CONN;
    watch(h, i, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    if (h->s[i].reply) /* a requester: one request, right away */
        send(h->s[i].fd, h->s[i].reply, strlen(h->s[i].reply), MSG_NOSIGNAL | MSG_DONTWAIT);
    send_msg(h, PS_VMSG_DONE, h->s[i].id, 0, &l, &r);
}

static void do_connect(helper *h, const ps_vcmd *c)
{
    int fd = socket(c->inet6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        send_msg(h, PS_VMSG_DONE, c->id, errno, NULL, NULL);
        return;
    }
    int one = 1;
    if ((c->reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) ||
        (c->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
        (c->from_addr && !c->from_port &&
         setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0)) {
        int err = errno;
        close(fd);
        send_msg(h, PS_VMSG_DONE, c->id, err, NULL, NULL);
        return;
    }
    if (c->from_port || c->from_addr) {
        /* What a program pinning its source port does (curl --local-port,
         * node's localPort): bind(0.0.0.0:PORT), or [::]:PORT, before connect();
         * with a source address, bind(ADDR:PORT), and for ADDR alone the port
         * is left to connect() (IP_BIND_ADDRESS_NO_PORT), as in the engine. */
        struct sockaddr_storage b;
        ps_vcmd any = *c;
        memset(any.addr6, 0, sizeof any.addr6);
        socklen_t blen = cmd_addr(&any, c->from_addr, c->from_port, &b);
        if (bind(fd, (struct sockaddr *)&b, blen) < 0) {
            int err = errno;
            close(fd);
            send_msg(h, PS_VMSG_DONE, c->id, err, NULL, NULL);
            return;
        }
    }
    struct sockaddr_storage d;
    socklen_t dlen = cmd_addr(c, c->addr, c->port, &d);
    int r = connect(fd, (struct sockaddr *)&d, dlen);
    if (r < 0 && errno != EINPROGRESS) {
        int err = errno;
        close(fd);
        send_msg(h, PS_VMSG_DONE, c->id, err, NULL, NULL);
        return;
    }
    uint32_t i = add_sock(h, fd, HS_CONNECTING, c->id, c->text);
    name_sock(h, c->id, i);
    watch(h, i, EPOLLOUT, EPOLL_CTL_ADD);
    if (r == 0) connect_done(h, i);
}

static void do_accept(helper *h, uint32_t li)
{
    for (;;) {
        struct sockaddr_storage r, l;
        socklen_t rl = sizeof r, ll = sizeof l;
        int fd = accept4(h->s[li].fd, (struct sockaddr *)&r, &rl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN, or the connection was reset meanwhile */
        getsockname(fd, (struct sockaddr *)&l, &ll);
        uint32_t i = add_sock(h, fd, HS_ACCEPTED, h->s[li].id, h->s[li].reply);
        watch(h, i, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_ADD);
        send_msg(h, PS_VMSG_ACCEPT, h->s[li].id, 0, &l, &r);
    }
}

/* Reads what arrived; answers a request with the reply; closes on EOF. */
static void do_read(helper *h, uint32_t i)
{
    char buf[4096];
    bool got = false;
    for (;;) {
        ssize_t r = recv(h->s[i].fd, buf, sizeof buf, 0);
        if (r > 0) {
            got = true;
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        close_sock(h, i); /* EOF or reset: the program closes too */
        return;
    }
    if (!got || !h->s[i].reply) return;
    if (h->s[i].kind == HS_ACCEPTED) /* a server answers every request */
        send(h->s[i].fd, h->s[i].reply, strlen(h->s[i].reply), MSG_NOSIGNAL | MSG_DONTWAIT);
    else /* a requester closes once the answer is in */
        close_sock(h, i);
}

/* ---- UDP ---- */

/* A UDP socket for c: options, then bind(addr:port) (UDP_BIND) or the
 * pinned port's bind and connect() (UDP_CONNECT); DONE with the local
 * endpoint the kernel gave it. */
static void do_udp(helper *h, const ps_vcmd *c)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        send_msg(h, PS_VMSG_DONE, c->id, errno, NULL, NULL);
        return;
    }
    int one = 1;
    bool bind_only = c->op == PS_VOP_UDP_BIND;
    struct sockaddr_in b = { .sin_family = AF_INET,
                             .sin_port = htons(bind_only ? c->port : c->from_port),
                             .sin_addr.s_addr = htonl(bind_only ? c->addr : INADDR_ANY) };
    struct sockaddr_in d = { .sin_family = AF_INET, .sin_port = htons(c->port),
                             .sin_addr.s_addr = htonl(c->addr) };
    if ((c->reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) ||
        (c->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
        ((bind_only || c->from_port) && bind(fd, (struct sockaddr *)&b, sizeof b) < 0) ||
        (!bind_only && connect(fd, (struct sockaddr *)&d, sizeof d) < 0)) {
        int err = errno;
        close(fd);
        send_msg(h, PS_VMSG_DONE, c->id, err, NULL, NULL);
        return;
    }
    struct sockaddr_storage l, ds;
    socklen_t ll = sizeof l;
    getsockname(fd, (struct sockaddr *)&l, &ll);
    memset(&ds, 0, sizeof ds);
    memcpy(&ds, &d, sizeof d);
    uint32_t i = add_sock(h, fd, HS_UDP, c->id, bind_only ? c->text : NULL);
    name_sock(h, c->id, i);
    if (h->s[i].reply) watch(h, i, EPOLLIN, EPOLL_CTL_ADD); /* a server: it reads */
    send_msg(h, PS_VMSG_DONE, c->id, 0, &l, bind_only ? NULL : &ds);
}

/* A UDP server's datagrams: each answered with the reply, to its sender. */
static void do_udp_read(helper *h, uint32_t i)
{
    char buf[4096];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(h->s[i].fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return; /* EAGAIN, or an error the socket had pending */
        h->s[i].rx++;
        sendto(h->s[i].fd, h->s[i].reply, strlen(h->s[i].reply), MSG_DONTWAIT,
               (struct sockaddr *)&from, fl);
    }
}

static void do_command(helper *h, const ps_vcmd *c)
{
    switch (c->op) {
    case PS_VOP_LISTEN: do_listen(h, c, true); break;
    case PS_VOP_BIND: do_listen(h, c, false); break;
    case PS_VOP_LISTEN_ID: do_listen_id(h, c); break;
    case PS_VOP_ADOPT: do_adopt(h, c); break;
    case PS_VOP_UDP_BIND:
    case PS_VOP_UDP_CONNECT: do_udp(h, c); break;
    case PS_VOP_UDP_COUNT: {
        /* A socket nobody read: read it now (an error it had pending comes
         * first and is skipped), counting what it had received. */
        int fd = fd_of(h, c->id);
        uint32_t i = c->id < h->nbyid && h->byid[c->id] ? h->byid[c->id] - 1 : UINT32_MAX;
        if (fd < 0 || i == UINT32_MAX || h->s[i].kind != HS_UDP) {
            send_msg(h, PS_VMSG_DONE, c->id, EBADF, NULL, NULL);
            break;
        }
        char buf[4096];
        for (int errors = 0; errors < 2;) {
            ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r >= 0) h->s[i].rx++;
            else if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            else if (errno != EINTR) errors++;
        }
        ps_vmsg m;
        memset(&m, 0, sizeof m);
        m.kind = PS_VMSG_DONE;
        m.id = c->id;
        m.count = h->s[i].rx;
        if (!write_all(h->msg, &m, sizeof m)) _exit(3);
        break;
    }
    case PS_VOP_SENDTO: {
        int fd = fd_of(h, c->id);
        struct sockaddr_in d = { .sin_family = AF_INET, .sin_port = htons(c->port),
                                 .sin_addr.s_addr = htonl(c->addr) };
        ssize_t r = sendto(fd, c->text, strlen(c->text), MSG_DONTWAIT, (struct sockaddr *)&d, sizeof d);
        send_msg(h, PS_VMSG_DONE, c->id, r < 0 ? errno : 0, NULL, NULL);
        break;
    }
    case PS_VOP_CONNECT: do_connect(h, c); break;
    case PS_VOP_SEND: {
        int fd = fd_of(h, c->id);
        ssize_t r = send(fd, c->text, strlen(c->text), MSG_NOSIGNAL | MSG_DONTWAIT);
        send_msg(h, PS_VMSG_DONE, c->id, r < 0 ? errno : 0, NULL, NULL);
        break;
    }
    case PS_VOP_CLOSE: {
        int fd = fd_of(h, c->id);
        int r = close(fd); /* -1 gives the kernel's own EBADF */
        int err = r < 0 ? errno : 0;
        if (c->id < h->nbyid && h->byid[c->id]) h->s[h->byid[c->id] - 1].fd = -1;
        send_msg(h, PS_VMSG_DONE, c->id, err, NULL, NULL);
        break;
    }
    default: send_msg(h, PS_VMSG_DONE, c->id, EINVAL, NULL, NULL); break;
    }
}

/* Closes every descriptor but 0-2 and the two pipe ends. */
static void close_others(int a, int b)
{
    int lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo > 3) close_range(3, (unsigned)lo - 1, 0);
    if (hi > lo + 1) close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
    close_range((unsigned)hi + 1, ~0u, 0);
}

/* Leaves the helper no capability but CAP_NET_BIND_SERVICE (root's ports
 * below the unprivileged start), and that only as root: out of the bounding
 * set first (which needs CAP_SETPCAP), then uid for a user who is not root
 * (setuid clears every capability) or capset for root. No exec can bring
 * any back (bounding set, PR_SET_NO_NEW_PRIVS). 0, or the errno. */
static int drop_privileges(uint32_t uid)
{
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
        if (cap != CAP_NET_BIND_SERVICE && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) return errno;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return errno;
    if (uid != 0) {
        gid_t gid = (gid_t)uid;
        if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid((uid_t)uid) < 0) return errno;
        if (getuid() != (uid_t)uid || geteuid() != (uid_t)uid || setuid(0) == 0) return EPERM;
    } else {
        struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof data);
        data[0].effective = data[0].permitted = 1u << CAP_NET_BIND_SERVICE;
        if (syscall(SYS_capset, &hdr, data) < 0) return errno;
    }
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? errno : 0;
}

static int helper_main(void *p)
{
    const start_ctx *c = p;
    helper h;
    memset(&h, 0, sizeof h);
    h.cmd = c->cmd;
    h.msg = c->msg;
    close_others(c->cmd, c->msg);
    signal(SIGPIPE, SIG_IGN);
    /* A busy server holds many connections. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int err = drop_privileges(c->uid);
    if (err) {
        send_msg(&h, PS_VMSG_READY, 0, err, NULL, NULL);
        return 1;
    }
    h.ep = epoll_create1(EPOLL_CLOEXEC);
    if (h.ep < 0) {
        send_msg(&h, PS_VMSG_READY, 0, errno, NULL, NULL);
        return 1;
    }
    struct epoll_event ce = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
    if (epoll_ctl(h.ep, EPOLL_CTL_ADD, h.cmd, &ce) < 0) return 1;
    send_msg(&h, PS_VMSG_READY, 0, 0, NULL, NULL);
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(h.ep, evs, 64, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return 1;
        bool command = false;
        /* Sockets first, so an EOF that arrived before a command is seen
         * before it (as the simulated program would have). */
        for (int k = 0; k < n; k++) {
            if (evs[k].data.u64 == UINT64_MAX) {
                command = true;
                continue;
            }
            uint32_t i = (uint32_t)evs[k].data.u64;
            if (i >= h.ns || h.s[i].fd < 0) continue;
            switch (h.s[i].kind) {
            case HS_LISTENER: do_accept(&h, i); break;
            case HS_CONNECTING: connect_done(&h, i); break;
            case HS_UDP: do_udp_read(&h, i); break;
            default: do_read(&h, i); break;
            }
        }
        if (command) {
            ps_vcmd cmd;
            int r = read_all(h.cmd, &cmd, sizeof cmd);
            if (r <= 0) return 0; /* the parent is gone */
            cmd.text[PS_VTEXT - 1] = '\0';
            do_command(&h, &cmd);
        }
    }
}

/* ---- the parent side ---- */

bool ps_vproc_start(ps_vproc *p, uint32_t host, uint32_t uid, char *err, size_t n)
{
    p->pid = 0;
    p->cmd_fd = p->msg_fd = -1;
    int cp[2], mp[2];
    if (pipe2(cp, O_CLOEXEC) < 0) {
        snprintf(err, n, "pipe: %s", strerror(errno));
        return false;
    }
    if (pipe2(mp, O_CLOEXEC) < 0) {
        snprintf(err, n, "pipe: %s", strerror(errno));
        close(cp[0]);
        close(cp[1]);
        return false;
    }
    start_ctx c = { cp[0], mp[1], uid };
    pid_t pid = ps_netns_spawn(host, helper_main, &c);
    close(cp[0]);
    close(mp[1]);
    p->cmd_fd = cp[1];
    p->msg_fd = mp[0];
    if (pid < 0) {
        snprintf(err, n, "cannot start a process in namespace %s", ps_netns_name(host));
        close(p->cmd_fd);
        close(p->msg_fd);
        p->cmd_fd = p->msg_fd = -1;
        return false;
    }
    p->pid = pid;
    struct pollfd pf = { p->msg_fd, POLLIN, 0 };
    ps_vmsg m;
    memset(&m, 0, sizeof m);
    if (poll(&pf, 1, 5000) <= 0 || read_all(p->msg_fd, &m, sizeof m) != 1 ||
        m.kind != PS_VMSG_READY || m.err != 0) {
        snprintf(err, n, "the helper in %s did not start%s%s%s", ps_netns_name(host),
                 uid ? " as an unprivileged user" : " as root with only CAP_NET_BIND_SERVICE",
                 m.err ? ": " : "",
                 m.err ? strerror(m.err) : "");
        ps_vproc_kill(p);
        return false;
    }
    return true;
}

bool ps_vproc_send(ps_vproc *p, const ps_vcmd *c)
{
    return p->pid > 0 && write_all(p->cmd_fd, c, sizeof *c);
}

void ps_vproc_kill(ps_vproc *p)
{
    if (p->pid > 0) ps_netns_kill(p->pid);
    p->pid = 0;
    if (p->cmd_fd >= 0) close(p->cmd_fd);
    if (p->msg_fd >= 0) close(p->msg_fd);
    p->cmd_fd = p->msg_fd = -1;
}

static bool box_push(ps_vbox *b, const ps_vmsg *m)
{
    if (!ps_grow(&b->v, &b->cap, (size_t)b->n + 1, sizeof *b->v)) return false;
    b->v[b->n++] = *m;
    return true;
}

bool ps_vproc_poll(ps_vproc *procs, uint32_t n, ps_vbox *box, int timeout_ms)
{
    struct pollfd stack[64];
    struct pollfd *pf = n <= 64 ? stack : malloc(n * sizeof *pf);
    if (!pf) return false;
    for (uint32_t i = 0; i < n; i++) pf[i] = (struct pollfd){ procs[i].msg_fd, POLLIN, 0 };
    bool ok = true;
    int r = poll(pf, n, timeout_ms);
    for (uint32_t i = 0; r > 0 && i < n; i++) {
        if (!(pf[i].revents & (POLLIN | POLLHUP))) continue;
        /* Drain what is there without blocking: records are written whole. */
        for (;;) {
            struct pollfd one = { procs[i].msg_fd, POLLIN, 0 };
            if (poll(&one, 1, 0) <= 0 || !(one.revents & POLLIN)) break;
            ps_vmsg m;
            if (read_all(procs[i].msg_fd, &m, sizeof m) != 1) break;
            m.from = i;
            if (!box_push(box, &m)) ok = false;
        }
    }
    if (pf != stack) free(pf);
    return ok;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool ps_vproc_take(ps_vproc *procs, uint32_t n, ps_vbox *box,
                   bool (*match)(const void *ctx, const ps_vmsg *m), const void *ctx,
                   int timeout_ms, ps_vmsg *out)
{
    long long deadline = now_ms() + timeout_ms;
    size_t seen = 0;
    for (;;) {
        for (size_t k = seen; k < box->n; k++) {
            if (match(ctx, &box->v[k])) {
                *out = box->v[k];
                memmove(&box->v[k], &box->v[k + 1], (box->n - k - 1) * sizeof *box->v);
                box->n--;
                return true;
            }
        }
        seen = box->n;
        long long left = deadline - now_ms();
        if (left <= 0) return false;
        if (!ps_vproc_poll(procs, n, box, (int)left)) return false;
    }
}

void ps_vbox_free(ps_vbox *box)
{
    free(box->v);
    box->v = NULL;
    box->n = box->cap = 0;
}
