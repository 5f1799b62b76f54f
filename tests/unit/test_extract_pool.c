/* test_extract_pool.c - the long-lived extraction helper's failures
 * (extract_pool.c): a helper that crashes on a document, one that exits
 * without answering, one that answers garbage; each is the attachment's
 * outcome with a reason, and the next document gets a new helper.  (The
 * real helper, mailtrove-full __extract --serve, is exercised by every
 * ingest test with PDF, zip and OLE2 attachments: T047, T100.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract/extract_int.h"
#include "unit.h"

/* A helper program made of SCRIPT (sh), its path into PATH. */
static void make_helper(char *path, size_t size, const char *script)
{
    static int n;
    snprintf(path, size, "/tmp/mt-test-helper-%d-%d", (int)getpid(), n++);
    FILE *f = fopen(path, "w");
    fprintf(f, "#!/bin/sh\n%s\n", script);
    fclose(f);
    chmod(path, 0700);
}

static enum extract_outcome extract_with(struct extract_pool *pool, char *reason, size_t size)
{
    static const unsigned char pdf[] = "%PDF-1.4 not really";
    struct extract_options options = { .helper = "unused", .pool = pool };
    struct extract_result r;
    extract_text(pdf, sizeof pdf - 1, "application/pdf", "x.pdf", NULL, &options, &r);
    snprintf(reason, size, "%s", r.reason);
    enum extract_outcome outcome = r.outcome;
    extract_result_free(&r);
    return outcome;
}

int main(void)
{
    char path[128], reason[256];
    /* reads the request, then dies of a segmentation fault */
    make_helper(path, sizeof path, "head -c 9 >/dev/null; kill -SEGV $$");
    struct extract_pool *pool = extract_pool_new(path);
    CHECK(pool != NULL);
    CHECK(extract_with(pool, reason, sizeof reason) == EXTRACT_FAILED);
    CHECK(strstr(reason, "crash (signal 11)") != NULL);
    /* the next document: a new helper, the same outcome, no hang */
    CHECK(extract_with(pool, reason, sizeof reason) == EXTRACT_FAILED);
    extract_pool_free(pool);
    unlink(path);

    /* exits without a word */
    make_helper(path, sizeof path, "exit 3");
    pool = extract_pool_new(path);
    CHECK(extract_with(pool, reason, sizeof reason) == EXTRACT_FAILED);
    CHECK(strstr(reason, "no result") != NULL || strstr(reason, "hand the document") != NULL);
    extract_pool_free(pool);
    unlink(path);

    /* answers with a reason longer than any: refused, not read past */
    make_helper(path, sizeof path,
                "head -c 9 >/dev/null; printf '\\001\\377\\377\\000\\000'; exec sleep 5");
    pool = extract_pool_new(path);
    CHECK(extract_with(pool, reason, sizeof reason) == EXTRACT_FAILED);
    extract_pool_free(pool);
    unlink(path);
    return unit_failures != 0;
}
