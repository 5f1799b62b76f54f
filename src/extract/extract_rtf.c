/* extract_rtf.c - the text of an RTF document (also Outlook's RTF bodies):
 * groups, destinations that are not text skipped, \par and \tab, bytes
 * (\'hh and raw 8-bit) in the code page of the document or of the
 * current font (\ansicpg, \fcharset), \uN with its \ucN fallback skipped,
 * surrogate pairs joined.  Debian has no C library for this; Tika's
 * RTFParser and unrtf were read for the cases, this is our own. */
#include "extract/extract_int.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define MAX_GROUPS 256
#define MAX_FONTS 1024

struct rtf_state {
    int uc;            /* characters a \uN's fallback takes */
    bool skip;         /* inside a destination that is not text */
    int codepage;      /* of the current font, else the document's */
};

struct rtf {
    const unsigned char *d;
    size_t len, i;
    struct rtf_state stack[MAX_GROUPS];
    int depth;              /* groups open; past MAX_GROUPS they share state */
    int doc_codepage;
    struct { int font, codepage; } fonts[MAX_FONTS]; /* \fN -> its code page */
    int font_count;
    bool in_fonttbl;
    int fonttbl_depth;
    int current_font;
    unsigned char pending[256]; /* bytes waiting for their code page */
    size_t pending_len;
    unsigned high_surrogate;
    int skip_chars;         /* fallback characters of a \uN left to skip */
    iconv_t cd;             /* to UTF-8 from code page CD_CP (opening one is dear) */
    int cd_cp;
    struct extract_result *r;
};

static struct rtf_state *top(struct rtf *x)
{
    return &x->stack[x->depth < MAX_GROUPS ? x->depth : MAX_GROUPS - 1];
}

static int font_codepage(const struct rtf *x, int font)
{
    for (int i = 0; i < x->font_count; i++)
        if (x->fonts[i].font == font)
            return x->fonts[i].codepage;
    return 0;
}

static void set_font_codepage(struct rtf *x, int font, int codepage)
{
    for (int i = 0; i < x->font_count; i++)
        if (x->fonts[i].font == font) {
            x->fonts[i].codepage = codepage;
            return;
        }
    if (x->font_count < MAX_FONTS) {
        x->fonts[x->font_count].font = font;
        x->fonts[x->font_count++].codepage = codepage;
    }
}

static int charset_codepage(int charset)
{
    switch (charset) {
    case 0: return 1252;  case 128: return 932; case 129: return 949;
    case 134: return 936; case 136: return 950; case 161: return 1253;
    case 162: return 1254; case 163: return 1258; case 177: return 1255;
    case 178: return 1256; case 186: return 1257; case 204: return 1251;
    case 222: return 874; case 238: return 1250;
    default: return 0;
    }
}

static void flush_bytes(struct rtf *x)
{
    if (x->pending_len == 0)
        return;
    int cp = top(x)->codepage ? top(x)->codepage : x->doc_codepage;
    if (cp <= 0)
        cp = 1252;
    if (x->cd_cp != cp) {
        if (x->cd != (iconv_t)-1)
            iconv_close(x->cd);
        char name[16];
        snprintf(name, sizeof name, "CP%d", cp);
        x->cd = iconv_open("UTF-8//TRANSLIT", name);
        x->cd_cp = cp;
    }
    bool done = false;
    if (x->cd != (iconv_t)-1) {
        char out[1024];
        char *in = (char *)x->pending, *op = out;
        size_t inleft = x->pending_len, outleft = sizeof out;
        iconv(x->cd, NULL, NULL, NULL, NULL);   /* a fresh shift state */
        done = iconv(x->cd, &in, &inleft, &op, &outleft) != (size_t)-1;
        if (done)
            extract_append(x->r, out, (size_t)(op - out));
    }
    if (!done) {
        struct buf b = BUF_INIT;
        if (text_append_cp1252(&b, (const char *)x->pending, x->pending_len) == MT_OK)
            extract_append(x->r, buf_cstr(&b), b.len);
        buf_free(&b);
    }
    x->pending_len = 0;
}

static void put_byte(struct rtf *x, unsigned char c)
{
    if (top(x)->skip)
        return;
    if (x->skip_chars > 0) {
        x->skip_chars--;
        return;
    }
    if (c < 0x80 && x->pending_len == 0) {
        extract_append(x->r, (const char *)&c, 1);
        return;
    }
    if (x->pending_len == sizeof x->pending)
        flush_bytes(x);
    x->pending[x->pending_len++] = c;
    if (c < 0x80)
        flush_bytes(x);
}

static void put_text(struct rtf *x, const char *s)
{
    if (top(x)->skip)
        return;
    flush_bytes(x);
    extract_append(x->r, s, strlen(s));
}

static void put_codepoint(struct rtf *x, long n)
{
    if (top(x)->skip)
        return;
    flush_bytes(x);
    unsigned cp = (unsigned)(n < 0 ? n + 65536 : n);
    if (cp >= 0xd800 && cp < 0xdc00) {
        x->high_surrogate = cp;
        return;
    }
    if (cp >= 0xdc00 && cp < 0xe000) {
        cp = x->high_surrogate ? 0x10000 + ((x->high_surrogate - 0xd800) << 10) + (cp - 0xdc00)
                               : 0xfffd;
    } else if (x->high_surrogate) {
        struct buf b = BUF_INIT;
        text_append_codepoint(&b, 0xfffd);
        extract_append(x->r, buf_cstr(&b), b.len);
        buf_free(&b);
    }
    x->high_surrogate = 0;
    if (cp == 0 || cp > 0x10ffff)
        cp = 0xfffd;
    struct buf b = BUF_INIT;
    if (text_append_codepoint(&b, cp) == MT_OK)
        extract_append(x->r, buf_cstr(&b), b.len);
    buf_free(&b);
}

/* Destinations whose content is not document text. */
static bool ignored_destination(const char *w)
{
    static const char *const names[] = {
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "objdata", "objclass",
        "fldinst", "listtable", "listoverridetable", "rsidtbl", "generator", "xmlnstbl",
        "themedata", "colorschememapping", "datastore", "latentstyles", "pgdsctbl",
        "filetbl", "revtbl", "bkmkstart", "bkmkend", "header", "footer", "headerl",
        "headerr", "footerl", "footerr", "private", "mmathPr", "wgrffmtfilter",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(w, names[i]))
            return true;
    return false;
}

static void control_word(struct rtf *x, const char *w, bool has_n, long n, bool starred)
{
    struct rtf_state *s = top(x);
    if (!strcmp(w, "fonttbl")) {
        x->in_fonttbl = true;
        x->fonttbl_depth = x->depth;
    }
    if (starred || ignored_destination(w)) {
        flush_bytes(x);
        s->skip = true;
        return;
    }
    if (!strcmp(w, "u") && has_n) {
        put_codepoint(x, n);
        x->skip_chars = s->uc;
        return;
    }
    /* a control word counts as one fallback character of a \uN */
    if (x->skip_chars > 0) {
        x->skip_chars--;
        return;
    }
    if (!strcmp(w, "uc") && has_n)
        s->uc = n < 0 ? 0 : n > 10 ? 10 : (int)n;
    else if (!strcmp(w, "ansicpg") && has_n)
        x->doc_codepage = (int)n;
    else if (!strcmp(w, "f") && has_n) {
        x->current_font = (int)n;
        if (!x->in_fonttbl) {
            flush_bytes(x);
            s->codepage = font_codepage(x, (int)n);
        }
    } else if (!strcmp(w, "fcharset") && has_n && x->in_fonttbl && x->current_font >= 0)
        set_font_codepage(x, x->current_font, charset_codepage((int)n));
    else if (!strcmp(w, "cpg") && has_n && x->in_fonttbl && x->current_font >= 0)
        set_font_codepage(x, x->current_font, (int)n);
    else if (!strcmp(w, "par") || !strcmp(w, "line") || !strcmp(w, "row") || !strcmp(w, "sect")
             || !strcmp(w, "page"))
        put_text(x, "\n");
    else if (!strcmp(w, "tab") || !strcmp(w, "cell"))
        put_text(x, "\t");
    else if (!strcmp(w, "emdash"))
        put_text(x, "\xe2\x80\x94");
    else if (!strcmp(w, "endash"))
        put_text(x, "\xe2\x80\x93");
    else if (!strcmp(w, "lquote"))
        put_text(x, "\xe2\x80\x98");
    else if (!strcmp(w, "rquote"))
        put_text(x, "\xe2\x80\x99");
    else if (!strcmp(w, "ldblquote"))
        put_text(x, "\xe2\x80\x9c");
    else if (!strcmp(w, "rdblquote"))
        put_text(x, "\xe2\x80\x9d");
    else if (!strcmp(w, "bullet"))
        put_text(x, "\xe2\x80\xa2");
}

static void hex_escape(struct rtf *x)
{
    int v = 0;
    for (int k = 0; k < 2; k++) {
        unsigned char c = x->i < x->len ? x->d[x->i] : 0;
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (h < 0)
            return;
        v = v * 16 + h;
        x->i++;
    }
    put_byte(x, (unsigned char)v);
}

static void backslash(struct rtf *x, bool *starred)
{
    if (x->i >= x->len)
        return;
    unsigned char c = x->d[x->i];
    if (c == '\'') {
        x->i++;
        hex_escape(x);
        return;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        x->i++;
        if (c == '*')
            *starred = true;
        else if (c == '\\' || c == '{' || c == '}')
            put_byte(x, c);
        else if (c == '~')
            put_text(x, " ");
        else if (c == '_')
            put_text(x, "-");
        else if (c == '\n' || c == '\r')
            put_text(x, "\n");
        return;
    }
    char word[33];
    size_t n = 0;
    while (x->i < x->len && ((x->d[x->i] >= 'a' && x->d[x->i] <= 'z')
                             || (x->d[x->i] >= 'A' && x->d[x->i] <= 'Z'))) {
        if (n < sizeof word - 1)
            word[n++] = (char)x->d[x->i];
        x->i++;
    }
    word[n] = '\0';
    bool has_n = false, negative = false;
    long value = 0;
    if (x->i < x->len && x->d[x->i] == '-') {
        negative = true;
        x->i++;
    }
    while (x->i < x->len && x->d[x->i] >= '0' && x->d[x->i] <= '9') {
        if (value < 100000000)
            value = value * 10 + (x->d[x->i] - '0');
        has_n = true;
        x->i++;
    }
    if (negative)
        value = -value;
    if (x->i < x->len && x->d[x->i] == ' ')
        x->i++;
    control_word(x, word, has_n, value, *starred);
    *starred = false;
}

void extract_rtf(const unsigned char *d, size_t len, struct extract_result *r)
{
    struct rtf *x = calloc(1, sizeof *x);
    if (x == NULL) {
        extract_set(r, EXTRACT_FAILED, "out of memory reading RTF");
        return;
    }
    x->d = d;
    x->len = len;
    x->r = r;
    x->doc_codepage = 1252;
    x->cd = (iconv_t)-1;
    x->stack[0].uc = 1;
    x->current_font = -1;
    bool starred = false;
    while (x->i < x->len && r->outcome != EXTRACT_LIMIT) {
        unsigned char c = d[x->i++];
        if (c == '{') {
            flush_bytes(x);
            struct rtf_state s = *top(x);
            x->depth++;
            *top(x) = s;
            x->skip_chars = 0;
        } else if (c == '}') {
            flush_bytes(x);
            if (x->in_fonttbl && x->depth <= x->fonttbl_depth)
                x->in_fonttbl = false;
            if (x->depth > 0)
                x->depth--;
            x->skip_chars = 0;
        } else if (c == '\\') {
            backslash(x, &starred);
        } else if (c == '\r' || c == '\n') {
            /* line ends in RTF source are not text */
        } else if (x->in_fonttbl) {
            /* font names */
        } else {
            put_byte(x, c);
        }
    }
    flush_bytes(x);
    if (x->cd != (iconv_t)-1)
        iconv_close(x->cd);
    free(x);
}
