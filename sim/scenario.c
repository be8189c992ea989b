/* scenario.c — the scenario as data: OS profiles, name lookups and freeing
 * (scenario.h). The parser that builds one lives in lang/parse.c. */
#include "scenario.h"

#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- OS profiles ---- */

static const struct {
    const char *name;
    uint16_t eph_lo, eph_hi;
} os_profiles[PS_OS_COUNT] = {
    [PS_OS_LINUX] = { "linux", 32768, 60999 },
    [PS_OS_WINDOWS] = { "windows", 49152, 65535 },
    [PS_OS_MACOS] = { "macos", 49152, 65535 },
    [PS_OS_FREEBSD] = { "freebsd", 10000, 65535 },
};

const char *ps_os_name(ps_os os)
{
    return os < PS_OS_COUNT ? os_profiles[os].name : "?";
}

void ps_os_defaults(ps_os os, uint16_t *eph_lo, uint16_t *eph_hi, uint16_t *unpriv_start)
{
    if (os >= PS_OS_COUNT) os = PS_OS_LINUX;
    *eph_lo = os_profiles[os].eph_lo;
    *eph_hi = os_profiles[os].eph_hi;
    *unpriv_start = 1024;
}

/* ---- lookups and freeing ---- */

/* True if the NUL-terminated name equals s[0..len). */
bool ps_name_equals(const char *name, const char *s, size_t len)
{
    return name != NULL && strlen(name) == len && memcmp(name, s, len) == 0;
}

uint32_t ps_scenario_host_n(const ps_scenario *sc, const char *s, size_t len)
{
    for (uint32_t i = 0; i < sc->nhosts; i++)
        if (ps_name_equals(sc->hosts[i].name, s, len)) return i;
    return PS_NONE;
}

uint32_t ps_scenario_sock_n(const ps_scenario *sc, const char *s, size_t len)
{
    for (uint32_t i = 0; i < sc->nsocks; i++)
        if (ps_name_equals(sc->socks[i].name, s, len)) return i;
    return PS_NONE;
}

uint32_t ps_scenario_host(const ps_scenario *sc, const char *name)
{
    return ps_scenario_host_n(sc, name, strlen(name));
}

uint32_t ps_scenario_sock(const ps_scenario *sc, const char *name)
{
    return ps_scenario_sock_n(sc, name, strlen(name));
}

uint32_t ps_scenario_host_by_addr(const ps_scenario *sc, ps_addr addr)
{
    if (ps_addr_is_loopback(addr)) return PS_NONE;
    for (uint32_t i = 0; i < sc->nhosts; i++) {
        for (uint32_t k = 0; k < sc->hosts[i].naddrs; k++)
            if (sc->hosts[i].addrs[k] == addr) return i;
        for (uint32_t k = 0; k < sc->hosts[i].naddrs6; k++)
            if (sc->hosts[i].addrs6[k] == addr) return i;
    }
    return PS_NONE;
}

bool ps_scenario_inside(const ps_scenario *sc, uint32_t r, uint32_t h)
{
    const ps_host_spec *rs = &sc->hosts[r];
    if (!rs->router || r == h) return false;
    uint32_t mask = rs->inside_prefix ? ~0u << (32 - rs->inside_prefix) : 0;
    return (sc->hosts[h].addrs[0] & mask) == (rs->addrs[1] & mask);
}

uint32_t ps_scenario_gateway(const ps_scenario *sc, uint32_t h)
{
    for (uint32_t l = 0; l < sc->nlinks; l++) {
        const ps_link_spec *ls = &sc->links[l];
        uint32_t other = ls->a == h ? ls->b : ls->b == h ? ls->a : PS_NONE;
        if (other != PS_NONE && ps_scenario_inside(sc, other, h)) return other;
    }
    return PS_NONE;
}

ps_addr ps_scenario_intern6(ps_scenario *sc, const ps_in6 *a)
{
    ps_addr v4;
    if (ps_in6_mapped(a, &v4)) return v4;
    if (sc->naddrs6 == 0) {
        if (!ps_grow(&sc->addrs6, &sc->addrs6cap, 2, sizeof *sc->addrs6)) return PS_NONE;
        memset(sc->addrs6, 0, 2 * sizeof *sc->addrs6);
        sc->addrs6[1].b[15] = 1; /* ::1 */
        sc->naddrs6 = 2;
    }
    for (uint32_t i = 0; i < sc->naddrs6; i++)
        if (memcmp(sc->addrs6[i].b, a->b, 16) == 0) return i;
    if (sc->naddrs6 >= PS_MAX_ADDRS6 ||
        !ps_grow(&sc->addrs6, &sc->addrs6cap, (size_t)sc->naddrs6 + 1, sizeof *sc->addrs6))
        return PS_NONE;
    sc->addrs6[sc->naddrs6] = *a;
    return sc->naddrs6++;
}

ps_addr ps_scenario_find6(const ps_scenario *sc, const ps_in6 *a)
{
    ps_addr v4;
    if (ps_in6_mapped(a, &v4)) return v4;
    for (uint32_t i = 0; i < sc->naddrs6; i++)
        if (memcmp(sc->addrs6[i].b, a->b, 16) == 0) return i;
    static const ps_in6 any = { { 0 } }, loop = { { [15] = 1 } };
    if (memcmp(a->b, loop.b, 16) == 0) return PS_ADDR6_LOOPBACK;
    return memcmp(a->b, any.b, 16) == 0 ? PS_ADDR_ANY : PS_NONE;
}

ps_in6 ps_sc_in6(const ps_scenario *sc, ps_addr a)
{
    ps_in6 r = { { 0 } };
    if (ps_addr_is_v6(a)) {
        PS_ASSERT(a < sc->naddrs6);
        if (a < sc->naddrs6) r = sc->addrs6[a];
        else if (a == PS_ADDR6_LOOPBACK) r.b[15] = 1;
    } else if (a != PS_ADDR_ANY) {
        r.b[10] = r.b[11] = 0xff;
        r.b[12] = (uint8_t)(a >> 24);
        r.b[13] = (uint8_t)(a >> 16);
        r.b[14] = (uint8_t)(a >> 8);
        r.b[15] = (uint8_t)a;
    }
    return r;
}

char *ps_sc_addr_str(const ps_scenario *sc, ps_addr a, bool v6, char *buf)
{
    if (!v6 && !ps_addr_is_v6(a)) return ps_addr_str(a, buf);
    ps_in6 x = ps_sc_in6(sc, a);
    return ps_in6_str(&x, buf);
}

char *ps_sc_endpoint_str(const ps_scenario *sc, ps_addr a, bool v6, uint16_t port, char *buf)
{
    if (!v6 && !ps_addr_is_v6(a)) return ps_endpoint_str(a, port, buf);
    ps_in6 x = ps_sc_in6(sc, a);
    return ps_in6_endpoint_str(&x, port, buf);
}

/* Frees the strings a question owns. */
static void question_clear(ps_question *q)
{
    free(q->id);
    free(q->text);
    for (uint32_t i = 0; i < q->nchoices; i++) free(q->choices[i]);
    free(q->answer);
    free(q->hint);
    free(q->explain);
}

void ps_scenario_free(ps_scenario *sc)
{
    if (sc == NULL) return;
    for (uint32_t i = 0; i < sc->nhosts; i++) free(sc->hosts[i].name);
    for (uint32_t i = 0; i < sc->nprocs; i++) {
        free(sc->procs[i].name);
        free(sc->procs[i].user);
    }
    for (uint32_t i = 0; i < sc->nsocks; i++) free(sc->socks[i].name);
    for (uint32_t i = 0; i < sc->nactions; i++) {
        free(sc->actions[i].text);
        free(sc->actions[i].target);
    }
    for (uint32_t i = 0; i < sc->nexpects; i++) free(sc->expects[i].text);
    for (uint32_t i = 0; i < sc->nquestions; i++) question_clear(&sc->questions[i]);
    free(sc->hosts);
    free(sc->links);
    free(sc->procs);
    free(sc->socks);
    free(sc->actions);
    free(sc->expects);
    free(sc->questions);
    free(sc->forwards);
    free(sc->file);
    free(sc->expect_file);
    free(sc->title);
    free(sc->addrs6);
    free(sc);
}

