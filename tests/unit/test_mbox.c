/* test_mbox.c - the mbox splitter over in-memory streams. */
#include <stdlib.h>
#include <string.h>

#include "mbox.h"
#include "unit.h"

struct memory { const char *data; size_t len, pos, chunk; };

static ssize_t memory_read(void *context, unsigned char *dest, size_t capacity,
                           struct mt_error *err)
{
    (void)err;
    struct memory *m = context;
    size_t n = m->len - m->pos;
    if (n > capacity)
        n = capacity;
    if (m->chunk && n > m->chunk)
        n = m->chunk;   /* small reads exercise the buffer edges */
    memcpy(dest, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

/* Split TEXT; put up to 8 messages in OUT; return how many. */
static int split(const char *text, size_t chunk, size_t capacity,
                 struct mbox_message out[8])
{
    struct memory m = { text, strlen(text), 0, chunk };
    struct reader r;
    struct mbox_splitter s;
    int n = 0;
    reader_init(&r, memory_read, &m, capacity);
    mbox_splitter_init(&s, &r, 1 << 20);
    while (n < 8 && mbox_next(&s, &out[n], NULL) == MT_OK)
        n++;
    if (n < 8)
        mbox_message_free(&out[n]);
    mbox_splitter_free(&s);
    reader_free(&r);
    return n;
}

static void free_all(struct mbox_message *m, int n)
{
    for (int i = 0; i < n; i++)
        mbox_message_free(&m[i]);
}

int main(void)
{
    struct mbox_message m[8];
    const unsigned char *l;

    l = (const unsigned char *)"From alice@example.org Sat Apr  1 10:00:00 2017\n";
    CHECK(mbox_is_separator_line(l, strlen((const char *)l)));
    CHECK(mbox_is_separator_line((const unsigned char *)"From -\r\n", 8));
    CHECK(mbox_is_separator_line((const unsigned char *)"From - Mon Jun  3 12:50:27 1996", 31));
    CHECK(!mbox_is_separator_line((const unsigned char *)"From Russia with love\n", 22));
    CHECK(!mbox_is_separator_line((const unsigned char *)"From: a@b\n", 10));
    l = (const unsigned char *)"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001";
    CHECK(!mbox_is_separator_line(l, strlen((const char *)l)));
    CHECK(mbox_is_header_line((const unsigned char *)"Subject: x\n", 11));
    CHECK(mbox_is_header_line((const unsigned char *)"X-Odd :x", 8));
    CHECK(!mbox_is_header_line((const unsigned char *)" folded: x", 10));
    CHECK(!mbox_is_header_line((const unsigned char *)"no colon here", 13));

    const char *two = "From a Sat Apr  1 10:00:00 2017\nSubject: one\n\nbody\n>From x\n>>From y\n\n"
                      "From b Sat Apr  1 11:00:00 2017\nSubject: two\n\nlast";
    for (size_t chunk = 0; chunk <= 7; chunk += 7) {
        int n = split(two, chunk, 64, m);
        CHECK(n == 2);
        if (n == 2) {
            CHECK_STR(m[0].bytes.data, "Subject: one\n\nbody\nFrom x\n>From y\n");
            CHECK(m[0].unquoted_lines == 2);
            CHECK_STR(m[0].separator, "From a Sat Apr  1 10:00:00 2017");
            CHECK(m[0].offset == 0);
            CHECK_STR(m[1].bytes.data, "Subject: two\n\nlast");
            CHECK(m[1].offset == (uint64_t)(strstr(two, "From b") - two));
        }
        free_all(m, n);
    }

    int n = split("From a 2017\r\nSubject: c\r\n\r\nx\r\n\r\nFrom b 2017\r\nSubject: d\r\n\r\ny\r\n\r\n",
                  0, 0, m);
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(m[0].bytes.data, "Subject: c\r\n\r\nx\r\n");
        CHECK_STR(m[1].bytes.data, "Subject: d\r\n\r\ny\r\n");
    }
    free_all(m, n);

    /* Classic Mac OS: lines end in a bare CR, kept as read. */
    n = split("From a 2017\rSubject: c\r\rx\r\rFrom b 2017\rSubject: d\r\ry\r\r", 3, 64, m);
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(m[0].bytes.data, "Subject: c\r\rx\r");
        CHECK_STR(m[0].separator, "From a 2017");
        CHECK_STR(m[1].bytes.data, "Subject: d\r\ry\r");
    }
    free_all(m, n);
    CHECK(mbox_line_end((const unsigned char *)"a\rb", 3) == '\r');
    CHECK(mbox_line_end((const unsigned char *)"a\r\nb", 4) == '\n');
    CHECK(mbox_line_end((const unsigned char *)"a\nb\rc", 5) == '\n');

    /* Content-Length style: no empty line before the next separator. */
    n = split("From - \nSubject: a\n\nx\nFrom - \nSubject: b\n\ny\n", 0, 0, m);
    CHECK(n == 2);
    if (n == 2)
        CHECK_STR(m[0].bytes.data, "Subject: a\n\nx\n");
    free_all(m, n);

    /* A body line "From ..." followed by text is not a separator. */
    n = split("From a 2017\nSubject: a\n\nFrom here on\nwe go\n", 0, 0, m);
    CHECK(n == 1);
    free_all(m, n);

    /* A line longer than the reader's buffer is carried through whole. */
    char *long_text = malloc(5000);
    strcpy(long_text, "From a 2017\nSubject: long\n\n");
    size_t at = strlen(long_text);
    memset(long_text + at, 'x', 4000);
    strcpy(long_text + at + 4000, "\n");
    n = split(long_text, 0, 256, m);
    CHECK(n == 1);
    if (n == 1)
        CHECK(m[0].bytes.len == strlen(long_text) - strlen("From a 2017\n"));
    free_all(m, n);
    free(long_text);

    /* Oversize messages are flagged, not stored whole. */
    {
        struct memory mem = { "From a 2017\nSubject: big\n\n0123456789\n", 0, 0, 0 };
        struct reader r;
        struct mbox_splitter s;
        struct mbox_message big;
        mem.len = strlen(mem.data);
        reader_init(&r, memory_read, &mem, 0);
        mbox_splitter_init(&s, &r, 10);
        CHECK(mbox_next(&s, &big, NULL) == MT_OK);
        CHECK(big.oversize);
        mbox_message_free(&big);
        mbox_splitter_free(&s);
        reader_free(&r);
    }
    return unit_failures != 0;
}
