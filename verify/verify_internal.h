/* verify_internal.h — what the parts of `portsim verify` share: the replay
 * context (one row per compared operation, one instance per listen or
 * connect), the timing constants, and a few helpers. verify.c replays,
 * verify_report.c writes the table, verify_preflight.c checks the size
 * before a run, verify_selftest.c proves containment.
 * Nothing outside verify/verify*.c includes this. */
#ifndef PS_VERIFY_INTERNAL_H
#define PS_VERIFY_INTERNAL_H

#include "engine_ops.h"
#include "netns.h"
#include "table.h"
#include "vproc.h"

/* Users other than root get uids of this run alone, so two runs at once
 * share none: the k-th such user of the verify process PID runs as
 * UID_BASE + PID * UID_PER_RUN + k. Pids stay below 2^22 (PID_MAX_LIMIT),
 * so the uids lie in 2^30 .. 2^31-1, and a scenario may name at most
 * UID_PER_RUN users other than root. */
#define UID_BASE 0x40000000u
#define UID_PER_RUN 256u
#define TIME_WAIT_US 60000000ull /* TCP_TIMEWAIT_LEN */
#define CMD_WAIT_MS 2000         /* a command's answer (a connect's handshake) */
#define ACCEPT_WAIT_MS 1000      /* the listener's helper reporting the accept */
#define QUIET_MS 20              /* after send/close/kill: replies and FINs cross */
#define SNAP_TRIES 40            /* socket tables re-read up to 40 x 25 ms */

/* Whether the replay stops before a step at `next`: a TIME-WAIT that began
 * at tw_first (PS_TIME_NEVER: none yet) would have to run out, which on the
 * kernel takes a real minute. */
static inline bool ps_verify_past_horizon(ps_time tw_first, ps_time next)
{
    return tw_first != PS_TIME_NEVER && next >= tw_first + TIME_WAIT_US;
}

/* Whether a router's UDP translation entry (30 s, or 120 s as a stream)
 * runs out in the simulation at or before `next`: the kernel's would need
 * that many real seconds, so the replay stops there as for TIME-WAIT. */
static inline bool ps_verify_udp_entry_expires(const ps_engine *e, ps_time next)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    ps_time now = ps_engine_now(e);
    for (uint32_t h = 0; h < sc->nhosts; h++) {
        const ps_nat *t = sc->hosts[h].router ? ps_engine_nat(e, h) : NULL;
        for (uint32_t i = 0; t && i < t->n; i++)
            if (t->v[i].proto == PS_PROTO_UDP && ps_nat_live(t, i, now) && t->v[i].expires <= next) return true;
    }
    return false;
}

typedef enum { ST_AGREE, ST_DIFFER, ST_SKIP, ST_SIMPLE } row_status;
typedef enum { RK_INST, RK_SIMPLE, RK_TABLE } row_kind;

typedef struct row {
    ps_time t;
    uint32_t host;        /* the host it happens on */
    uint32_t action;      /* scenario action, PS_NONE for a socket-table row */
    row_kind kind;        /* listen/connect instances, one answer, or a socket table */
    char op[200];         /* "" until filled from the action */
    char *eng, *ker;      /* the two cells (malloc'd) */
    row_status st;
    char skip[120];       /* why it was not replayed ("" if it was) */
    char *detail;         /* socket-table rows: what differs (malloc'd) */
    /* send, close, kill: one answer each */
    bool k_known;
    ps_errno e_err;
    int k_err;
} row;

/* One listen or one connect (one repetition of a `repeat`). */
typedef struct inst {
    uint32_t row;
    uint32_t host, proc;   /* proc: the engine's process index */
    uint32_t sock;         /* its scenario name (`as`), or PS_NONE */
    bool listen, reuseaddr, reuseport;
    ps_addr dst;           /* connect: destination; listen: local address */
    uint16_t dport;        /* connect: destination port; listen: local port */
    uint16_t from_port;    /* connect: pinned source port or 0 */
    uint32_t dst_host;     /* connect: the host the destination is on, or PS_NONE */
    const char *reply;     /* listen: the reply text (scenario-owned), or NULL */
    uint32_t e_slot;       /* connect: the engine's socket, while it lives */
    /* the engine's answer */
    bool e_known, e_hashed;
    ps_errno e_err;
    ps_addr e_saddr;
    uint16_t e_sport;
    uint32_t e_acc;        /* the listen inst that accepted it, or PS_NONE */
    /* the kernel's */
    bool k_known;
    int k_err;             /* 0 or errno; -1: no answer */
    ps_addr k_saddr;
    uint16_t k_sport;
    uint32_t k_acc;
    ps_addr from_addr;     /* connect: the source address asked for, or 0 */
    bool accepted;         /* a connection named by `accept as`: no operation of its
                              own; `peer` is the connect inst at the other end */
    uint32_t peer;
    /* connect through a masquerading router: the outside port it got */
    bool e_nat, k_nat;
    uint16_t e_nat_port, k_nat_port;
    bool udp;              /* a UDP bind (listen is true) or UDP connect */
    uint8_t family;        /* ps_family of the socket (AF_INET6: dst is shown and
                              bound in IPv6 form) */
    bool v6only;           /* listen: IPV6_V6ONLY */
} inst;

/* A socket operation a shell command did, to be done again on the kernel. */
typedef struct subop {
    ps_action_kind kind;   /* LISTEN, CONNECT (ref: inst) or KILL (ref: row) */
    uint32_t ref, host, pid;
} subop;

typedef struct vctx {
    const ps_scenario *sc;
    ps_engine *e;
    row *rows;
    uint32_t nrows, caprows;
    inst *insts;
    uint32_t ninsts, capinsts;
    uint32_t *act_row;     /* per action: its row, or PS_NONE */
    uint32_t *sock_inst;   /* per sock spec: the inst that made it, or PS_NONE */
    uint32_t *slot_inst;   /* per engine socket slot: listen/connect inst */
    uint32_t nslots;
    ps_table conns;        /* engine client 4-tuple -> connect inst */
    /* per engine process: its helper, and whether the kernel side has it */
    ps_vproc *vp;
    uint8_t *alive;        /* 1 while the process exists on the kernel side */
    uint32_t nvp;
    const char **users;    /* users other than root, in order of appearance */
    uint32_t nusers;
    ps_vbox box;
    subop *sub;            /* what the current shell step did */
    uint32_t nsub, capsub;
    uint32_t step_action, step_inst; /* the action the current step ran */
    ps_time tw_first;      /* first TIME-WAIT in the engine, PS_TIME_NEVER */
    bool horizon;          /* replay stopped (TIME-WAIT would have to expire) */
    bool horizon_udp;      /* ... or a router's UDP entry */
    bool quiet;            /* wait QUIET_MS before the next kernel step */
    bool nomem;
    char fatal[512];       /* a helper could not be started: stop */
    uint32_t *adopt;       /* accepted insts the kernel side must name (ADOPT) */
    uint32_t nadopt, capadopt;
} vctx;

/* Actions whose socket operations are replayed one by one, each with a row
 * of its own: a shell command's (launchers, clients, kill) and a page load's
 * connections (`fetch`, sim/http.h), which later steps may open too. */
static inline bool ps_verify_has_subops(ps_action_kind k)
{
    return k == PS_ACT_SHELL || k == PS_ACT_FETCH;
}

/* The uid of this run's k-th user other than root (k < UID_PER_RUN). */
uint32_t ps_verify_uid(uint32_t k);
/* Linux's name for an errno value ("EADDRINUSE"), or "errno N". */
const char *ps_verify_errname(int err);
/* strdup that records running out of memory in c->nomem. */
/* A listen's address as the scenario writes it: "3000", "10.0.0.1:8080",
 * "[::]:3000" (v6: an AF_INET6 socket), "[2001:db8::1]:80". buf >=
 * PS_ENDPOINT_STRLEN. */
char *ps_verify_listen_str(const ps_scenario *sc, ps_addr a, bool v6, uint16_t port, char *buf);
char *ps_verify_strdup(vctx *c, const char *s);
/* A simulated time as the table shows it ("150ms", "1.5s"). */
void ps_verify_time_cell(ps_time t, char *buf);
/* Sends a command to helper p and waits for its answer: 0, an errno, or -1
 * when no answer came. *out (may be NULL) receives the whole message. */
int ps_verify_command(vctx *c, uint32_t p, const ps_vcmd *cmd, ps_vmsg *out);

/* verify_report.c: fills every row's two cells and its verdict, then prints
 * the table and the summary; returns the exit code. */
void ps_verify_finish_rows(vctx *c);
int ps_verify_print_table(const vctx *c);

/* verify_preflight.c: whether the scenario fits verify's bounds and this
 * machine's limits, checked before anything is created. If not, writes why
 * into why and returns false (the command then exits 3). */
bool ps_verify_preflight(const ps_scenario *sc, char *why, size_t n);

/* verify_selftest.c: `portsim verify --self-test`. */
int ps_verify_self_test(void);

#endif
