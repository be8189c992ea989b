/* fuzz_scenario.c — the fuzz target: any bytes, as a scenario file.
 *
 * Each input is parsed; what parses is run by the engine with a small step
 * limit, with a JSON Lines trace (formatted, then dropped), a text trace (captured) and
 * the pcap packet builder attached, and every `expect` evaluated at its time as `portsim check`
 * does. The golden-trace functions then must agree that the trace equals its
 * own golden form. Nothing may crash, leak, hang or read out of bounds.
 *
 * Built three ways (mk/robust.mk):
 *   make fuzz             libFuzzer + ASan + UBSan (clang)
 *   make fuzz-afl-build   AFL++ (afl-clang-fast), same source
 *   tests/trace/test_fuzz_replay.c links this file and feeds it every input under
 *   tests/fuzz/corpus and tests/fuzz/regressions in `make check`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "shell.h"
#include "engine_ops.h"
#include "pcap.h"
#include "load.h"
#include "trace.h"

/* Steps per input: enough for every shipped lesson but busy-server to run to
 * its end, small enough to keep an input well under a millisecond or so. */
#define FUZZ_MAX_STEPS 20000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_expect_time(const void *a, const void *b)
{
    const ps_expect *x = *(const ps_expect *const *)a, *y = *(const ps_expect *const *)b;
    ps_time tx = x->has_time ? x->t : PS_TIME_NEVER, ty = y->has_time ? y->t : PS_TIME_NEVER;
    if (tx != ty) return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* A writer that drops the bytes: the JSONL trace is formatted, not kept. */
static void discard(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    (void)bytes;
    (void)n;
}

/* The pcap packet builder, without libpcap: every SEGMENT becomes a packet in
 * a buffer of exactly the largest size. */
static void packet_sink(void *ctx, const ps_event *ev)
{
    static uint8_t buf[PS_PCAP_SNAPLEN];
    uint16_t *ip_id = ctx;
    if (ev->kind == PS_EV_SEGMENT || ev->kind == PS_EV_DATAGRAM || ev->kind == PS_EV_ICMP)
        (void)ps_pcap_packet(ev, (*ip_id)++, buf, sizeof buf);
}

static void run_scenario(const ps_scenario *sc)
{
    ps_trace_capture cap;
    bool captured = ps_trace_capture_open(&cap);
    ps_engine *e = ps_engine_new(sc, sc->seed);
    const ps_expect **order = malloc((sc->nexpects ? sc->nexpects : 1) * sizeof *order);
    ps_trace jsonl, txt;
    ps_trace_init(&jsonl, PS_TRACE_JSONL, sc, sc->seed, discard, NULL);
    ps_trace_init(&txt, PS_TRACE_TEXT, sc, sc->seed, ps_trace_capture_write, &cap);
    if (!captured || !e || !order) goto done;
    ps_shell_attach(e);
    uint16_t ip_id = 1;
    ps_sink_tee inner = { { ps_trace_event, packet_sink }, { &txt, &ip_id } };
    ps_sink_tee tee = { { ps_trace_event, ps_sink_tee_event }, { &jsonl, &inner } };
    ps_engine_set_sink(e, ps_sink_tee_event, &tee);
    ps_engine_set_max_steps(e, FUZZ_MAX_STEPS);

    for (uint32_t i = 0; i < sc->nexpects; i++) order[i] = &sc->expects[i];
    qsort(order, sc->nexpects, sizeof *order, cmp_expect_time);
    for (uint32_t i = 0; i < sc->nexpects; i++) {
        if (order[i]->has_time) ps_engine_run_until(e, order[i]->t);
        else ps_engine_run(e);
        char got[256];
        (void)ps_expect_eval(e, order[i], got, sizeof got);
        if (memchr(got, '\0', sizeof got) == NULL) abort();
    }
    ps_engine_run(e);
    if (ps_engine_status(e) == PS_RUN_OK && ps_engine_steps(e) > FUZZ_MAX_STEPS) abort();

    /* The golden form of a trace must compare equal to the trace. */
    if (!cap.nomem && !txt.nomem) {
        char *golden = ps_golden_for(&cap);
        if (golden) {
            char want[128], got[128];
            if (ps_golden_compare(golden, strlen(golden), &cap, want, got, sizeof want) != 0)
                abort();
            free(golden);
        }
    }
done:
    free(order);
    ps_engine_free(e);
    ps_trace_free(&jsonl);
    ps_trace_free(&txt);
    ps_trace_capture_free(&cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse((const char *)data, size, "fuzz.scn", &d);
    if (!sc) {
        /* Every diagnostic formats into one bounded, NUL-terminated line. */
        char buf[1024];
        ps_diag_format(&d, buf, sizeof buf);
        if (memchr(buf, '\0', sizeof buf) == NULL || memchr(d.message, '\0', sizeof d.message) == NULL)
            abort();
        return 0;
    }
    run_scenario(sc);
    ps_scenario_free(sc);
    return 0;
}
