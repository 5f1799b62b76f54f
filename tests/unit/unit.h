/* unit.h - the smallest test harness: each check prints one TAP-like line
 * that tests/run counts; main returns non-zero if any check failed. */
#ifndef MT_UNIT_H
#define MT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;

static void unit_check(int ok, const char *file, int line, const char *what)
{
    printf("%s - %s:%d: %s\n", ok ? "ok" : "not ok", file, line, what);
    if (!ok)
        unit_failures++;
}

#define CHECK(cond) unit_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_STR(got, want) \
    unit_check((got) && !strcmp((got), (want)), __FILE__, __LINE__, \
               #got " == " #want)

#endif
