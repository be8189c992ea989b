/* test_bound_door.c — how the window draws a socket that is bound but does
 * not listen (scenarios/bind-then-listen.scn): a door marked "bound, not
 * listening" while nobody listens on the port, and only the listener's door
 * once one listens. No SDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_ops.h"
#include "load.h"
#include "scene.h"

/* The lesson's scene at time t, into *s. */
static void doors_at(pv_scene *s, ps_time t)
{
    ps_scenario *sc = ps_scenario_load_or_report("scenarios/bind-then-listen.scn");
    assert_non_null(sc);
    ps_engine *e = ps_engine_new(sc, sc->seed);
    assert_non_null(e);
    ps_engine_run_until(e, t);
    pv_scene_build(s, e, NULL, NULL);
    ps_engine_free(e);
    ps_scenario_free(sc);
}

static void test_bound_door_until_someone_listens(void **state)
{
    (void)state;
    pv_scene *s = calloc(1, sizeof *s);
    assert_non_null(s);
    doors_at(s, 30000); /* both bound, neither listening */
    assert_int_equal(s->ndoors, 1);
    assert_int_equal(s->doors[0].kind, PV_DOOR_EMPTY);
    assert_int_equal(s->doors[0].port, 8080);
    assert_string_equal(s->doors[0].title, ":8080");
    assert_string_equal(s->doors[0].sub, "first · gunicorn 7001");
    assert_string_equal(s->doors[0].note, "bound, not listening");
    doors_at(s, 100000); /* first listens; second's listen failed, still bound */
    assert_int_equal(s->ndoors, 1);
    assert_int_equal(s->doors[0].kind, PV_DOOR_LISTEN);
    assert_int_equal(s->doors[0].port, 8080);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound_door_until_someone_listens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
