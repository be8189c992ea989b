/* test_ports_listen.c — ps_ports_listen_check (ports.h): the bind rule run
 * again when a bound socket starts listening, against every other holder of
 * its port, never against itself. Expected results are the kernel's, from
 * docs/reference/bind.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ports.h"

#define WEB 0x5db8d822u /* 93.184.216.34 */

typedef struct fx {
    ps_socket socks[8];
    uint32_t n;
    ps_ports ports;
} fx;

/* A socket holding host 0's port 3000 on addr, in state st, with flags. */
static uint32_t hold(fx *f, ps_addr addr, ps_tcp_state st, uint8_t flags, uint16_t uid)
{
    uint32_t s = f->n++;
    f->socks[s] = (ps_socket){ .laddr = addr, .lport = 3000, .state = (uint8_t)st,
                               .flags = (uint8_t)(PS_SOCK_BOUND | flags), .live = 1, .uid = uid,
                               .proc = PS_NONE, .name = PS_NONE, .link = PS_NONE };
    assert_true(ps_ports_add_owner(&f->ports, f->socks, s));
    return s;
}

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    ps_ports_init(&f->ports, 1);
    return f;
}

static void fx_free(fx *f)
{
    ps_ports_free(&f->ports);
    free(f);
}

static void two_reuseaddr_bound_then_the_first_listen_wins(void **state)
{
    (void)state;
    fx *f = fx_new();
    uint32_t a = hold(f, PS_ADDR_ANY, PS_CLOSED, PS_SOCK_REUSEADDR, 1);
    uint32_t b = hold(f, PS_ADDR_ANY, PS_CLOSED, PS_SOCK_REUSEADDR, 1);
    uint32_t c = hold(f, WEB, PS_CLOSED, PS_SOCK_REUSEADDR, 1);
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, a), PS_OK);
    f->socks[a].state = PS_LISTEN;
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, b), PS_EADDRINUSE);
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, c), PS_EADDRINUSE);
    /* A listener's own entry never stands in its way (listen() again). */
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, a), PS_OK);
    ps_ports_remove_owner(&f->ports, f->socks, a);
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, b), PS_OK);
    fx_free(f);
}

static void a_plain_bound_socket_may_listen_alone(void **state)
{
    (void)state;
    fx *f = fx_new();
    uint32_t a = hold(f, PS_ADDR_ANY, PS_CLOSED, 0, 1);
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, a), PS_OK);
    fx_free(f);
}

static void reuseport_of_one_user_listens_together(void **state)
{
    (void)state;
    fx *f = fx_new();
    uint32_t a = hold(f, PS_ADDR_ANY, PS_LISTEN, PS_SOCK_REUSEPORT, 7);
    uint32_t b = hold(f, PS_ADDR_ANY, PS_CLOSED, PS_SOCK_REUSEPORT, 7);
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, b), PS_OK);
    /* Without SO_REUSEPORT on the listener, it blocks b. */
    f->socks[a].flags &= (uint8_t)~PS_SOCK_REUSEPORT;
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, b), PS_EADDRINUSE);
    fx_free(f);
}

static void a_time_wait_holder_passes_only_with_reuseaddr_on_both(void **state)
{
    (void)state;
    fx *f = fx_new();
    hold(f, WEB, PS_TIME_WAIT, PS_SOCK_REUSEADDR, 1);
    uint32_t b = hold(f, PS_ADDR_ANY, PS_CLOSED, PS_SOCK_REUSEADDR, 1);
    assert_int_equal(ps_ports_listen_check(&f->ports, f->socks, b), PS_OK);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_reuseaddr_bound_then_the_first_listen_wins),
        cmocka_unit_test(a_plain_bound_socket_may_listen_alone),
        cmocka_unit_test(reuseport_of_one_user_listens_together),
        cmocka_unit_test(a_time_wait_holder_passes_only_with_reuseaddr_on_both),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
