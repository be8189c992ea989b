/* verify_report.c — the table of `portsim verify`: one row per replayed
 * operation and per host's socket table, the two answers side by side, and
 * the summary line (verify_internal.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "load.h"
#include "units.h"
#include "verify_internal.h"

/* ---- the table ---- */

static const char *listener_label(const vctx *c, uint32_t li, char *buf, size_t n)
{
    const inst *l = &c->insts[li];
    char ep[PS_ENDPOINT_STRLEN];
    if (l->dst || l->family == PS_FAM_INET6) ps_sc_endpoint_str(c->sc, l->dst, l->family == PS_FAM_INET6, l->dport, ep);
    else snprintf(ep, sizeof ep, "*:%u", l->dport);
    /* Which member of a SO_REUSEPORT group gets a connection is a keyed hash
     * in the kernel: only the group is compared. */
    if (l->reuseport) snprintf(buf, n, "a reuseport listener on %s", ep);
    else if (l->sock != PS_NONE) snprintf(buf, n, "%s", c->sc->socks[l->sock].name);
    else snprintf(buf, n, "%s %s", ps_engine_proc(c->e, l->proc)->name, ep);
    return buf;
}

/* One listen's or connect's answer, as a cell. */
static void inst_cell(const vctx *c, const inst *in, bool kernel, char *buf, size_t n)
{
    bool known = kernel ? in->k_known : in->e_known;
    int kerr = in->k_err;
    if (!known) {
        snprintf(buf, n, "%s", kernel ? "not done" : "no answer (still SYN-SENT)");
        return;
    }
    if (kernel ? kerr != 0 : in->e_err != PS_OK) {
        if (kernel && kerr < 0) snprintf(buf, n, "no answer within %d ms", CMD_WAIT_MS);
        else snprintf(buf, n, "%s", kernel ? ps_verify_errname(kerr) : ps_errno_name(in->e_err));
        return;
    }
    const ps_host_spec *h = &c->sc->hosts[in->host];
    uint16_t sport = kernel ? in->k_sport : in->e_sport;
    bool eph = sport >= h->eph_lo && sport <= h->eph_hi;
    if (in->listen && in->udp && in->dport == 0) { /* bind to port 0: the OS picks */
        if (eph) snprintf(buf, n, "ok, port in %u-%u", h->eph_lo, h->eph_hi);
        else snprintf(buf, n, "ok, port %u outside %u-%u", sport, h->eph_lo, h->eph_hi);
        return;
    }
    if (in->listen || in->accepted) {
        snprintf(buf, n, "ok");
        return;
    }
    uint32_t acc = kernel ? in->k_acc : in->e_acc;
    char who[96], port[64];
    if (acc != PS_NONE) {
        char lb[80];
        snprintf(who, sizeof who, ", accepted by %s", listener_label(c, acc, lb, sizeof lb));
    } else {
        snprintf(who, sizeof who, ", not accepted");
    }
    if (in->from_addr) {
        char sa[16];
        ps_addr saddr = kernel ? in->k_saddr : in->e_saddr;
        snprintf(port, sizeof port, ", from %s%s", ps_addr_str(saddr, sa),
                 sport == in->from_port || !in->from_port ? "" : " (another port than asked)");
        if (in->from_port) snprintf(port + strlen(port), sizeof port - strlen(port), ":%u", sport);
        else if (sport < h->eph_lo || sport > h->eph_hi) snprintf(port, sizeof port, ", port %u outside %u-%u", sport, h->eph_lo, h->eph_hi);
    } else if (in->from_port) {
        if (sport == in->from_port) snprintf(port, sizeof port, ", from %u", sport);
        else snprintf(port, sizeof port, ", from %u (asked for %u)", sport, in->from_port);
    } else if (eph) {
        snprintf(port, sizeof port, ", port in %u-%u", h->eph_lo, h->eph_hi);
    } else {
        snprintf(port, sizeof port, ", port %u outside %u-%u", sport, h->eph_lo, h->eph_hi);
    }
    char nat[80] = "";
    if (kernel ? in->k_nat : in->e_nat) {
        /* The router keeps the port when it is free, else picks one at
         * random (docs/reference/nat.md): compare which, and the range. */
        uint16_t np = kernel ? in->k_nat_port : in->e_nat_port;
        if (np == sport) snprintf(nat, sizeof nat, ", router kept the port");
        else if (np >= 1024) snprintf(nat, sizeof nat, ", router changed the port (in 1024-65535)");
        else snprintf(nat, sizeof nat, ", router changed the port to %u", np);
    }
    if (in->udp) snprintf(buf, n, "connected%s", port); /* no handshake, nobody accepts */
    else snprintf(buf, n, "established%s%s%s", who, port, nat);
}

typedef struct agg {
    char s[200];
    uint32_t n;
} agg;

/* The cell of a row of several instances: "2500x established, ...". */
static char *agg_cell(vctx *c, const uint32_t *ids, uint32_t nids, bool kernel)
{
    agg *a = calloc(nids ? nids : 1, sizeof *a);
    if (!a) {
        c->nomem = true;
        return NULL;
    }
    uint32_t na = 0;
    for (uint32_t k = 0; k < nids; k++) {
        char s[200];
        inst_cell(c, &c->insts[ids[k]], kernel, s, sizeof s);
        uint32_t j = 0;
        while (j < na && strcmp(a[j].s, s) != 0) j++;
        if (j == na) snprintf(a[na++].s, sizeof a->s, "%s", s);
        a[j].n++;
    }
    size_t cap = na * 216 + 1, len = 0;
    char *out = malloc(cap);
    if (out) {
        out[0] = '\0';
        for (uint32_t j = 0; j < na; j++) {
            if (nids > 1)
                len += (size_t)snprintf(out + len, cap - len, "%s%ux %s", j ? "; " : "", a[j].n, a[j].s);
            else
                len += (size_t)snprintf(out + len, cap - len, "%s", a[j].s);
        }
    } else {
        c->nomem = true;
    }
    free(a);
    return out;
}

/* s with every `from` replaced by `to` (malloc'd). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), count = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + fl, from)) count++;
    char *out = malloc(strlen(s) + count * (tl > fl ? tl - fl : 0) + 1);
    if (!out) return NULL;
    char *o = out;
    for (const char *p = s;;) {
        const char *q = strstr(p, from);
        if (!q) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    return out;
}

char *ps_verify_listen_str(const ps_scenario *sc, ps_addr a, bool v6, uint16_t port, char *buf)
{
    if (a || v6) return ps_sc_endpoint_str(sc, a, v6, port, buf);
    snprintf(buf, PS_ENDPOINT_STRLEN, "%u", port);
    return buf;
}

static void op_text(const vctx *c, const ps_action *a, char *buf, size_t n)
{
    char ep[PS_ENDPOINT_STRLEN];
    switch (a->kind) {
    case PS_ACT_LISTEN: {
        ps_verify_listen_str(c->sc, a->addr, a->family == PS_FAM_INET6 || ps_addr_is_v6(a->addr), a->port, ep);
        snprintf(buf, n, "%s listen %s%s%s%s%s%s", c->sc->procs[a->proc].name, ep,
                 a->sock != PS_NONE ? " as " : "", a->sock != PS_NONE ? c->sc->socks[a->sock].name : "",
                 a->reuseaddr ? " reuseaddr" : "", a->reuseport ? " reuseport" : "",
                 a->v6only ? " v6only" : "");
        break;
    }
    case PS_ACT_CONNECT: {
        char from[32] = "", rep[24] = "", fa[22];
        if (a->target) snprintf(ep, sizeof ep, "%.23s", a->target);
        else ps_sc_endpoint_str(c->sc, a->addr, false, a->port, ep);
        if (a->from_addr && a->from_port) snprintf(from, sizeof from, " from %s", ps_endpoint_str(a->from_addr, a->from_port, fa));
        else if (a->from_addr) snprintf(from, sizeof from, " from %s", ps_addr_str(a->from_addr, fa));
        else if (a->from_port) snprintf(from, sizeof from, " from %u", a->from_port);
        if (a->repeat > 1) snprintf(rep, sizeof rep, " x%u", a->repeat);
        snprintf(buf, n, "%s connect %s%s%s%s%s%s%s", c->sc->procs[a->proc].name,
                 a->target ? a->target : ep, from,
                 a->sock != PS_NONE ? " as " : "", a->sock != PS_NONE ? c->sc->socks[a->sock].name : "",
                 rep, a->reuseaddr ? " reuseaddr" : "", a->reuseport ? " reuseport" : "");
        break;
    }
    case PS_ACT_BIND:
        if (a->addr) ps_endpoint_str(a->addr, a->port, ep);
        else snprintf(ep, sizeof ep, "%u", a->port);
        snprintf(buf, n, "%s bind %s%s%s%s%s", c->sc->procs[a->proc].name, ep,
                 a->sock != PS_NONE ? " as " : "", a->sock != PS_NONE ? c->sc->socks[a->sock].name : "",
                 a->reuseaddr ? " reuseaddr" : "", a->reuseport ? " reuseport" : "");
        break;
    case PS_ACT_LISTEN_SOCK: snprintf(buf, n, "%s listen", c->sc->socks[a->sock].name); break;
    case PS_ACT_ACCEPT:
        snprintf(buf, n, "%s accept as %s", c->sc->socks[a->listener].name, c->sc->socks[a->sock].name);
        break;
    case PS_ACT_SEND:
        snprintf(buf, n, "%s send \"%.24s%s\"", c->sc->socks[a->sock].name, a->text,
                 strlen(a->text) > 24 ? "..." : "");
        break;
    case PS_ACT_CLOSE: snprintf(buf, n, "%s close", c->sc->socks[a->sock].name); break;
    case PS_ACT_UDP_BIND:
    case PS_ACT_UDP_CONNECT: {
        bool bind = a->kind == PS_ACT_UDP_BIND;
        char from[16] = "";
        if (!bind || a->addr) ps_endpoint_str(a->addr, a->port, ep);
        else snprintf(ep, sizeof ep, "%u", a->port);
        if (a->from_port) snprintf(from, sizeof from, " from %u", a->from_port);
        snprintf(buf, n, "%s udp %s %s%s%s%s%s%s", c->sc->procs[a->proc].name, bind ? "bind" : "connect",
                 ep, from, a->sock != PS_NONE ? " as " : "", a->sock != PS_NONE ? c->sc->socks[a->sock].name : "",
                 a->reuseaddr ? " reuseaddr" : "", a->reuseport ? " reuseport" : "");
        break;
    }
    case PS_ACT_SENDTO:
        ps_endpoint_str(a->addr, a->port, ep);
        snprintf(buf, n, "%s sendto %s \"%.24s%s\"", c->sc->socks[a->sock].name, ep, a->text,
                 strlen(a->text) > 24 ? "..." : "");
        break;
    case PS_ACT_KILL: snprintf(buf, n, "kill %u", a->pid); break;
    case PS_ACT_SHELL: snprintf(buf, n, "shell \"%.30s\"", a->text); break;
    case PS_ACT_FETCH:
        snprintf(buf, n, "fetch %s resources %u http%u%s%s", a->target, (unsigned)a->resources,
                 (unsigned)a->http, a->sock != PS_NONE ? " as " : "",
                 a->sock != PS_NONE ? c->sc->socks[a->sock].name : "");
        break;
    default: snprintf(buf, n, "?"); break;
    }
}

/* Fills every action row's cells and status. */
void ps_verify_finish_rows(vctx *c)
{
    /* Instances grouped by row (counting sort). */
    uint32_t *start = calloc(c->nrows + 1, sizeof *start);
    uint32_t *ids = malloc((c->ninsts ? c->ninsts : 1) * sizeof *ids);
    if (!start || !ids) {
        free(start);
        free(ids);
        c->nomem = true;
        return;
    }
    for (uint32_t i = 0; i < c->ninsts; i++) start[c->insts[i].row + 1]++;
    for (uint32_t r = 0; r < c->nrows; r++) start[r + 1] += start[r];
    uint32_t *fill = calloc(c->nrows + 1, sizeof *fill);
    if (!fill) {
        free(start);
        free(ids);
        c->nomem = true;
        return;
    }
    for (uint32_t i = 0; i < c->ninsts; i++) {
        uint32_t r = c->insts[i].row;
        ids[start[r] + fill[r]++] = i;
    }
    free(fill);
    for (uint32_t ri = 0; ri < c->nrows; ri++) {
        row *r = &c->rows[ri];
        if (r->kind == RK_TABLE) continue; /* a socket-table row: already done */
        if (!r->op[0]) op_text(c, &c->sc->actions[r->action], r->op, sizeof r->op);
        uint32_t n = start[ri + 1] - start[ri];
        if (r->kind == RK_INST && n == 0) { /* an `accept as` the engine never filled */
            r->eng = ps_verify_strdup(c, "no connection to name");
            r->ker = ps_verify_strdup(c, r->skip[0] ? r->skip : "no connection to name");
        } else if (r->kind == RK_INST) {
            r->eng = agg_cell(c, ids + start[ri], n, false);
            r->ker = r->skip[0] ? ps_verify_strdup(c, r->skip) : agg_cell(c, ids + start[ri], n, true);
        } else {
            r->eng = ps_verify_strdup(c, r->e_err == PS_OK ? "ok" : ps_errno_name(r->e_err));
            if (r->skip[0]) r->ker = ps_verify_strdup(c, r->skip);
            else if (!r->k_known) r->ker = ps_verify_strdup(c, "not done");
            else if (r->k_err < 0) r->ker = ps_verify_strdup(c, "no answer");
            else r->ker = ps_verify_strdup(c, r->k_err == 0 ? "ok" : ps_verify_errname(r->k_err));
        }
        if (!r->eng || !r->ker) {
            c->nomem = true;
            break;
        }
        if (r->skip[0]) {
            r->st = ST_SKIP;
        } else if (strcmp(r->eng, r->ker) == 0) {
            r->st = ST_AGREE;
        } else {
            /* portsim says EHOSTUNREACH for every address it cannot reach;
             * a kernel without any route says ENETUNREACH (docs/verify.md). */
            char *k2 = replace_all(r->ker, "ENETUNREACH", "EHOSTUNREACH");
            r->st = k2 && strcmp(k2, r->eng) == 0 && strcmp(k2, r->ker) != 0 ? ST_SIMPLE : ST_DIFFER;
            free(k2);
        }
    }
    free(start);
    free(ids);
}

/* Rows in time order, creation order within a time (rows made up front,
 * for `accept as` lines, take their place). */
static const vctx *order_ctx;
static int row_order(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    ps_time tx = order_ctx->rows[x].t, ty = order_ctx->rows[y].t;
    if (tx != ty) return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

int ps_verify_print_table(const vctx *c)
{
    static const char *heads[6] = { "time", "host", "operation", "portsim", "kernel", "agree" };
    static const char *agree[] = { "yes", "NO", "skipped", "simplified" };
    size_t w[6];
    for (int k = 0; k < 6; k++) w[k] = strlen(heads[k]);
    char t[32];
    for (uint32_t i = 0; i < c->nrows; i++) {
        const row *r = &c->rows[i];
        ps_verify_time_cell(r->t, t);
        const char *cells[6] = { t, r->host != PS_NONE ? c->sc->hosts[r->host].name : "-", r->op,
                                 r->eng ? r->eng : "", r->ker ? r->ker : "", agree[r->st] };
        for (int k = 0; k < 6; k++)
            if (strlen(cells[k]) > w[k]) w[k] = strlen(cells[k]);
    }
    printf("%-*s | %-*s | %-*s | %-*s | %-*s | %s\n", (int)w[0], heads[0], (int)w[1], heads[1],
           (int)w[2], heads[2], (int)w[3], heads[3], (int)w[4], heads[4], heads[5]);
    for (int k = 0; k < 6; k++) {
        for (size_t j = 0; j < w[k] + (k ? 2 : 1) - (k == 5); j++) putchar('-');
        if (k < 5) putchar('|');
    }
    putchar('\n');
    unsigned n_agree = 0, n_differ = 0, n_skip = 0;
    uint32_t *order = malloc((c->nrows ? c->nrows : 1) * sizeof *order);
    for (uint32_t i = 0; order && i < c->nrows; i++) order[i] = i;
    order_ctx = c;
    if (order) qsort(order, c->nrows, sizeof *order, row_order);
    for (uint32_t i = 0; i < c->nrows; i++) {
        const row *r = &c->rows[order ? order[i] : i];
        ps_verify_time_cell(r->t, t);
        printf("%-*s | %-*s | %-*s | %-*s | %-*s | %s\n", (int)w[0], t, (int)w[1],
               r->host != PS_NONE ? c->sc->hosts[r->host].name : "-", (int)w[2], r->op, (int)w[3],
               r->eng ? r->eng : "", (int)w[4], r->ker ? r->ker : "", agree[r->st]);
        if (r->st == ST_AGREE) n_agree++;
        else if (r->st == ST_DIFFER) n_differ++;
        else n_skip++;
    }
    free(order);
    bool notes = false;
    for (uint32_t i = 0; i < c->nrows; i++) {
        const row *r = &c->rows[i];
        if (r->st == ST_SIMPLE && !notes) {
            notes = true;
            printf("\nsimplified: portsim reports EHOSTUNREACH for any address it has no link to; "
                   "the kernel, with no route at all, ENETUNREACH.\n");
        }
    }
    for (uint32_t i = 0; i < c->nrows; i++)
        if (c->rows[i].detail && c->rows[i].detail[0]) {
            printf("\nsockets that differ at %s:\n%s", (ps_verify_time_cell(c->rows[i].t, t), t), c->rows[i].detail);
        }
    printf("\n%u agree, %u differ, %u skipped\n", n_agree, n_differ, n_skip);
    return n_differ ? PS_EXIT_FAILED : PS_EXIT_OK;
}
