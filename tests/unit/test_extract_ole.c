/* test_extract_ole.c - the legacy Office reader (extract_ole.c) on small
 * files written here with libgsf's OLE2 writer: a Word piece table with
 * an 8-bit and a UTF-16 piece, a field whose code is skipped and result
 * kept, the encrypted flag, a Word 95 file; an Excel SST whose string
 * runs on into a CONTINUE record with a change of width, a LABEL, a
 * number, a formula, a password record; PowerPoint text atoms inside
 * containers; a compound file of none of these. */
#include <gsf/gsf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract_int.h"
#include "unit.h"

/* TEXT equals WANT; shows what it got when not. */
#define SAME_TEXT(text, want) do { \
        bool same_ = !strcmp((text), (want)); \
        CHECK(same_ && #want); \
        if (!same_) \
            printf("#   got: \"%s\"\n", (text)); \
    } while (0)

struct stream {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* An OLE2 file holding STREAMS, into *OUT (g_free) and *LEN. */
static void make_ole(const struct stream *streams, int count, unsigned char **out, size_t *len)
{
    GsfOutput *mem = gsf_output_memory_new();
    GsfOutfile *ole = gsf_outfile_msole_new(mem);
    for (int i = 0; i < count; i++) {
        GsfOutput *s = gsf_outfile_new_child(ole, streams[i].name, FALSE);
        gsf_output_write(s, streams[i].len, streams[i].data);
        gsf_output_close(s);
        g_object_unref(s);
    }
    gsf_output_close(GSF_OUTPUT(ole));
    g_object_unref(ole);
    *len = (size_t)gsf_output_size(mem);
    *out = g_memdup2(gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)), *len);
    g_object_unref(mem);
}

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, unsigned long v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The text extract_ole gives the OLE file of STREAMS, and its outcome. */
static enum extract_outcome read_back(const struct stream *streams, int count, char *text,
                                      size_t size)
{
    unsigned char *ole;
    size_t len;
    make_ole(streams, count, &ole, &len);
    struct extract_result r = { 0 };
    r.text = (struct buf)BUF_INIT;
    extract_ole(ole, len, &r);
    snprintf(text, size, "%s", buf_cstr(&r.text));
    enum extract_outcome outcome = r.outcome;
    extract_result_free(&r);
    g_free(ole);
    return outcome;
}

static void test_word(void)
{
    /* WordDocument: the FIB (0x200 bytes), then an 8-bit piece and a
     * UTF-16 piece.  Text: "Budget vote\r" + field + "d\u00e9cid\u00e9" */
    static unsigned char doc[0x300];
    memset(doc, 0, sizeof doc);
    put16(doc, 0xA5EC);                 /* wIdent */
    put16(doc + 2, 0x00C1);             /* nFib: Word 97 */
    put16(doc + 0x0A, 0x0200);          /* fWhichTblStm: 1Table */
    const char *piece1 = "Budget vote\r\x13 HYPERLINK x \x14link\x15 ";
    size_t n1 = strlen(piece1);
    memcpy(doc + 0x200, piece1, n1);
    const unsigned short piece2[] = { 'd', 0xE9, 'c', 'i', 'd', 0xE9, 0x07 };
    size_t n2 = sizeof piece2 / sizeof piece2[0];
    for (size_t i = 0; i < n2; i++)
        put16(doc + 0x280 + 2 * i, piece2[i]);
    /* 1Table: a property run to skip, then the piece table */
    static unsigned char table[64];
    unsigned char *t = table;
    *t++ = 0x01; put16(t, 2); t += 2; *t++ = 0xAA; *t++ = 0xBB;
    *t++ = 0x02; put32(t, 4 * 3 + 8 * 2); t += 4;
    put32(t, 0); put32(t + 4, (unsigned long)n1); put32(t + 8, (unsigned long)(n1 + n2)); t += 12;
    put16(t, 0); put32(t + 2, 0x40000000ul | (0x200 * 2)); put16(t + 6, 0); t += 8;
    put16(t, 0); put32(t + 2, 0x280); put16(t + 6, 0); t += 8;
    put32(doc + 0x1A2, 0);              /* fcClx */
    put32(doc + 0x1A6, (unsigned long)(t - table - 0)); /* lcbClx */
    struct stream s[] = { { "WordDocument", doc, sizeof doc }, { "1Table", table, sizeof table } };
    char text[256];
    CHECK(read_back(s, 2, text, sizeof text) == EXTRACT_OK);
    SAME_TEXT(text, "Budget vote\nlink d\xc3\xa9" "cid\xc3\xa9\n");

    put16(doc + 0x0A, 0x0300);          /* fEncrypted too */
    CHECK(read_back(s, 2, text, sizeof text) == EXTRACT_ENCRYPTED);
    put16(doc + 0x0A, 0x0200);
    put16(doc + 2, 0x0065);             /* Word 6/95 */
    CHECK(read_back(s, 2, text, sizeof text) == EXTRACT_UNSUPPORTED);
    put16(doc + 2, 0x00C1);
    put32(doc + 0x1A2, 60);             /* the piece table past its stream */
    CHECK(read_back(s, 2, text, sizeof text) == EXTRACT_FAILED);
}

/* A BIFF record of TYPE with LEN bytes of DATA at *AT. */
static void record(unsigned char *d, size_t *at, unsigned type, const void *data, size_t len)
{
    put16(d + *at, type);
    put16(d + *at + 2, (unsigned)len);
    memcpy(d + *at + 4, data, len);
    *at += 4 + len;
}

static void test_excel(void)
{
    static unsigned char book[512];
    size_t at = 0;
    /* SST: 2 strings; the second ("Squares\u00e9t\u00e9") starts 8-bit and
     * goes on in a CONTINUE whose option byte switches to UTF-16 */
    unsigned char sst[64], *p = sst;
    put32(p, 2); put32(p + 4, 2); p += 8;
    put16(p, 6); p[2] = 0; memcpy(p + 3, "Budget", 6); p += 9;
    put16(p, 9); p[2] = 0; memcpy(p + 3, "Squar", 5); p += 8;
    record(book, &at, 0x00FC, sst, (size_t)(p - sst));
    unsigned char cont[16], *c = cont;
    *c++ = 0x01;                        /* the rest is UTF-16 */
    const unsigned short rest[] = { 'e', 's', 0xE9, 't' };
    for (int i = 0; i < 4; i++, c += 2)
        put16(c, rest[i]);
    record(book, &at, 0x003C, cont, (size_t)(c - cont));
    unsigned char label[16] = { 0 };
    put16(label + 6, 4); label[8] = 0; memcpy(label + 9, "Vote", 4);
    record(book, &at, 0x0204, label, 13);
    unsigned char number[14] = { 0 };
    double v = 225;
    memcpy(number + 6, &v, 8);
    record(book, &at, 0x0203, number, 14);
    unsigned char formula[20] = { 0 };
    v = 1024;
    memcpy(formula + 6, &v, 8);
    record(book, &at, 0x0006, formula, 20);
    struct stream s[] = { { "Workbook", book, at } };
    char text[256];
    CHECK(read_back(s, 1, text, sizeof text) == EXTRACT_OK);
    SAME_TEXT(text, "Budget\nSquares\xc3\xa9t\nVote\n225\n1024\n");
    size_t with_pass = at;
    record(book, &with_pass, 0x002F, "\0\0", 2);
    s[0].len = with_pass;
    CHECK(read_back(s, 1, text, sizeof text) == EXTRACT_ENCRYPTED);
}

static void test_powerpoint(void)
{
    /* a container (version 0xF) holding a UTF-16 atom and an 8-bit one */
    static unsigned char ppt[64];
    unsigned char *p = ppt;
    put16(p, 0x000F); put16(p + 2, 0x03E8); put32(p + 4, 8 + 6 + 8 + 4); p += 8;
    put16(p, 0); put16(p + 2, 0x0FA0); put32(p + 4, 6); p += 8;
    put16(p, 'V'); put16(p + 2, 'o'); put16(p + 4, 0xE9); p += 6;
    put16(p, 0); put16(p + 2, 0x0FA8); put32(p + 4, 4); p += 8;
    memcpy(p, "Plan", 4); p += 4;
    struct stream s[] = { { "PowerPoint Document", ppt, (size_t)(p - ppt) } };
    char text[64];
    CHECK(read_back(s, 1, text, sizeof text) == EXTRACT_OK);
    SAME_TEXT(text, "Vo\xc3\xa9\nPlan\n");
}

static void test_other(void)
{
    struct stream s[] = { { "Contents", (const unsigned char *)"x", 1 } };
    char text[16];
    CHECK(read_back(s, 1, text, sizeof text) == EXTRACT_UNSUPPORTED);
    struct extract_result r = { 0 };
    r.text = (struct buf)BUF_INIT;
    extract_ole((const unsigned char *)"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 damaged", 16, &r);
    CHECK(r.outcome == EXTRACT_FAILED);
    extract_result_free(&r);
}

int main(void)
{
    test_word();
    test_excel();
    test_powerpoint();
    test_other();
    return unit_failures != 0;
}
