/*
 * extract_ole.c - legacy Office binaries (OLE2 compound files, opened
 * with libgsf, the library the .msg reader uses): Word 97-2003 (.doc),
 * Excel 97-2003 (.xls, BIFF8) and PowerPoint 97-2003 (.ppt).  Our own
 * record walks, after Microsoft's published formats ([MS-DOC] 2.4.1
 * "Retrieving Text", [MS-XLS] 2.4 records, [MS-PPT] 2.3 text atoms):
 * each is a short walk over bounded records, and the files are hostile,
 * so they run in the extraction helper like PDF and Office XML
 * (extract.h).  Debian's libwv would bring a second OLE2 reader and its
 * own parser of the whole Word format for the few lines of the piece
 * table that text needs (docs/attachments.md).
 */
#include "extract/extract_int.h"

#include <gsf/gsf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Streams are read whole; a stream larger than the document cannot be. */
static unsigned char *read_stream(GsfInfile *root, const char *name, size_t *len)
{
    GsfInput *in = gsf_infile_child_by_name(root, name);
    *len = 0;
    if (!in)
        return NULL;
    unsigned char *d = NULL;
    gsf_off_t size = gsf_input_size(in);
    if (gsf_infile_num_children(GSF_INFILE(in)) < 0 && size >= 0
        && (uint64_t)size <= EXTRACT_MAX_INPUT_BYTES && (d = malloc((size_t)size + 1))) {
        if (size > 0 && !gsf_input_read(in, (size_t)size, d)) {
            free(d);
            d = NULL;
        } else {
            *len = (size_t)size;
        }
    }
    g_object_unref(in);
    return d;
}

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Append code point C as UTF-8 (surrogates and NULs dropped). */
static bool append_code_point(struct extract_result *r, uint32_t c)
{
    char out[4];
    if (c == 0 || (c >= 0xD800 && c <= 0xDFFF))
        return true;
    return extract_append(r, out, text_encode_codepoint(c, out));
}

/* An 8-bit character as windows-1252 ([MS-DOC] 2.4.1 maps compressed
 * text the same way); its undefined bytes, and NUL, are no text. */
static uint32_t cp1252(unsigned char b)
{
    unsigned c = b ? text_cp1252_codepoint(b) : 0;
    return c >= 0x80 && c < 0xA0 ? 0 : c;
}

/* ------------------------------------------------------------------ Word */

/* Word's text, a character at a time: paragraph, cell and line marks
 * become line ends; a field's code (between 0x13 and 0x14) is skipped,
 * its result kept; object anchors and soft hyphens dropped. */
struct word_text {
    struct extract_result *r;
    int field_code_depth;   /* inside a field's code, how deep */
    int field_depth;
};

static bool word_char(struct word_text *w, uint32_t c)
{
    switch (c) {
    case 0x13:                  /* field begins: its code follows */
        w->field_depth++;
        w->field_code_depth = w->field_depth;
        return true;
    case 0x14:                  /* field separator: the result follows */
        w->field_code_depth = 0;
        return true;
    case 0x15:                  /* field ends */
        if (w->field_depth > 0)
            w->field_depth--;
        w->field_code_depth = 0;
        return true;
    }
    if (w->field_code_depth)
        return true;
    if (c == 0x0D || c == 0x07 || c == 0x0B || c == 0x0C || c == 0x0E)
        return append_code_point(w->r, '\n');
    if (c == 0x1E)
        return append_code_point(w->r, '-');
    if (c == 0x09)
        return append_code_point(w->r, '\t');
    if (c < 0x20 || c == 0x1F)
        return true;            /* anchors, optional hyphens */
    return append_code_point(w->r, c);
}

static void extract_doc(GsfInfile *root, struct extract_result *r)
{
    size_t doc_len, table_len;
    unsigned char *doc = read_stream(root, "WordDocument", &doc_len);
    unsigned char *table = NULL;
    if (!doc || doc_len < 0x1AA || u16(doc) != 0xA5EC) {
        extract_set(r, EXTRACT_FAILED, "a Word document whose header (FIB) is damaged");
        goto out;
    }
    uint16_t nfib = u16(doc + 2), flags = u16(doc + 0x0A);
    if (flags & 0x0100) {
        extract_set(r, EXTRACT_ENCRYPTED, "a password-protected Word document");
        goto out;
    }
    if (nfib < 0x00C1) {
        extract_set(r, EXTRACT_UNSUPPORTED, "a Word 95 or older document (format %u); only "
                                            "Word 97-2003 is read", nfib);
        goto out;
    }
    table = read_stream(root, flags & 0x0200 ? "1Table" : "0Table", &table_len);
    uint32_t fc_clx = u32(doc + 0x1A2), lcb_clx = u32(doc + 0x1A6);
    if (!table || fc_clx >= table_len || lcb_clx > table_len - fc_clx) {
        extract_set(r, EXTRACT_FAILED, "a Word document without its table stream or piece table");
        goto out;
    }
    /* The Clx: property runs (clxt 1) to skip, then the piece table (clxt 2). */
    const unsigned char *p = table + fc_clx, *end = p + lcb_clx;
    while (p < end && *p == 0x01) {
        if (end - p < 3) {
            p = end;
            break;
        }
        p += 3 + u16(p + 1);
    }
    if (p >= end || *p != 0x02 || end - p < 5 || u32(p + 1) > (size_t)(end - p - 5)) {
        extract_set(r, EXTRACT_FAILED, "a Word document whose piece table is damaged");
        goto out;
    }
    uint32_t lcb = u32(p + 1);
    const unsigned char *plc = p + 5;
    size_t pieces = lcb >= 4 ? (lcb - 4) / 12 : 0;
    struct word_text w = { .r = r };
    bool room = true;
    for (size_t i = 0; i < pieces && room; i++) {
        uint32_t cp_start = u32(plc + 4 * i), cp_end = u32(plc + 4 * (i + 1));
        const unsigned char *pcd = plc + 4 * (pieces + 1) + 8 * i;
        uint32_t fc = u32(pcd + 2);
        bool compressed = fc & 0x40000000;
        fc &= 0x3FFFFFFF;
        if (cp_end <= cp_start)
            continue;
        size_t count = cp_end - cp_start;
        size_t start = compressed ? fc / 2 : fc, width = compressed ? 1 : 2;
        if (start > doc_len || count > (doc_len - start) / width)
            continue;           /* a piece outside the stream: its text is not there */
        for (size_t k = 0; k < count && room; k++)
            room = word_char(&w, compressed ? cp1252(doc[start + k])
                                            : u16(doc + start + 2 * k));
    }
out:
    free(doc);
    free(table);
}

/* ----------------------------------------------------------------- Excel */

/* The bytes of a record and the CONTINUE records after it, read as one
 * run, knowing where each record's data starts: a string's characters
 * that cross into a CONTINUE start there with a new option byte. */
struct biff_run {
    const unsigned char *d;     /* the stream */
    size_t len;
    size_t at;                  /* the next byte to read */
    size_t limit;               /* the current record's data end */
    bool failed;
};

/* Move to the next CONTINUE record's data when the current one is done;
 * false at the end of the run. */
static bool biff_next_segment(struct biff_run *b)
{
    if (b->at < b->limit)
        return true;
    if (b->limit + 4 > b->len || u16(b->d + b->limit) != 0x003C)
        return false;
    size_t size = u16(b->d + b->limit + 2);
    b->at = b->limit + 4;
    b->limit = b->at + size > b->len ? b->len : b->at + size;
    return b->at < b->limit;
}

static bool biff_byte(struct biff_run *b, unsigned char *out)
{
    if (!biff_next_segment(b)) {
        b->failed = true;
        return false;
    }
    *out = b->d[b->at++];
    return true;
}

static uint32_t biff_uint(struct biff_run *b, int bytes)
{
    uint32_t v = 0;
    unsigned char c;
    for (int i = 0; i < bytes && biff_byte(b, &c); i++)
        v |= (uint32_t)c << (8 * i);
    return v;
}

static void biff_skip(struct biff_run *b, size_t n)
{
    unsigned char c;
    while (n-- && biff_byte(b, &c))
        ;
}

/* An XLUnicodeRichExtendedString ([MS-XLS] 2.5.293), appended with a
 * line end; WIDE_LEN: its count is 2 bytes (1 for a short string). */
static bool biff_string(struct biff_run *b, bool wide_len, bool rich_allowed,
                        struct extract_result *r)
{
    uint32_t cch = biff_uint(b, wide_len ? 2 : 1);
    unsigned char option;
    if (!biff_byte(b, &option))
        return false;
    uint32_t runs = rich_allowed && (option & 0x08) ? biff_uint(b, 2) : 0;
    uint32_t ext = rich_allowed && (option & 0x04) ? biff_uint(b, 4) : 0;
    bool high = option & 0x01, room = true;
    for (uint32_t i = 0; i < cch && !b->failed; i++) {
        if (b->at >= b->limit) {
            /* the characters go on in a CONTINUE, after a new option byte */
            if (!biff_next_segment(b) || !biff_byte(b, &option))
                break;
            high = option & 0x01;
        }
        uint32_t c = high ? biff_uint(b, 2) : cp1252((unsigned char)biff_uint(b, 1));
        if (room)
            room = append_code_point(r, c);
    }
    if (room)
        room = append_code_point(r, '\n');
    biff_skip(b, (size_t)runs * 4 + ext);
    return room && !b->failed;
}

/* An RK number ([MS-XLS] 2.5.217): 30 bits of an integer or of a
 * double's high half, maybe to be divided by 100. */
static double rk_value(uint32_t rk)
{
    double v;
    if (rk & 0x02) {
        v = (double)((int32_t)rk >> 2);
    } else {
        uint64_t bits = (uint64_t)(rk & 0xFFFFFFFCu) << 32;
        memcpy(&v, &bits, sizeof v);
    }
    return rk & 0x01 ? v / 100 : v;
}

/* A cell's number as text, so amounts and years are found. */
static bool append_number(struct extract_result *r, double v)
{
    char text[40];
    if (v != v || v - v != 0)
        return true;            /* NaN, infinities: not a number anyone types */
    int n = snprintf(text, sizeof text, "%.15g\n", v);
    return extract_append(r, text, (size_t)n);
}

static void extract_xls(GsfInfile *root, struct extract_result *r)
{
    size_t len;
    unsigned char *d = read_stream(root, "Workbook", &len);
    if (!d) {
        extract_set(r, EXTRACT_UNSUPPORTED, "an Excel 95 or older workbook; only Excel "
                                            "97-2003 is read");
        return;
    }
    bool room = true;
    for (size_t at = 0; at + 4 <= len && room;) {
        uint16_t type = u16(d + at), size = u16(d + at + 2);
        size_t data = at + 4, next = data + size;
        if (next > len)
            break;
        struct biff_run b = { d, len, data, next, false };
        switch (type) {
        case 0x002F:            /* FILEPASS */
            extract_set(r, EXTRACT_ENCRYPTED, "a password-protected Excel workbook");
            free(d);
            return;
        case 0x0085:            /* BOUNDSHEET: a sheet's name */
            biff_skip(&b, 6);
            room = biff_string(&b, false, false, r);
            break;
        case 0x00FC: {          /* SST: every distinct string of the cells */
            biff_skip(&b, 4);                       /* cstTotal */
            uint32_t unique = biff_uint(&b, 4);     /* cstUnique */
            for (uint32_t i = 0; i < unique && room && !b.failed; i++)
                room = biff_string(&b, true, true, r);
            break;
        }
        case 0x0204:            /* LABEL: a cell's own string (older writers) */
            biff_skip(&b, 6);
            room = biff_string(&b, true, false, r);
            break;
        case 0x0203:            /* NUMBER: row, column, format, a double */
            if (size >= 14) {
                double v;
                memcpy(&v, d + data + 6, sizeof v);   /* little-endian, as x86 */
                room = append_number(r, v);
            }
            break;
        case 0x0006:            /* FORMULA: its last value, a number unless 0xFFFF ends it */
            if (size >= 14 && u16(d + data + 12) != 0xFFFF) {
                double v;
                memcpy(&v, d + data + 6, sizeof v);
                room = append_number(r, v);
            }
            break;
        case 0x0207:            /* STRING: a formula's text value */
            room = biff_string(&b, true, false, r);
            break;
        case 0x027E:            /* RK: row, column, format, an RK number */
            if (size >= 10)
                room = append_number(r, rk_value(u32(d + data + 6)));
            break;
        case 0x00BD:            /* MULRK: row, first column, (format, RK)..., last column */
            for (size_t k = data + 4; k + 6 <= next - 2 && room; k += 6)
                room = append_number(r, rk_value(u32(d + k + 2)));
            break;
        }
        at = next;
    }
    free(d);
}

/* ------------------------------------------------------------ PowerPoint */

/* Every text atom, in file order: containers (version 0xF) are entered,
 * atoms skipped unless they hold text. */
static void extract_ppt(GsfInfile *root, struct extract_result *r)
{
    size_t len;
    unsigned char *d = read_stream(root, "PowerPoint Document", &len);
    if (!d) {
        extract_set(r, EXTRACT_FAILED, "a PowerPoint file without its document stream");
        return;
    }
    bool room = true;
    for (size_t at = 0; at + 8 <= len && room;) {
        uint16_t version = u16(d + at) & 0x0F, type = u16(d + at + 2);
        uint32_t size = u32(d + at + 4);
        at += 8;
        if (version == 0x0F)
            continue;           /* a container: its records follow */
        if (size > len - at)
            break;
        if (type == 0x0FA0) {           /* TextCharsAtom: UTF-16LE */
            for (uint32_t i = 0; i + 1 < size && room; i += 2) {
                uint32_t c = u16(d + at + i);
                room = append_code_point(r, c == 0x0D || c == 0x0B ? '\n' : c);
            }
            room = room && append_code_point(r, '\n');
        } else if (type == 0x0FA8) {    /* TextBytesAtom: Latin-1 */
            for (uint32_t i = 0; i < size && room; i++) {
                unsigned char c = d[at + i];
                room = append_code_point(r, c == 0x0D || c == 0x0B ? '\n' : cp1252(c));
            }
            room = room && append_code_point(r, '\n');
        }
        at += size;
    }
    free(d);
}

void extract_ole(const unsigned char *d, size_t len, struct extract_result *r)
{
    GsfInput *in = gsf_input_memory_new(d, (gsf_off_t)len, FALSE);
    if (!in) {
        extract_set(r, EXTRACT_FAILED, "out of memory");
        return;
    }
    GError *gerr = NULL;
    GsfInfile *root = gsf_infile_msole_new(in, &gerr);
    g_object_unref(in);
    if (!root) {
        extract_set(r, EXTRACT_FAILED, "a damaged OLE2 compound file: %s",
                    gerr && gerr->message ? gerr->message : "libgsf cannot read it");
        if (gerr)
            g_error_free(gerr);
        return;
    }
    GsfInput *probe;
    if ((probe = gsf_infile_child_by_name(root, "WordDocument"))) {
        g_object_unref(probe);
        extract_doc(root, r);
    } else if ((probe = gsf_infile_child_by_name(root, "Workbook"))
               || (probe = gsf_infile_child_by_name(root, "Book"))) {
        g_object_unref(probe);
        extract_xls(root, r);
    } else if ((probe = gsf_infile_child_by_name(root, "PowerPoint Document"))) {
        g_object_unref(probe);
        extract_ppt(root, r);
    } else {
        extract_set(r, EXTRACT_UNSUPPORTED, "an OLE2 compound file that is not a Word, "
                                            "Excel or PowerPoint document");
    }
    g_object_unref(root);
}
