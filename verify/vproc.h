/* vproc.h — the kernel side of `portsim verify`: one helper process per
 * simulated process, living in its host's network namespace (netns.h) as
 * that process's user, holding real sockets for as long as the simulated
 * process would.
 *
 * The parent (which never opens a socket) sends commands over a pipe; the
 * helper answers each with a DONE message and reports, unasked, every
 * connection its listeners accept. Like portsim's programs, a helper reads
 * and discards what arrives, answers each request on an accepted connection
 * with the listener's reply text, and closes a connection as soon as the
 * peer has closed it (so CLOSE-WAIT passes at once, as in tcp.c). A UDP
 * socket with a reply text reads every datagram and answers its sender; any
 * other UDP socket is never read, so an ICMP error stays pending for the
 * socket's next call, as for portsim's programs (docs/reference/udp.md).
 *
 * Before its first socket a helper keeps no capability but
 * CAP_NET_BIND_SERVICE, and that only as root: a non-root helper drops to its
 * own uid (setgroups, setgid, setuid), so EACCES below the unprivileged start
 * is the kernel's answer; a root helper stays uid 0 (SO_REUSEPORT compares
 * uids) with every other capability gone. Killing the helper (SIGKILL) is a
 * real `kill`: the kernel closes its sockets. */
#ifndef PS_VPROC_H
#define PS_VPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base.h"

typedef struct ps_vproc {
    pid_t pid;   /* 0 when not running (never started, failed, or killed) */
    int cmd_fd;  /* commands to the helper */
    int msg_fd;  /* messages from it */
} ps_vproc;

enum ps_vop {
    PS_VOP_LISTEN = 1, /* socket, SO_REUSEADDR/PORT, bind(addr:port), listen */
    PS_VOP_CONNECT,    /* socket, bind(0.0.0.0:from) if pinned, connect, wait */
    PS_VOP_SEND,       /* send(text) on socket id */
    PS_VOP_CLOSE,      /* close() socket id */
    PS_VOP_BIND,       /* socket, SO_REUSEADDR/PORT, bind(addr:port); no listen */
    PS_VOP_LISTEN_ID,  /* listen() on the bound socket id; text: its reply */
    PS_VOP_ADOPT,      /* the accepted connection addr:port <- raddr:rport is now id */
    PS_VOP_UDP_BIND,   /* UDP socket, SO_REUSEADDR/PORT, bind(addr:port); text: reply */
    PS_VOP_UDP_CONNECT,/* UDP socket, bind(0.0.0.0:from) if pinned, connect(addr:port) */
    PS_VOP_SENDTO,     /* sendto(text, addr:port) on socket id */
    PS_VOP_UDP_COUNT,  /* how many datagrams UDP socket id has received (a socket
                          that is never read is drained: the replay is over) */
};

#define PS_VTEXT 240

typedef struct ps_vcmd {
    uint32_t op;        /* enum ps_vop */
    uint32_t id;        /* the parent's name for the socket (listen/connect create it) */
    ps_addr addr;       /* LISTEN: local address (0 = any); CONNECT: destination */
    uint16_t port;      /* LISTEN: local port; CONNECT: destination port */
    uint16_t from_port; /* CONNECT: pinned source port, 0 = the kernel picks */
    uint8_t reuseaddr, reuseport;
    char text[PS_VTEXT]; /* SEND: payload; LISTEN: reply text; CONNECT: a request
                            to send once connected, closing on the answer ("" = none) */
    ps_addr from_addr;  /* CONNECT: source address to bind first, 0 = the route's */
    ps_addr raddr;      /* ADOPT: the peer's address and port */
    uint16_t rport;
    uint8_t inet6;      /* LISTEN, CONNECT: an AF_INET6 socket, addressed by addr6 */
    uint8_t v6only;     /* LISTEN: IPV6_V6ONLY 1 (else set to 0 explicitly) */
    uint8_t addr6[16];  /* inet6: addr as that socket writes it (::ffff:a.b.c.d for IPv4) */
} ps_vcmd;

enum ps_vmsg_kind {
    PS_VMSG_READY = 1, /* the helper is in its namespace as its user (err: why not) */
    PS_VMSG_DONE,      /* a command finished: err 0 or an errno; CONNECT: when
                          established or refused, with the local endpoint;
                          UDP_BIND, UDP_CONNECT: with the local endpoint */
    PS_VMSG_ACCEPT,    /* listener `id` accepted local <- remote */
};

typedef struct ps_vmsg {
    uint32_t kind;  /* enum ps_vmsg_kind */
    uint32_t id;    /* the command's socket id; ACCEPT: the listener's */
    int32_t err;    /* 0 or an errno value */
    ps_addr laddr, raddr;
    uint16_t lport, rport;
    uint32_t from;  /* set by the parent: index of the helper that sent it */
    uint32_t count; /* DONE of UDP_COUNT: datagrams received */
    uint8_t v6;     /* bit 0: laddr is IPv6, in l6; bit 1: raddr, in r6 (the parent
                       turns them into the scenario's ps_addr); IPv4-mapped ones
                       arrive as IPv4 in laddr/raddr */
    uint8_t l6[16], r6[16];
} ps_vmsg;

/* Starts a helper in host's namespace, as uid (0: root with only
 * CAP_NET_BIND_SERVICE), and waits for it to report ready. On failure writes
 * why into err. */
bool ps_vproc_start(ps_vproc *p, uint32_t host, uint32_t uid, char *err, size_t n);

/* Sends one command. False if the helper is not running. */
bool ps_vproc_send(ps_vproc *p, const ps_vcmd *c);

/* SIGKILLs the helper (the kernel closes its sockets) and reaps it. */
void ps_vproc_kill(ps_vproc *p);

/* Messages received but not yet taken. */
typedef struct ps_vbox {
    ps_vmsg *v;
    uint32_t n, cap;
} ps_vbox;

/* Reads every message that arrives within timeout_ms (stops early once
 * something arrived) from the n helpers into box. False when memory ran out. */
bool ps_vproc_poll(ps_vproc *procs, uint32_t n, ps_vbox *box, int timeout_ms);

/* Removes and returns in *out the first message in box for which
 * match(ctx, msg) holds, waiting up to timeout_ms for it. */
bool ps_vproc_take(ps_vproc *procs, uint32_t n, ps_vbox *box,
                   bool (*match)(const void *ctx, const ps_vmsg *m), const void *ctx,
                   int timeout_ms, ps_vmsg *out);

void ps_vbox_free(ps_vbox *box);

#endif
