/* test_vector_clock: join, copy, compare of vector clocks. */
#include "unit.h"
#include "races/vector_clock.h"

TEST(set_and_get_grow)
{
    struct rt_vc v = {0};
    CHECK_EQ_INT(rt_vc_get(&v, 5), 0);
    rt_vc_set(&v, 5, 7);
    CHECK_EQ_INT(rt_vc_get(&v, 5), 7);
    CHECK_EQ_INT(rt_vc_get(&v, 4), 0);
    rt_vc_set(&v, 100, 3);
    CHECK_EQ_INT(rt_vc_get(&v, 5), 7);
    CHECK_EQ_INT(rt_vc_get(&v, 100), 3);
    CHECK_EQ_INT(rt_vc_get(&v, 1000), 0);
    rt_vc_free(&v);
}

TEST(join_takes_the_maximum)
{
    struct rt_vc a = {0}, b = {0};
    rt_vc_set(&a, 0, 5);
    rt_vc_set(&a, 1, 1);
    rt_vc_set(&b, 1, 4);
    rt_vc_set(&b, 3, 2);
    CHECK(rt_vc_join(&a, &b));
    CHECK_EQ_INT(rt_vc_get(&a, 0), 5);
    CHECK_EQ_INT(rt_vc_get(&a, 1), 4);
    CHECK_EQ_INT(rt_vc_get(&a, 2), 0);
    CHECK_EQ_INT(rt_vc_get(&a, 3), 2);
    CHECK(!rt_vc_join(&a, &b)); /* nothing new */
    rt_vc_free(&a);
    rt_vc_free(&b);
}

TEST(compare)
{
    struct rt_vc a = {0}, b = {0};
    rt_vc_set(&a, 0, 1);
    rt_vc_set(&b, 0, 2);
    rt_vc_set(&b, 1, 1);
    CHECK(rt_vc_leq(&a, &b));
    CHECK(!rt_vc_leq(&b, &a));
    rt_vc_set(&a, 2, 1);
    CHECK(!rt_vc_leq(&a, &b)); /* concurrent */
    CHECK(!rt_vc_leq(&b, &a));
    CHECK(rt_vc_leq(&a, &a));
    rt_vc_free(&a);
    rt_vc_free(&b);
}

TEST(copy_and_clear)
{
    struct rt_vc a = {0}, b = {0};
    rt_vc_set(&a, 3, 9);
    rt_vc_set(&b, 7, 1);
    rt_vc_copy(&b, &a);
    CHECK_EQ_INT(rt_vc_get(&b, 3), 9);
    CHECK_EQ_INT(rt_vc_get(&b, 7), 0);
    rt_vc_clear(&b);
    CHECK_EQ_INT(rt_vc_get(&b, 3), 0);
    rt_vc_free(&a);
    rt_vc_free(&b);
}

int main(void)
{
    RUN(set_and_get_grow);
    RUN(join_takes_the_maximum);
    RUN(compare);
    RUN(copy_and_clear);
    UNIT_DONE();
}
