/* test_boxes.c — the record of drawn texts (render/boxes.c): JSON that a
 * parser accepts whatever the words contain, the connection field only where
 * there is one, overlap spans. No SDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boxes.h"

static void test_json_escapes(void **state)
{
    (void)state;
    pv_boxes b = { 0 };
    assert_true(pv_boxes_add(&b, "say \"hi\"\\\n\t→", false, (pv_rect){ 1, 2, 3, 4 }, 11, PV_ROLE_CAPTION, NULL,
                             PV_RGB(0xEE, 0xF0, 0xF4)));
    assert_true(pv_boxes_add(&b, "SY…", true, (pv_rect){ 5, 6, 7, 8 }, 12, PV_ROLE_ENVELOPE, "tab1", PV_OI_ORANGE));
    ps_sbuf out = { 0 };
    pv_boxes_json(&b, &out);
    assert_false(out.failed);
    assert_non_null(strstr(out.s, "{\"text\":\"say \\\"hi\\\"\\\\\\u000a\\u0009→\",\"x\":1,\"y\":2,\"w\":3,\"h\":4,"
                                  "\"px\":11,\"role\":\"caption\",\"color\":\"#eef0f4\"}"));
    assert_non_null(strstr(out.s, "\"role\":\"envelope\",\"color\":\"#e69f00\",\"conn\":\"tab1\",\"cut\":true}"));
    assert_string_equal(pv_boxes_text(&b, 1), "SY…");
    pv_boxes_clear(&b);
    assert_int_equal(b.n, 0);
    ps_sbuf_free(&out);
    pv_boxes_free(&b);
}

static void test_overlap_spans(void **state)
{
    (void)state;
    pv_rect a = { 0, 0, 10, 10 }, b = { 9, 5, 10, 10 }, c = { 10, 0, 5, 5 };
    assert_int_equal(pv_rect_overlap_x(a, b), 1);
    assert_int_equal(pv_rect_overlap_y(a, b), 5);
    assert_int_equal(pv_rect_overlap_x(a, c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_overlap_spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
