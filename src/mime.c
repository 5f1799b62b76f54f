/* mime.c - GMime 3 wrapper: one message into a plain struct. */
#include "mime.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "encoded_word.h"
#include "mime_trim.h"
#include "text.h"

void mime_init(void)
{
    g_mime_init();
    xmlInitParser();
}

void mime_shutdown(void)
{
    g_mime_shutdown();
    xmlCleanupParser();
}

/* A valid UTF-8 copy of S (NULL stays NULL); aborts never, NULL on ENOMEM
 * is treated by callers as "absent". */
static char *utf8_dup(const char *s)
{
    if (!s)
        return NULL;
    struct buf b = BUF_INIT;
    if (text_append_utf8_or_cp1252(&b, s, strlen(s)) != MT_OK) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

/* Collects the walk's state. */
struct walk_state {
    struct mime_message *m;
    struct buf plain;
    struct buf html;
    struct buf alternative_html;  /* an HTML alternative not chosen as body */
    size_t attachment_capacity;
    int parts_seen;
    mt_status status;
    const struct mime_options *options;
};

static void push_attachment(struct walk_state *ws, const char *filename,
                            const char *content_type, GByteArray *bytes,
                            const char *charset, bool message_part)
{
    struct mime_message *m = ws->m;
    if (m->attachment_count == ws->attachment_capacity) {
        size_t grown = ws->attachment_capacity ? ws->attachment_capacity * 2 : 4;
        struct mime_attachment *bigger =
            realloc(m->attachments, grown * sizeof *bigger);
        if (!bigger) {
            ws->status = MT_ENOMEM;
            return;
        }
        m->attachments = bigger;
        ws->attachment_capacity = grown;
    }
    struct mime_attachment *a = &m->attachments[m->attachment_count++];
    memset(a, 0, sizeof *a);
    a->n = (int)m->attachment_count;
    a->filename = utf8_dup(filename);
    a->content_type = utf8_dup(content_type);
    a->size = bytes ? bytes->len : 0;
    SHA256(bytes && bytes->len ? bytes->data : (const unsigned char *)"",
           bytes ? bytes->len : 0, a->sha256);
    a->extraction = -1;
    if (ws->options && ws->options->examine)
        ws->options->examine(ws->options->context, a,
                             bytes && bytes->len ? bytes->data : (const unsigned char *)"",
                             bytes ? bytes->len : 0, charset, message_part);
}

/* The decoded content of a leaf part. Caller unrefs. */
static GByteArray *part_content(GMimePart *part)
{
    GMimeDataWrapper *wrapper = g_mime_part_get_content(part);
    GByteArray *bytes = g_byte_array_new();
    if (!wrapper)
        return bytes;
    GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(bytes);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
    g_mime_data_wrapper_write_to_stream(wrapper, stream);
    g_object_unref(stream);
    return bytes;
}

/* Whether iconv's name NAME is ISO-8859-1, whose bytes are the first 256
 * code points: converted here, since opening and closing an iconv
 * descriptor for each text part took 5% of a parse worker on linux-mips
 * (a tenth of its parts are ISO-8859-1) for a conversion of a few us. */
static bool is_latin1(const char *iconv_name)
{
    return !g_ascii_strcasecmp(iconv_name, "iso-8859-1")
           || !g_ascii_strcasecmp(iconv_name, "latin1")
           || !g_ascii_strcasecmp(iconv_name, "iso_8859-1");
}

/* BYTES (LEN, ISO-8859-1) as UTF-8, as iconv writes them, onto OUT (by
 * way of text_append_utf8_or_cp1252, as iconv's output goes). */
static mt_status append_latin1(struct buf *out, const unsigned char *bytes, size_t len)
{
    if (len > ((size_t)-1) / 2)
        return MT_ENOMEM;
    unsigned char *utf8 = malloc(2 * len);
    if (!utf8)
        return MT_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] < 0x80) {
            utf8[n++] = bytes[i];
        } else {
            utf8[n++] = (unsigned char)(0xc0 | (bytes[i] >> 6));
            utf8[n++] = (unsigned char)(0x80 | (bytes[i] & 0x3f));
        }
    }
    mt_status st = text_append_utf8_or_cp1252(out, (const char *)utf8, n);
    free(utf8);
    return st;
}

mt_status mime_append_in_charset(struct buf *out, const char *charset, const void *data,
                                 size_t len, bool *converted)
{
    const unsigned char *bytes = data;
    if (converted)
        *converted = false;
    if (len == 0)
        return MT_OK;
    if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0
        && g_ascii_strcasecmp(charset, "us-ascii") != 0
        && g_ascii_strcasecmp(charset, "utf8") != 0) {
        const char *iconv_name = g_mime_charset_iconv_name(charset);
        if (iconv_name && is_latin1(iconv_name)) {
            if (converted)
                *converted = true;
            return append_latin1(out, bytes, len);
        }
        gsize written = 0;
        gchar *utf8 = g_convert((const gchar *)bytes, (gssize)len,
                                "UTF-8", iconv_name, NULL, &written,
                                NULL);
        if (utf8) {
            mt_status st = text_append_utf8_or_cp1252(out, utf8, written);
            g_free(utf8);
            if (converted)
                *converted = true;
            return st;
        }
        /* Unknown or lying charset: fall through to the fallback. */
    }
    return text_append_utf8_or_cp1252(out, (const char *)bytes, len);
}

static mt_status append_in_charset(struct buf *out, const char *charset,
                                   const unsigned char *bytes, size_t len)
{
    return mime_append_in_charset(out, charset, bytes, len, NULL);
}

static bool is_attachment(GMimeObject *object, const char *filename)
{
    GMimeContentDisposition *disposition =
        g_mime_object_get_content_disposition(object);
    if (filename && *filename)
        return true;
    return disposition && g_mime_content_disposition_is_attachment(disposition);
}

static void walk_object(struct walk_state *ws, GMimeObject *object,
                        int depth, bool body_allowed);

static void walk_leaf(struct walk_state *ws, GMimeObject *object,
                      bool body_allowed)
{
    GMimePart *part = GMIME_PART(object);
    GMimeContentType *type = g_mime_object_get_content_type(object);
    const char *filename = g_mime_part_get_filename(part);
    bool attachment = is_attachment(object, filename);
    /* Any inline text that is not HTML reads as plain text: text/x-patch,
     * a bare "text" with no subtype, text/enriched. */
    bool html = g_mime_content_type_is_type(type, "text", "html");
    bool plain = (GMIME_IS_TEXT_PART(object)
                  || g_mime_content_type_is_type(type, "text", "*")) && !html;
    char *mime_type = g_mime_content_type_get_mime_type(type);
    char *lower = g_ascii_strdown(mime_type ? mime_type : "application/octet-stream", -1);
    g_free(mime_type);

    if (!attachment && html)
        ws->m->has_html = true;
    if (!attachment && body_allowed && (plain || html)) {
        struct buf *target = plain ? &ws->plain : &ws->html;
        if (target->len < MIME_MAX_BODY_BYTES) {
            GByteArray *bytes = part_content(part);
            const char *charset =
                g_mime_object_get_content_type_parameter(object, "charset");
            if (target->len && buf_append_char(target, '\n') != MT_OK)
                ws->status = MT_ENOMEM;
            else if (append_in_charset(target, charset, bytes->data,
                                       bytes->len) != MT_OK)
                ws->status = MT_ENOMEM;
            g_byte_array_unref(bytes);
        }
    } else if (!attachment && html && ws->alternative_html.len < MIME_MAX_BODY_BYTES) {
        /* the HTML half of a multipart/alternative whose plain half is the
         * body: its words are indexed too (html_extra) */
        GByteArray *bytes = part_content(part);
        const char *charset = g_mime_object_get_content_type_parameter(object, "charset");
        if ((ws->alternative_html.len && buf_append_char(&ws->alternative_html, '\n') != MT_OK)
            || append_in_charset(&ws->alternative_html, charset, bytes->data,
                                 bytes->len) != MT_OK)
            ws->status = MT_ENOMEM;
        g_byte_array_unref(bytes);
    } else if (attachment) {
        GByteArray *bytes = part_content(part);
        push_attachment(ws, filename, lower, bytes,
                        g_mime_object_get_content_type_parameter(object, "charset"), false);
        g_byte_array_unref(bytes);
    }
    g_free(lower);
}

static void walk_message_part(struct walk_state *ws, GMimeObject *object)
{
    /* An attached message counts as one attachment; not descended into. */
    GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    GByteArray *bytes = g_byte_array_new();
    if (inner) {
        GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(bytes);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
        g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, stream);
        g_object_unref(stream);
    }
    GMimeContentDisposition *disposition =
        g_mime_object_get_content_disposition(object);
    const char *filename = disposition
        ? g_mime_content_disposition_get_parameter(disposition, "filename") : NULL;
    if (!filename)
        filename = g_mime_object_get_content_type_parameter(object, "name");
    GMimeContentType *type = g_mime_object_get_content_type(object);
    char *mime_type = g_mime_content_type_get_mime_type(type);
    char *lower = g_ascii_strdown(mime_type ? mime_type : "message/rfc822", -1);
    push_attachment(ws, filename, lower, bytes, NULL, inner != NULL);
    g_free(mime_type);
    g_free(lower);
    g_byte_array_unref(bytes);
}

/* In multipart/alternative the text/plain part is the body if there is
 * one; otherwise the last part (the richest, RFC 2046 5.1.4). */
static int alternative_choice(GMimeMultipart *multipart)
{
    int count = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < count; i++) {
        GMimeObject *child = g_mime_multipart_get_part(multipart, i);
        if (GMIME_IS_PART(child)
            && (GMIME_IS_TEXT_PART(child)
                || g_mime_content_type_is_type(g_mime_object_get_content_type(child),
                                               "text", "*"))
            && !g_mime_content_type_is_type(g_mime_object_get_content_type(child),
                                            "text", "html")
            && !is_attachment(child, g_mime_part_get_filename(GMIME_PART(child))))
            return i;
    }
    return count - 1;
}

static void walk_object(struct walk_state *ws, GMimeObject *object,
                        int depth, bool body_allowed)
{
    if (!object || ws->status != MT_OK)
        return;
    if (depth > MIME_MAX_DEPTH || ++ws->parts_seen > MIME_MAX_PARTS)
        return;
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart *multipart = GMIME_MULTIPART(object);
        int count = g_mime_multipart_get_count(multipart);
        int chosen = -1;
        if (g_mime_content_type_is_type(g_mime_object_get_content_type(object),
                                        "multipart", "alternative"))
            chosen = alternative_choice(multipart);
        for (int i = 0; i < count; i++)
            walk_object(ws, g_mime_multipart_get_part(multipart, i), depth + 1,
                        body_allowed && (chosen < 0 || chosen == i));
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        walk_message_part(ws, object);
    } else if (GMIME_IS_PART(object)) {
        walk_leaf(ws, object, body_allowed);
    }
}

/* libxml2 tree → text: block elements break lines, script/style vanish. */
static bool is_block(const char *name)
{
    static const char *const blocks[] = {
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "blockquote", "pre", "ul", "ol", "hr", "section", "article",
        "header", "footer", "dd", "dt", "address", "center", NULL,
    };
    for (int i = 0; blocks[i]; i++)
        if (!g_ascii_strcasecmp(name, blocks[i]))
            return true;
    return false;
}

static void html_node_text(xmlNode *node, struct buf *out, bool *space,
                           int depth)
{
    for (; node; node = node->next) {
        if (depth > 200)
            return;
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = node->content; p && *p; p++) {
                if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                    *space = true;
                    continue;
                }
                if (*space && out->len && out->data[out->len - 1] != '\n')
                    buf_append_char(out, ' ');
                *space = false;
                buf_append_char(out, (char)*p);
            }
        } else if (node->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)node->name;
            if (!g_ascii_strcasecmp(name, "script")
                || !g_ascii_strcasecmp(name, "style")
                || !g_ascii_strcasecmp(name, "head"))
                continue;
            bool block = is_block(name);
            if (block && out->len && out->data[out->len - 1] != '\n') {
                buf_append_char(out, '\n');
                *space = false;
            }
            html_node_text(node->children, out, space, depth + 1);
            if (block && out->len && out->data[out->len - 1] != '\n') {
                buf_append_char(out, '\n');
                *space = false;
            }
        }
    }
}

char *mime_html_to_text(const char *html, size_t len)
{
    struct buf out = BUF_INIT;
    if (len > INT32_MAX)
        len = INT32_MAX;
    htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR
                                    | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (doc) {
        bool space = false;
        html_node_text(xmlDocGetRootElement(doc), &out, &space, 0);
        xmlFreeDoc(doc);
    }
    struct buf clean = BUF_INIT;
    text_append_utf8_or_cp1252(&clean, buf_cstr(&out), out.len);
    buf_free(&out);
    return buf_steal(&clean);
}

/* Whether the message's lines end in a bare CR (classic Mac OS): its
 * first line end is a CR not followed by LF. */
static bool ends_lines_in_bare_cr(const unsigned char *raw, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\n')
            return false;
        if (raw[i] == '\r')
            return i + 1 == len || raw[i + 1] != '\n';
    }
    return false;
}

/* RAW with every bare CR made an LF (CRLF kept), malloc'd, or NULL. */
static unsigned char *bare_cr_to_lf(const unsigned char *raw, size_t len)
{
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < len; i++)
        copy[i] = raw[i] == '\r' && (i + 1 == len || raw[i + 1] != '\n') ? '\n' : raw[i];
    return copy;
}

/* FNV-1a of a folded word, never 0 (0 marks an empty slot). */
static uint64_t word_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ? h : 1;
}

/* A set of word hashes, open addressing; grows at half full. */
struct word_set {
    uint64_t *slots;
    size_t capacity, count;
};

static bool word_set_add(struct word_set *set, uint64_t h, bool *added)
{
    if (2 * (set->count + 1) > set->capacity) {
        size_t capacity = set->capacity ? set->capacity * 2 : 256;
        uint64_t *slots = calloc(capacity, sizeof *slots);
        if (!slots)
            return false;
        for (size_t i = 0; i < set->capacity; i++)
            if (set->slots[i]) {
                size_t j = set->slots[i] & (capacity - 1);
                while (slots[j])
                    j = (j + 1) & (capacity - 1);
                slots[j] = set->slots[i];
            }
        free(set->slots);
        set->slots = slots;
        set->capacity = capacity;
    }
    size_t j = h & (set->capacity - 1);
    while (set->slots[j] && set->slots[j] != h)
        j = (j + 1) & (set->capacity - 1);
    *added = !set->slots[j];
    if (*added) {
        set->slots[j] = h;
        set->count++;
    }
    return true;
}

/* Feed the folded words of TEXT to SET; with OUT, append to it each word
 * (as written) that SET did not hold, once.  False on ENOMEM. */
static bool scan_words(const char *text, struct word_set *set, struct buf *out)
{
    size_t len = strlen(text), position = 0, start;
    struct buf folded = BUF_INIT;
    bool ok = true;
    while (ok && text_next_word(text, len, &position, &start)) {
        buf_clear(&folded);
        bool added = false;
        ok = text_fold(text + start, position - start, &folded) == MT_OK
             && word_set_add(set, word_hash(buf_cstr(&folded), folded.len), &added);
        if (ok && added && out)
            ok = (!out->len || buf_append_char(out, ' ') == MT_OK)
                 && buf_append(out, text + start, position - start) == MT_OK;
    }
    buf_free(&folded);
    return ok;
}

/* The words of HTML_TEXT that PLAIN lacks into *OUT (malloc'd; NULL when
 * none): an HTML alternative that says the same adds nothing, so a word's
 * count, and ranking, stay as the plain text makes them. */
static mt_status words_missing(const char *plain, const char *html_text, char **out)
{
    struct word_set set = { 0 };
    struct buf extra = BUF_INIT;
    *out = NULL;
    bool ok = scan_words(plain, &set, NULL) && scan_words(html_text, &set, &extra);
    free(set.slots);
    if (ok && extra.len && !(*out = buf_steal(&extra)))
        ok = false;
    buf_free(&extra);
    return ok ? MT_OK : MT_ENOMEM;
}

static GMimeMessage *parse_gmime(const unsigned char *raw, size_t len,
                                 GMimeParserOptions *options, bool every_header)
{
    /* GMime knows only LF and CRLF as line ends: a message written with
     * bare CR would be one long header line, no From, no body.  Mail
     * clients read CR as a line end, so parse a copy that says so (the
     * stored bytes, and DKIM's view of them, are unchanged). */
    unsigned char *lf_copy = NULL;
    if (ends_lines_in_bare_cr(raw, len) && (lf_copy = bare_cr_to_lf(raw, len)))
        raw = lf_copy;
    /* Only the header fields read here (mime_trim.h). */
    size_t trimmed_len;
    unsigned char *trimmed = every_header ? NULL : mime_trim_headers(raw, len, &trimmed_len);
    if (trimmed) {
        raw = trimmed;
        len = trimmed_len;
    }
    /* Padded base64 encoded words GMime would cut short (encoded_word.h). */
    size_t requoted_len;
    unsigned char *requoted = encoded_word_requote(raw, len, &requoted_len);
    if (requoted) {
        raw = requoted;
        len = requoted_len;
    }
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *message = g_mime_parser_construct_message(parser, options);
    g_object_unref(parser);
    g_object_unref(stream);   /* it copied the buffer: the copy can go */
    free(lf_copy);
    free(trimmed);
    free(requoted);
    return message;
}

static GMimeParserOptions *new_options(void)
{
    static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
    GMimeParserOptions *options = g_mime_parser_options_new();
    g_mime_parser_options_set_fallback_charsets(options, fallback);
    return options;
}

static mt_status push_address(struct mime_message *m, size_t *capacity,
                              enum mime_role role, const char *name,
                              const char *address)
{
    if (m->address_count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 8;
        struct mime_address *bigger = realloc(m->addresses, grown * sizeof *bigger);
        if (!bigger)
            return MT_ENOMEM;
        m->addresses = bigger;
        *capacity = grown;
    }
    struct mime_address *a = &m->addresses[m->address_count++];
    a->role = role;
    a->name = name && *name ? utf8_dup(name) : NULL;
    a->address = address && *address ? utf8_dup(address) : NULL;
    return MT_OK;
}

static mt_status collect_addresses(struct mime_message *m, size_t *capacity,
                                   InternetAddressList *list,
                                   enum mime_role role, int depth)
{
    int count = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < count; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        mt_status st = MT_OK;
        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            st = push_address(m, capacity, role, internet_address_get_name(ia),
                              internet_address_mailbox_get_addr(
                                  INTERNET_ADDRESS_MAILBOX(ia)));
        } else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 4) {
            st = collect_addresses(m, capacity,
                                   internet_address_group_get_members(
                                       INTERNET_ADDRESS_GROUP(ia)),
                                   role, depth + 1);
        }
        if (st != MT_OK)
            return st;
    }
    return MT_OK;
}

static char *references_text(GMimeParserOptions *options, const char *value,
                             bool first_only)
{
    if (!value)
        return NULL;
    struct buf b = BUF_INIT;
    GMimeReferences *refs = g_mime_references_parse(options, value);
    int count = refs ? g_mime_references_length(refs) : 0;
    for (int i = 0; i < count; i++) {
        const char *id = g_mime_references_get_message_id(refs, i);
        /* a message id has an '@' and no white space (RFC 5322 3.6.4);
         * GMime also returns junk such as "Message from Ralf <ralf@host" */
        if (!id || !strchr(id, '@') || strpbrk(id, " \t\r\n<>"))
            continue;
        if (b.len)
            buf_append_char(&b, ' ');
        buf_append_str(&b, id);
        if (first_only)
            break;
    }
    if (refs)
        g_mime_references_free(refs);
    /* Free text GMime gives up on ("Your message of Tue, 8 Sep 1996
     * <id@host>"): take the <...@...> in it, as notmuch does. */
    for (const char *open = b.len ? NULL : strchr(value, '<'); open;
         open = strchr(open + 1, '<')) {
        size_t n = strcspn(open + 1, "<> \t\r\n");
        if (open[1 + n] != '>' || !memchr(open + 1, '@', n))
            continue;
        if (b.len)
            buf_append_char(&b, ' ');
        buf_append(&b, open + 1, n);
        if (first_only)
            break;
    }
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    char *out = utf8_dup(buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* Mail text is read with LF line ends, whatever the message used. */
static void normalize_line_ends(char *text)
{
    char *out = text;
    for (char *p = text; *p; p++) {
        if (*p == '\r') {
            *out++ = '\n';
            if (p[1] == '\n')
                p++;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

static void trim_body(struct buf *b)
{
    if (b->len > MIME_MAX_BODY_BYTES) {
        size_t cut = MIME_MAX_BODY_BYTES;
        /* Do not split a UTF-8 sequence. */
        while (cut > 0 && ((unsigned char)b->data[cut] & 0xC0) == 0x80)
            cut--;
        b->len = cut;
        b->data[cut] = '\0';
    }
}

mt_status mime_parse(const unsigned char *raw, size_t len,
                     struct mime_message **out)
{
    return mime_parse_with(raw, len, NULL, out);
}

mt_status mime_parse_with(const unsigned char *raw, size_t len,
                          const struct mime_options *mime_options, struct mime_message **out)
{
    struct mime_message *m = calloc(1, sizeof *m);
    struct walk_state ws = { .m = m, .plain = BUF_INIT, .html = BUF_INIT,
                             .alternative_html = BUF_INIT, .options = mime_options };
    mt_status st = MT_OK;
    GMimeParserOptions *options = NULL;
    GMimeMessage *message = NULL;

    *out = NULL;
    if (!m)
        return MT_ENOMEM;
    options = new_options();
    message = parse_gmime(raw, len, options, mime_options && mime_options->every_header);
    if (!message) {
        m->body = strdup("");
        if (!m->body)
            st = MT_ENOMEM;
        goto out;
    }
    m->parsed = true;
    GMimeObject *object = GMIME_OBJECT(message);
    m->subject = utf8_dup(g_mime_message_get_subject(message));
    /* The first Message-ID: archivers (public-inbox) add a second one of
     * their own after the original, and GMime reports the last. */
    const char *first_id = g_mime_object_get_header(object, "Message-ID");
    char *decoded_id = first_id ? g_mime_utils_decode_message_id(first_id) : NULL;
    m->message_id = utf8_dup(decoded_id && *decoded_id ? decoded_id
                                                       : g_mime_message_get_message_id(message));
    g_free(decoded_id);
    const char *date_raw = g_mime_object_get_header(object, "Date");
    m->date_raw = utf8_dup(date_raw);
    GDateTime *date = g_mime_message_get_date(message);
    if (date) {
        m->date = g_date_time_to_unix(date);
        int year = g_date_time_get_year(date);
        m->has_date = year >= 1 && year <= 9999;
    }
    m->in_reply_to = references_text(options,
                                     g_mime_object_get_header(object, "In-Reply-To"),
                                     true);
    m->references = references_text(options,
                                    g_mime_object_get_header(object, "References"),
                                    false);
    size_t capacity = 0;
    static const GMimeAddressType types[] = {
        GMIME_ADDRESS_TYPE_FROM, GMIME_ADDRESS_TYPE_TO,
        GMIME_ADDRESS_TYPE_CC, GMIME_ADDRESS_TYPE_BCC,
    };
    static const enum mime_role roles[] = { MIME_FROM, MIME_TO, MIME_CC, MIME_BCC };
    for (int i = 0; i < 4 && st == MT_OK; i++)
        st = collect_addresses(m, &capacity,
                               g_mime_message_get_addresses(message, types[i]),
                               roles[i], 0);
    if (st != MT_OK)
        goto out;
    GMimeHeaderList *headers = g_mime_object_get_header_list(object);
    int header_count = g_mime_header_list_get_count(headers);
    for (int i = 0; i < header_count; i++) {
        GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
        if (!g_ascii_strcasecmp(g_mime_header_get_name(header), "From"))
            m->from_header_count++;
    }

    walk_object(&ws, g_mime_message_get_mime_part(message), 0, true);
    if (ws.status != MT_OK) {
        st = ws.status;
        goto out;
    }
    if (ws.plain.len || !ws.html.len) {
        trim_body(&ws.plain);
        m->body_truncated = ws.plain.len >= MIME_MAX_BODY_BYTES;
        m->body = buf_steal(&ws.plain);
        if (m->body && ws.alternative_html.len) {
            char *html_text = mime_html_to_text(buf_cstr(&ws.alternative_html),
                                                ws.alternative_html.len);
            if (!html_text || words_missing(m->body, html_text, &m->html_extra) != MT_OK)
                st = MT_ENOMEM;
            free(html_text);
            if (st != MT_OK)
                goto out;
        }
    } else {
        m->body = mime_html_to_text(buf_cstr(&ws.html), ws.html.len);
        m->body_from_html = true;
    }
    if (!m->body)
        st = MT_ENOMEM;
    else
        normalize_line_ends(m->body);
out:
    buf_free(&ws.plain);
    buf_free(&ws.html);
    buf_free(&ws.alternative_html);
    if (message)
        g_object_unref(message);
    if (options)
        g_mime_parser_options_free(options);
    if (st != MT_OK) {
        mime_message_free(m);
        return st;
    }
    *out = m;
    return MT_OK;
}

void mime_message_free(struct mime_message *m)
{
    if (!m)
        return;
    free(m->subject);
    free(m->html_extra);
    free(m->date_raw);
    free(m->message_id);
    free(m->in_reply_to);
    free(m->references);
    for (size_t i = 0; i < m->address_count; i++) {
        free(m->addresses[i].name);
        free(m->addresses[i].address);
    }
    free(m->addresses);
    for (size_t i = 0; i < m->attachment_count; i++) {
        free(m->attachments[i].filename);
        free(m->attachments[i].content_type);
        free(m->attachments[i].extraction_reason);
        free(m->attachments[i].text);
        free(m->attachments[i].message);
    }
    free(m->attachments);
    free(m->body);
    free(m);
}

/*
 * Depth-first over the leaves under OBJECT (parts and attached messages),
 * within the same limits as the parse: VISIT returns true to stop.
 */
typedef bool (*leaf_visitor)(void *context, GMimeObject *leaf);

static bool walk_leaves(GMimeObject *object, leaf_visitor visit, void *context, int depth,
                        int *parts)
{
    if (!object || depth > MIME_MAX_DEPTH || ++*parts > MIME_MAX_PARTS)
        return false;
    if (!GMIME_IS_MULTIPART(object))
        return visit(context, object);
    GMimeMultipart *multipart = GMIME_MULTIPART(object);
    int count = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < count; i++)
        if (walk_leaves(g_mime_multipart_get_part(multipart, i), visit, context, depth + 1,
                        parts))
            return true;
    return false;
}

/* Walk again, counting attachments the same way, to find number N. */
struct find_state {
    int wanted;
    int seen;
    GByteArray *found;
};

static bool find_attachment(void *context, GMimeObject *object)
{
    struct find_state *fs = context;
    if (GMIME_IS_MESSAGE_PART(object)) {
        if (++fs->seen == fs->wanted) {
            GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            fs->found = g_byte_array_new();
            if (inner) {
                GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(fs->found);
                g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
                g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, stream);
                g_object_unref(stream);
            }
        }
    } else if (GMIME_IS_PART(object)) {
        if (is_attachment(object, g_mime_part_get_filename(GMIME_PART(object)))
            && ++fs->seen == fs->wanted)
            fs->found = part_content(GMIME_PART(object));
    }
    return fs->found != NULL;
}

mt_status mime_get_attachment(const unsigned char *raw, size_t len, int n,
                              unsigned char **data, size_t *size)
{
    GMimeParserOptions *options = new_options();
    GMimeMessage *message = parse_gmime(raw, len, options, false);
    struct find_state fs = { .wanted = n };
    int parts = 0;
    mt_status st = MT_ENOTFOUND;
    *data = NULL;
    *size = 0;
    if (message)
        walk_leaves(g_mime_message_get_mime_part(message), find_attachment, &fs, 0, &parts);
    if (fs.found) {
        *size = fs.found->len;
        *data = malloc(fs.found->len ? fs.found->len : 1);
        if (*data) {
            memcpy(*data, fs.found->data, fs.found->len);
            st = MT_OK;
        } else {
            st = MT_ENOMEM;
        }
        g_byte_array_unref(fs.found);
    }
    if (message)
        g_object_unref(message);
    g_mime_parser_options_free(options);
    return st;
}

/* Walk once more for one part: the first inline HTML, or a Content-ID. */
struct part_search {
    const char *content_id;   /* NULL: the first inline text/html */
    GMimePart *found;
};

static bool find_part(void *context, GMimeObject *object)
{
    struct part_search *ps = context;
    if (!GMIME_IS_PART(object))
        return false;
    if (ps->content_id) {
        const char *id = g_mime_object_get_content_id(object);
        if (id && !strcmp(id, ps->content_id))
            ps->found = GMIME_PART(object);
    } else if (g_mime_content_type_is_type(g_mime_object_get_content_type(object),
                                           "text", "html")
               && !is_attachment(object, g_mime_part_get_filename(GMIME_PART(object)))) {
        ps->found = GMIME_PART(object);
    }
    return ps->found != NULL;
}

/* Parse RAW and find the part PS asks for; *MESSAGE to unref after. */
static GMimePart *search_part(const unsigned char *raw, size_t len, struct part_search *ps,
                              GMimeMessage **message)
{
    GMimeParserOptions *options = new_options();
    int parts = 0;
    *message = parse_gmime(raw, len, options, false);
    if (*message)
        walk_leaves(g_mime_message_get_mime_part(*message), find_part, ps, 0, &parts);
    g_mime_parser_options_free(options);
    return ps->found;
}

mt_status mime_get_html(const unsigned char *raw, size_t len, struct buf *out)
{
    struct part_search ps = { 0 };
    GMimeMessage *message;
    mt_status st = MT_ENOTFOUND;
    GMimePart *part = search_part(raw, len, &ps, &message);
    if (part) {
        GByteArray *bytes = part_content(part);
        size_t keep = bytes->len < MIME_MAX_BODY_BYTES ? bytes->len : MIME_MAX_BODY_BYTES;
        st = append_in_charset(out, g_mime_object_get_content_type_parameter(
                                        GMIME_OBJECT(part), "charset"), bytes->data, keep);
        if (st == MT_OK && !out->data)
            st = buf_append_str(out, "");
        g_byte_array_unref(bytes);
    }
    if (message)
        g_object_unref(message);
    return st;
}

mt_status mime_get_content_id(const unsigned char *raw, size_t len, const char *cid,
                              unsigned char **data, size_t *size, char *type,
                              size_t type_size)
{
    struct part_search ps = { .content_id = cid };
    GMimeMessage *message;
    mt_status st = MT_ENOTFOUND;
    *data = NULL;
    *size = 0;
    GMimePart *part = search_part(raw, len, &ps, &message);
    if (part) {
        GByteArray *bytes = part_content(part);
        char *mime_type = g_mime_content_type_get_mime_type(
            g_mime_object_get_content_type(GMIME_OBJECT(part)));
        char *lower = g_ascii_strdown(mime_type ? mime_type : "application/octet-stream", -1);
        snprintf(type, type_size, "%s", lower);
        *data = malloc(bytes->len ? bytes->len : 1);
        if (*data) {
            memcpy(*data, bytes->data, bytes->len);
            *size = bytes->len;
            st = MT_OK;
        } else {
            st = MT_ENOMEM;
        }
        g_free(lower);
        g_free(mime_type);
        g_byte_array_unref(bytes);
    }
    if (message)
        g_object_unref(message);
    return st;
}
