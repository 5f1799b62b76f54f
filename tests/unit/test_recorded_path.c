/* test_recorded_path.c - absolute paths of older archives made relative. */
#include <stdlib.h>

#include "recorded_path.h"
#include "unit.h"

/* Relativize the sorted PATHS and compare with WANT (NULL: unchanged). */
static int relativized_as(const char *const *paths, const char *const *want, size_t n)
{
    char *out[8];
    int same = recorded_path_relativize(paths, n, out) == MT_OK;
    for (size_t i = 0; i < n; i++) {
        if (!(want[i] ? out[i] && !strcmp(out[i], want[i]) : !out[i])) {
            printf("# %s: got %s, want %s\n", paths[i], out[i] ? out[i] : "(unchanged)",
                   want[i] ? want[i] : "(unchanged)");
            same = 0;
        }
        free(out[i]);
    }
    return same;
}

int main(void)
{
    /* one group: the deepest common directory keeps its name */
    const char *const a[] = { "/home/alice/leaks/src/cur/1", "/home/alice/leaks/src/new/2",
                              "/home/alice/leaks/x.mbox" };
    const char *const a_want[] = { "leaks/src/cur/1", "leaks/src/new/2", "leaks/x.mbox" };
    CHECK(relativized_as(a, a_want, 3));
    /* a common directory two levels down names the user: dropped */
    const char *const b[] = { "/home/alice/a.mbox", "/home/alice/leaks/b.eml" };
    const char *const b_want[] = { "a.mbox", "leaks/b.eml" };
    CHECK(relativized_as(b, b_want, 2));
    /* groups apart: each cut on its own */
    const char *const c[] = { "/home/bob/dump/a/1.eml", "/mnt/usb/case-12/m.mbox" };
    const char *const c_want[] = { "a/1.eml", "case-12/m.mbox" };
    CHECK(relativized_as(c, c_want, 2));
    /* relative paths lose ./ and ../, others stay */
    const char *const d[] = { "../../leaks/m.mbox", "./x.eml", "dump/y.eml" };
    const char *const d_want[] = { "leaks/m.mbox", "x.eml", NULL };
    CHECK(relativized_as(d, d_want, 3));
    /* a file at the root */
    const char *const e[] = { "/m.mbox" };
    const char *const e_want[] = { "m.mbox" };
    CHECK(relativized_as(e, e_want, 1));
    CHECK_STR(recorded_path_file_name("/home/alice/keys/campaign.zone"), "campaign.zone");
    CHECK_STR(recorded_path_file_name("campaign.zone"), "campaign.zone");
    return unit_failures != 0;
}
