/* test_mime_trim.c - the header fields left out before GMime parses
 * (mime_trim.h): what is cut and what is not, and, as the oracle, every
 * message of tests/data and of ../shared/corpora (when present) parsed
 * the same with every header field and with the trimmed copy.  Run from
 * tests/. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "mime_compare.h"
#include "mime_trim.h"
#include "unit.h"

static char *trim(const char *raw, size_t *len)
{
    return (char *)mime_trim_headers((const unsigned char *)raw, strlen(raw), len);
}

static void cut_cases(void)
{
    size_t len;
    char *t = trim("Received: from a\n\tby b; Mon, 1 Jan 2001\nFrom: a@example.org\n"
                   "X-Thing: 1\n  folded\nsubject: hi\nContent-Type: text/plain\n\nbody\nX-Not: a header\n",
                   &len);
    CHECK_STR(t, "From: a@example.org\nsubject: hi\nContent-Type: text/plain\n\nbody\nX-Not: a header\n");
    CHECK(t && len == strlen(t));
    free(t);
    t = trim("DKIM-Signature: v=1;\r\n b=abc\r\nTo: b@example.org\r\n\r\nbody\r\n", &len);
    CHECK_STR(t, "To: b@example.org\r\n\r\nbody\r\n");
    free(t);
    /* nothing but dropped fields: the body alone after the empty line */
    t = trim("X-A: 1\n\nbody", &len);
    CHECK_STR(t, "\nbody");
    free(t);
    /* kept folded lines stay folded */
    t = trim("References: <a@x>\n <b@x>\nX-A: 1\n\n", &len);
    CHECK_STR(t, "References: <a@x>\n <b@x>\n\n");
    free(t);
    /* nothing to drop, or not a plain header block: parsed as it is */
    CHECK(trim("From: a@example.org\nTo: b@example.org\n\nbody\n", &len) == NULL);
    CHECK(trim("From a@example.org Mon Jan  1 00:00:00 2001\nX-A: 1\n\nbody\n", &len) == NULL);
    CHECK(trim("X-A: 1\nno colon here\n\nbody\n", &len) == NULL);
    CHECK(trim("X-A : 1\n\nbody\n", &len) == NULL);
    CHECK(trim(" folded: first\nX-A: 1\n\nbody\n", &len) == NULL);
    CHECK(trim("X-A: 1\nFrom: a@example.org\n", &len) == NULL);   /* no empty line */
    CHECK(trim("X-A: 1\rX-B: 2\n\n", &len) == NULL);
    CHECK(trim("X-\xc3\xa9: 1\n\n", &len) == NULL);
    CHECK(trim("", &len) == NULL);
    const char nul[] = "X-A: 1\0 2\nFrom: a@x\n\n";
    CHECK(mime_trim_headers((const unsigned char *)nul, sizeof nul - 1, &len) == NULL);
    CHECK(mime_trim_keeps("content-transfer-encoding", 25));
    CHECK(mime_trim_keeps("MESSAGE-ID", 10));
    CHECK(!mime_trim_keeps("Message-IDs", 11));
    CHECK(!mime_trim_keeps("Resent-From", 11));
}

static struct {
    size_t files, trimmed, differ;
} oracle;

/* RAW parsed with every field and trimmed, compared. */
static void compare_bytes(const char *path, const unsigned char *raw, size_t len)
{
    size_t trimmed_len;
    unsigned char *trimmed = mime_trim_headers(raw, len, &trimmed_len);
    if (trimmed) {
        struct mime_options every = { .every_header = true };
        struct mime_message *a = NULL, *b = NULL;
        oracle.files++;
        oracle.trimmed++;
        if (mime_parse_with(raw, len, &every, &a) != MT_OK || mime_parse(raw, len, &b) != MT_OK
            || !mime_messages_same(a, b)) {
            if (oracle.differ++ < 5)
                printf("# parsed differently when trimmed: %s\n", path);
        }
        mime_message_free(a);
        mime_message_free(b);
        free(trimmed);
    } else {
        oracle.files++;
    }
}

/* Trace fields as a relay and a list add them, before a message's own. */
static const char trace[] =
    "Received: from relay.example.net (relay.example.net [192.0.2.1])\n"
    "\tby mx.example.org with ESMTPS id 4Abc; Tue, 2 Jan 2024 10:00:00 +0000\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=s1;\n\tb=AbCd==\n"
    "X-Mailer: test 1.0\nList-Id: <dev.lists.example.org>\n";

static int compare_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F || sb->st_size <= 0 || sb->st_size > (4 << 20)
        || strstr(path, ".zst") || strstr(path, ".xz") || strstr(path, ".pst")
        || strstr(path, ".tar") || strstr(path, ".zip") || strstr(path, ".pdf"))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t size = (size_t)sb->st_size;
    unsigned char *raw = malloc(sizeof trace - 1 + size);
    size_t len = raw ? fread(raw + sizeof trace - 1, 1, size, f) : 0;
    fclose(f);
    if (raw) {
        compare_bytes(path, raw + sizeof trace - 1, len);
        /* and the same message as relayed: fields to drop before its own */
        memcpy(raw, trace, sizeof trace - 1);
        compare_bytes(path, raw, sizeof trace - 1 + len);
    }
    free(raw);
    return 0;
}

int main(void)
{
    mime_init();
    cut_cases();
    nftw("data", compare_file, 16, FTW_PHYS);
    size_t local = oracle.trimmed;
    printf("# tests/data: %zu messages, %zu with fields to drop\n", oracle.files, local);
    CHECK(local >= 10);   /* data/mail and data/maildir, as relayed */
    const char *corpora = getenv("CORPORA");
    size_t before = oracle.trimmed;
    if (corpora && nftw(corpora, compare_file, 16, FTW_PHYS) == 0 && oracle.trimmed > before)
        printf("# the corpora: %zu files so far, %zu of them with fields to drop\n",
               oracle.files, oracle.trimmed - before);
    else
        printf("skip - ../shared/corpora not found: tests/data's messages only\n");
    printf("# %zu files read, %zu with fields to drop, %zu parsed differently\n",
           oracle.files, oracle.trimmed, oracle.differ);
    CHECK(oracle.differ == 0);
    mime_shutdown();
    return unit_failures != 0;
}
