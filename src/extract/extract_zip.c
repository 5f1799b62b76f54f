/* extract_zip.c - zips: OOXML (DOCX, XLSX, PPTX) and ODF (ODT, ODS, ODP)
 * read through their XML parts, any other zip member by member.  The zip
 * through libarchive, from memory; the XML through libxml2's reader with
 * no DTD loading, no entity substitution and no network, so an entity
 * bomb stays small and an external entity fetches nothing. */
#include "extract/extract_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <fnmatch.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

enum zip_kind { ZIP_PLAIN, ZIP_OOXML, ZIP_ODF };

/* The XML parts of an Office file that hold its text. */
static bool text_part(enum zip_kind kind, const char *name)
{
    static const char *const ooxml[] = {
        "word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml",
        "word/header*.xml", "word/footer*.xml", "xl/sharedStrings.xml",
        "ppt/slides/slide*.xml", "ppt/notesSlides/notesSlide*.xml",
    };
    if (kind == ZIP_ODF)
        return !strcmp(name, "content.xml");
    for (size_t i = 0; i < sizeof ooxml / sizeof *ooxml; i++)
        if (fnmatch(ooxml[i], name, FNM_PATHNAME) == 0)
            return true;
    return false;
}

static bool paragraph_like(const xmlChar *local)
{
    static const char *const names[] = { "p", "h", "br", "tr", "si", "cr", "list-item",
                                         "table-row" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp((const char *)local, names[i]))
            return true;
    return false;
}

void extract_xml_text(const unsigned char *d, size_t len, struct extract_result *r)
{
    xmlTextReaderPtr reader = xmlReaderForMemory((const char *)d, (int)(len > 0x7fffffff ? 0x7fffffff : len),
                                                 NULL, NULL,
                                                 XML_PARSE_NONET | XML_PARSE_NOERROR
                                                 | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (reader == NULL) {
        extract_set(r, EXTRACT_FAILED, "XML that cannot be read");
        return;
    }
    int rc;
    while ((rc = xmlTextReaderRead(reader)) == 1) {
        int type = xmlTextReaderNodeType(reader);
        if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
            const xmlChar *v = xmlTextReaderConstValue(reader);
            if (v && !extract_append(r, (const char *)v, strlen((const char *)v)))
                break;
        } else if (type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
            extract_append(r, " ", 1);
        } else if (type == XML_READER_TYPE_END_ELEMENT
                   || (type == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(reader))) {
            const xmlChar *local = xmlTextReaderConstLocalName(reader);
            if (local && paragraph_like(local))
                extract_append(r, "\n", 1);
            else if (local && (!strcmp((const char *)local, "tab")
                               || !strcmp((const char *)local, "s")))
                extract_append(r, " ", 1);
        } else if (type == XML_READER_TYPE_ELEMENT) {
            const xmlChar *local = xmlTextReaderConstLocalName(reader);
            /* a spreadsheet cell or a slide's text box: words apart */
            if (local && (!strcmp((const char *)local, "c") || !strcmp((const char *)local, "tc")
                          || !strcmp((const char *)local, "table-cell")))
                extract_append(r, " ", 1);
        }
    }
    if (rc < 0 && r->outcome == EXTRACT_OK) {
        const xmlError *e = xmlGetLastError();
        bool bomb = e && e->message && (strstr(e->message, "ntity") || strstr(e->message, "mplification"));
        if (bomb)
            extract_set(r, EXTRACT_LIMIT, "an XML entity bomb: libxml2 refused to expand it "
                                          "(%.*s)", (int)strcspn(e->message, "\n"), e->message);
        else if (r->text.len == 0)
            extract_set(r, EXTRACT_FAILED, "damaged XML (libxml2 stopped at line %d)",
                        xmlTextReaderGetParserLineNumber(reader));
    }
    xmlFreeTextReader(reader);
}

/* Read the current member (at most CAP bytes) into OUT; false when it is
 * over CAP or cannot be read (encrypted, damaged: *WHY says). */
static bool read_member(struct archive *a, size_t cap, struct buf *out, const char **why)
{
    char chunk[65536];
    buf_clear(out);
    for (;;) {
        la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
        if (n == 0)
            return true;
        if (n < 0) {
            *why = archive_error_string(a) ? archive_error_string(a) : "unreadable";
            return false;
        }
        if (out->len + (size_t)n > cap) {
            *why = NULL;
            return false;
        }
        if (buf_append(out, chunk, (size_t)n) != MT_OK) {
            *why = "out of memory";
            return false;
        }
    }
}

static enum zip_kind zip_kind(const unsigned char *d, size_t len)
{
    size_t n = len < (1 << 20) ? len : (1 << 20);
    if (memmem(d, n, "[Content_Types].xml", 19))
        return ZIP_OOXML;
    if (len > 38 && !memcmp(d + 30, "mimetype", 8)
        && memmem(d, n < 200 ? n : 200, "application/vnd.oasis.opendocument", 34))
        return ZIP_ODF;
    return ZIP_PLAIN;
}

struct zip_walk {
    enum zip_kind kind;
    size_t unzipped;
    unsigned members;
    bool encrypted;
    size_t zipped;
};

/* One member: an Office file's text part, or any member of a plain zip. */
static bool zip_member(struct zip_walk *z, struct archive *a, struct archive_entry *e,
                       int depth, const struct extract_options *options, struct buf *data,
                       struct extract_result *r)
{
    const char *name = archive_entry_pathname(e);
    if (archive_entry_filetype(e) != AE_IFREG || name == NULL)
        return true;
    if (z->kind != ZIP_PLAIN && !text_part(z->kind, name))
        return true;
    if (archive_entry_is_encrypted(e)) {
        z->encrypted = true;
        return true;
    }
    const char *why = NULL;
    size_t cap = EXTRACT_MAX_UNZIPPED - z->unzipped;
    if (!read_member(a, cap, data, &why)) {
        if (why == NULL) {
            extract_set(r, EXTRACT_LIMIT, "more than %zu bytes unzipped", (size_t)EXTRACT_MAX_UNZIPPED);
            return false;
        }
        if (strstr(why, "ncrypt") || strstr(why, "assword"))
            z->encrypted = true;
        else if (r->outcome == EXTRACT_OK)
            extract_set(r, EXTRACT_FAILED, "a damaged zip member (%s): %s", name, why);
        return true;
    }
    z->unzipped += data->len;
    if (z->unzipped > ((size_t)1 << 20) && z->unzipped / (z->zipped ? z->zipped : 1) > EXTRACT_MAX_RATIO) {
        extract_set(r, EXTRACT_LIMIT, "unzips to over %d times its size (a zip bomb?)",
                    EXTRACT_MAX_RATIO);
        return false;
    }
    if (z->kind != ZIP_PLAIN) {
        if (z->kind == ZIP_ODF && data->len && data->data[0] != '<') {
            z->encrypted = true; /* an encrypted ODF's content.xml is ciphertext */
            return true;
        }
        extract_xml_text((const unsigned char *)data->data, data->len, r);
        extract_append(r, "\n", 1);
        return r->outcome != EXTRACT_LIMIT;
    }
    struct extract_result inner = { 0 };
    inner.text = (struct buf)BUF_INIT;
    extract_any((const unsigned char *)data->data, data->len, NULL, name, NULL, depth + 1,
                options, &inner);
    if ((inner.outcome == EXTRACT_OK || inner.outcome == EXTRACT_LIMIT)
        && extract_append(r, buf_cstr(&inner.text), inner.text.len))
        extract_append(r, "\n", 1);
    extract_result_free(&inner);
    return r->outcome != EXTRACT_LIMIT;
}

void extract_zip(const unsigned char *d, size_t len, int depth,
                 const struct extract_options *options, struct extract_result *r)
{
    if (depth >= EXTRACT_MAX_DEPTH) {
        extract_set(r, EXTRACT_LIMIT, "zips nested deeper than %d levels", EXTRACT_MAX_DEPTH);
        return;
    }
    struct zip_walk z = { .kind = zip_kind(d, len), .zipped = len };
    struct archive *a = archive_read_new();
    if (a == NULL) {
        extract_set(r, EXTRACT_FAILED, "out of memory opening a zip");
        return;
    }
    archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, d, len) != ARCHIVE_OK) {
        extract_set(r, EXTRACT_FAILED, "a damaged zip: %s",
                    archive_error_string(a) ? archive_error_string(a) : "cannot be opened");
        archive_read_free(a);
        return;
    }
    struct buf data = BUF_INIT;
    struct archive_entry *e;
    int rc;
    while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        if (++z.members > EXTRACT_MAX_ZIP_MEMBERS) {
            extract_set(r, EXTRACT_LIMIT, "more than %d members: the first read",
                        EXTRACT_MAX_ZIP_MEMBERS);
            break;
        }
        if (!zip_member(&z, a, e, depth, options, &data, r))
            break;
    }
    if (rc < ARCHIVE_WARN && r->outcome == EXTRACT_OK)
        extract_set(r, r->text.len ? EXTRACT_OK : EXTRACT_FAILED, "%s",
                    r->text.len ? "" : "a damaged zip: its members cannot be listed");
    buf_free(&data);
    archive_read_free(a);
    if (z.members == 0 && r->outcome == EXTRACT_OK)
        extract_set(r, EXTRACT_FAILED, "a damaged zip: no member can be read");
    if (z.encrypted && r->outcome == EXTRACT_OK && r->text.len == 0)
        extract_set(r, EXTRACT_ENCRYPTED, "%s",
                    z.kind == ZIP_ODF ? "an encrypted OpenDocument file" : "an encrypted zip");
    else if (z.kind == ZIP_OOXML && r->outcome == EXTRACT_FAILED && r->text.len == 0)
        snprintf(r->reason, sizeof r->reason, "a damaged Office file");
}
