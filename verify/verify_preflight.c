/* verify_preflight.c — before `portsim verify` creates anything: does the
 * scenario fit verify's own bounds (docs/verify.md, "Limits")? A scenario
 * that does not is refused with exit 3 and the bound it exceeds, instead of
 * failing halfway. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "verify_internal.h"

/* Users other than root, each with a uid of its own (UID_PER_RUN). */
static uint32_t other_users(const ps_scenario *sc)
{
    uint32_t n = 0;
    for (uint32_t p = 0; p < sc->nprocs; p++) {
        const char *u = sc->procs[p].user;
        bool first = strcmp(u, "root") != 0;
        for (uint32_t q = 0; first && q < p; q++) first = strcmp(sc->procs[q].user, u) != 0;
        n += first;
    }
    return n;
}

bool ps_verify_preflight(const ps_scenario *sc, char *why, size_t n)
{
    uint32_t users = other_users(sc);
    if (users > UID_PER_RUN) {
        snprintf(why, n, "the scenario has %u users other than root; verify gives each a uid "
                 "of its own and has %u per run", users, UID_PER_RUN);
        return false;
    }
    return true;
}
