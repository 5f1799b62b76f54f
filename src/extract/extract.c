/* extract.c - what an attachment is, the plain-text and HTML readers, and
 * running the risky readers (PDF, Office XML) in a helper process. */
#include "extract/extract_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uchardet/uchardet.h>

#include "fdio.h"
#include "mime.h"
#include "text.h"

const char *extract_outcome_name(enum extract_outcome o)
{
    static const char *const names[] = { "ok", "empty", "encrypted", "unsupported",
                                         "failed", "limit" };
    return (unsigned)o < sizeof names / sizeof *names ? names[o] : "failed";
}

void extract_set(struct extract_result *r, enum extract_outcome outcome,
                 const char *format, ...)
{
    r->outcome = outcome;
    va_list ap;
    va_start(ap, format);
    vsnprintf(r->reason, sizeof r->reason, format, ap);
    va_end(ap);
}

bool extract_append(struct extract_result *r, const char *s, size_t len)
{
    if (r->text.len >= EXTRACT_MAX_TEXT_BYTES)
        return false;
    size_t room = EXTRACT_MAX_TEXT_BYTES - r->text.len;
    size_t take = len <= room ? len : room;
    /* never cut a UTF-8 sequence in two */
    while (take < len && take > 0 && ((unsigned char)s[take] & 0xc0) == 0x80)
        take--;
    if (buf_append(&r->text, s, take) != MT_OK)
        return false;
    if (take < len) {
        extract_set(r, EXTRACT_LIMIT, "text over %zu bytes: the first %zu kept",
                    (size_t)EXTRACT_MAX_TEXT_BYTES, r->text.len);
        return false;
    }
    return true;
}

void extract_result_free(struct extract_result *r)
{
    buf_free(&r->text);
}

static bool utf16_bom(const unsigned char *d, size_t len)
{
    return len >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff));
}

/* EBCDIC text (IBM mainframes; uchardet does not know it): its space is
 * 0x40, its letters 0x81-0xA9 and 0xC1-0xE9, and it has almost no bytes
 * in ASCII's printable range other than those. */
static bool looks_like_ebcdic(const unsigned char *d, size_t len)
{
    size_t n = len < 65536 ? len : 65536, spaces = 0, letters = 0, ascii_low = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = d[i];
        if (c == 0x40)
            spaces++;
        else if ((c >= 0x81 && c <= 0xa9) || (c >= 0xc1 && c <= 0xe9) || (c >= 0xf0 && c <= 0xf9))
            letters++;
        else if (c >= 0x41 && c <= 0x7a && c != 0x4b && c != 0x6b && c != 0x5a && c != 0x7a
                 && c != 0x7d && c != 0x4d && c != 0x5d && c != 0x61 && c != 0x60)
            ascii_low++;
    }
    return n >= 64 && spaces * 20 > n && (spaces + letters) * 10 > n * 7 && ascii_low * 10 < n;
}

/* uchardet's guess for bytes that are not UTF-8 (into OUT), or NULL. */
static const char *guess_charset(const unsigned char *d, size_t len, char *out, size_t size)
{
    if (text_is_utf8((const char *)d, len < 65536 ? len : 65536))
        return NULL;
    uchardet_t u = uchardet_new();
    if (u == NULL)
        return NULL;
    const char *name = NULL;
    if (uchardet_handle_data(u, (const char *)d, len < 65536 ? len : 65536) == 0) {
        uchardet_data_end(u);
        const char *g = uchardet_get_charset(u);
        if (g && *g && strcasecmp(g, "ascii")) {
            snprintf(out, size, "%s", g);
            name = out;
        }
    }
    uchardet_delete(u);
    return name;
}

/* A declared Latin-1 or windows-1252 is the usual default, often wrong:
 * when the bytes are not UTF-8 and uchardet sees another script, it wins. */
static const char *trusted_charset(const unsigned char *d, size_t len, const char *declared,
                                   char *out, size_t size)
{
    /* UTF-8 declared, and the bytes are not: the declaration is wrong */
    if (declared && !strcasecmp(declared, "utf-8")
        && !text_is_utf8((const char *)d, len < 65536 ? len : 65536))
        declared = NULL;
    bool latin = declared == NULL || !strcasecmp(declared, "iso-8859-1")
                 || !strcasecmp(declared, "windows-1252") || !strcasecmp(declared, "us-ascii")
                 || !strcasecmp(declared, "latin1");
    if (!latin)
        return declared;
    if (declared == NULL && looks_like_ebcdic(d, len))
        return "IBM500";
    const char *guess = guess_charset(d, len, out, size);
    if (guess && strcasecmp(guess, "iso-8859-1") && strcasecmp(guess, "windows-1252")
        && strcasecmp(guess, "iso-8859-15"))
        return guess;
    return declared;
}

void extract_plain(const unsigned char *d, size_t len, const char *charset,
                   struct extract_result *r)
{
    char guessed[64];
    charset = trusted_charset(d, len, charset, guessed, sizeof guessed);
    bool bom = utf16_bom(d, len);
    if (bom)
        charset = "UTF-16";
    if (charset && (!*charset || !strcasecmp(charset, "utf-8") || !strcasecmp(charset, "us-ascii")))
        charset = NULL;   /* nothing to convert */
    /* Text to convert is read whole (a multibyte charset cannot be cut
     * anywhere); the rest as far as the output can hold. */
    size_t n = charset || len <= EXTRACT_MAX_TEXT_BYTES ? len : EXTRACT_MAX_TEXT_BYTES + 4;
    bool converted = false;
    struct buf tmp = BUF_INIT;
    if (mime_append_in_charset(&tmp, charset, d, n, &converted) != MT_OK)
        extract_set(r, EXTRACT_FAILED, "out of memory reading text");
    else if (bom && !converted)
        extract_set(r, EXTRACT_FAILED, "UTF-16 text that does not decode");
    else
        extract_append(r, buf_cstr(&tmp), tmp.len);
    buf_free(&tmp);
}

/* The charset an HTML document names in its first kilobytes, or NULL. */
static const char *meta_charset(const unsigned char *d, size_t len, char *out, size_t size)
{
    size_t n = len < 4096 ? len : 4096;
    const unsigned char *at = memmem(d, n, "charset=", 8);
    if (at == NULL)
        return NULL;
    at += 8;
    while (at < d + n && (*at == '"' || *at == '\''))
        at++;
    size_t k = 0;
    while (at + k < d + n && k + 1 < size &&
           ((at[k] >= 'a' && at[k] <= 'z') || (at[k] >= 'A' && at[k] <= 'Z') ||
            (at[k] >= '0' && at[k] <= '9') || at[k] == '-' || at[k] == '_'))
        k++;
    if (k == 0)
        return NULL;
    memcpy(out, at, k);
    out[k] = '\0';
    return out;
}

void extract_html(const unsigned char *d, size_t len, const char *charset,
                  struct extract_result *r)
{
    char named[40], guessed[64];
    /* a BOM wins, then the part's charset, then the page's own */
    if (utf16_bom(d, len)) {
        charset = "UTF-16";
    } else {
        if (!charset || !*charset)
            charset = meta_charset(d, len, named, sizeof named);
        charset = trusted_charset(d, len, charset, guessed, sizeof guessed);
    }
    /* the whole page as UTF-8 first (bounded by the input limit) */
    struct buf page = BUF_INIT;
    mime_append_in_charset(&page, charset, d, len, NULL);
    char *text = mime_html_to_text(buf_cstr(&page), page.len);
    buf_free(&page);
    if (text == NULL) {
        extract_set(r, EXTRACT_FAILED, "out of memory reading HTML");
        return;
    }
    extract_append(r, text, strlen(text));
    free(text);
}

static bool has_prefix(const unsigned char *d, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(d, magic, n) == 0;
}

static bool ends_with(const char *name, const char *suffix)
{
    size_t n = name ? strlen(name) : 0, s = strlen(suffix);
    return n >= s && strcasecmp(name + n - s, suffix) == 0;
}

/* Mostly printable, no NULs: text whatever it was called. */
static bool looks_like_text(const unsigned char *d, size_t len)
{
    size_t n = len < 4096 ? len : 4096, odd = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == 0)
            return false;
        if (d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t' && d[i] != '\f')
            odd++;
    }
    return odd * 50 < n + 1;
}

void extract_any(const unsigned char *d, size_t len, const char *content_type,
                 const char *filename, const char *charset, int depth,
                 const struct extract_options *options, struct extract_result *r)
{
    const char *ct = content_type ? content_type : "";
    if (len == 0) {
        extract_set(r, EXTRACT_EMPTY, "an empty file");
        return;
    }
    if (len > EXTRACT_MAX_INPUT_BYTES) {
        extract_set(r, EXTRACT_LIMIT, "%zu bytes, over the %zu-byte limit for documents",
                    len, (size_t)EXTRACT_MAX_INPUT_BYTES);
        return;
    }
    /* Signatures and keys are base64 noise to a word index, not text. */
    if (!strncmp(ct, "application/pgp-", 16) || !strcmp(ct, "application/pkcs7-signature")
        || !strcmp(ct, "application/x-pkcs7-signature") || !strcmp(ct, "application/pkcs7-mime")
        || !strcmp(ct, "application/x-pkcs7-mime")) {
        extract_set(r, EXTRACT_UNSUPPORTED, "a signature, key or encrypted part (%s), not a "
                                            "document", ct);
        return;
    }
    /* PDF readers accept the header anywhere in the first kilobyte */
    bool pdf = memmem(d, len < 1024 ? len : 1024, "%PDF-", 5) != NULL;
    bool ole = has_prefix(d, len, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
    bool ocr = options && options->ocr;
    bool image = has_prefix(d, len, "\xff\xd8\xff", 3) || has_prefix(d, len, "\x89PNG", 4)
                 || has_prefix(d, len, "GIF8", 4) || has_prefix(d, len, "II*\0", 4)
                 || has_prefix(d, len, "MM\0*", 4) || has_prefix(d, len, "BM", 2)
                 || (len > 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4));
    if (options && options->helper
        && (pdf || ole || has_prefix(d, len, "PK\3\4", 4) || (ocr && image))) {
        /* the risky readers, in a helper: the caller's, or one for this
         * document alone */
        struct extract_pool *once = options->pool ? NULL : extract_pool_new(options->helper);
        if (options->pool || once)
            extract_in_pool(options->pool ? options->pool : once, d, len, ocr, r);
        else
            extract_set(r, EXTRACT_FAILED, "out of memory starting the extractor");
        extract_pool_free(once);
        return;
    }
    if (pdf)
        extract_pdf(d, len, ocr, r);
    else if (has_prefix(d, len, "PK\3\4", 4) || has_prefix(d, len, "PK\5\6", 4))
        extract_zip(d, len, depth, options, r);
    else if (has_prefix(d, len, "{\\rtf", 5))
        extract_rtf(d, len, r);
    else if (ole && memmem(d, len, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32))
        extract_set(r, EXTRACT_ENCRYPTED, "a password-protected Office file (an OLE2 "
                                          "EncryptedPackage)");
    else if (ole)
        extract_ole(d, len, r);
    else if (image && ocr)
        extract_image(d, len, r);
    else if (image || !strncmp(ct, "image/", 6))
        extract_set(r, EXTRACT_UNSUPPORTED, "an image: its text, if any, is read only with "
                                            "OCR (ingest --ocr)");
    else if (!strcmp(ct, "text/html") || ends_with(filename, ".html") || ends_with(filename, ".htm")
             || (looks_like_text(d, len) && (memmem(d, len < 1024 ? len : 1024, "<html", 5)
                                            || memmem(d, len < 1024 ? len : 1024, "<HTML", 5))))
        extract_html(d, len, charset, r);
    else if (!strncmp(ct, "text/", 5) || looks_like_text(d, len) || utf16_bom(d, len))
        extract_plain(d, len, charset, r);
    else
        extract_set(r, EXTRACT_UNSUPPORTED, "binary data of no document format we read (%s)",
                    *ct ? ct : "no type");
    if (r->reason[0] == '\0') {
        size_t i = 0;
        while (i < r->text.len && (unsigned char)r->text.data[i] <= ' ')
            i++;
        if (i == r->text.len)
            extract_set(r, EXTRACT_EMPTY, "%s",
                        pdf && ocr ? "no text layer, and OCR found no text"
                        : pdf ? "no text layer (a scan, or only images: ingest --ocr reads them)"
                        : image ? "OCR found no text" : "no text in it");
    }
}

mt_status extract_text(const unsigned char *data, size_t len, const char *content_type,
                       const char *filename, const char *charset,
                       const struct extract_options *options, struct extract_result *out)
{
    memset(out, 0, sizeof *out);
    out->text = (struct buf)BUF_INIT;
    extract_any(data, len, content_type, filename, charset, 0, options, out);
    return MT_OK;
}
