/* html.c - allow-list HTML sanitizer over libxml2's HTML parser. */
#include "html.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/* Bigger input is cut: a body this large is not read by people. */
#define HTML_MAX_INPUT (16u << 20)

enum value_kind { FREE_TEXT, NUMBER, WORD, DIRECTION, LIST_TYPE };

struct allowed_attribute {
    const char *element;   /* NULL: on every allowed element */
    const char *name;
    enum value_kind kind;
};

static const struct allowed_attribute allowed_attributes[] = {
    { NULL, "title", FREE_TEXT }, { NULL, "lang", WORD }, { NULL, "dir", DIRECTION },
    { "img", "alt", FREE_TEXT }, { "img", "width", NUMBER }, { "img", "height", NUMBER },
    { "td", "colspan", NUMBER }, { "td", "rowspan", NUMBER }, { "td", "align", WORD },
    { "td", "valign", WORD }, { "td", "width", NUMBER },
    { "th", "colspan", NUMBER }, { "th", "rowspan", NUMBER }, { "th", "align", WORD },
    { "th", "valign", WORD }, { "th", "width", NUMBER },
    { "table", "border", NUMBER }, { "table", "cellpadding", NUMBER },
    { "table", "cellspacing", NUMBER }, { "table", "width", NUMBER }, { "table", "align", WORD },
    { "ol", "start", NUMBER }, { "ol", "type", LIST_TYPE },
    { "col", "span", NUMBER }, { "colgroup", "span", NUMBER },
    { "p", "align", WORD }, { "div", "align", WORD },
};

static const char *const allowed_elements[] = {
    "a", "abbr", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "tt", "u", "ul", "var", NULL,
};

/* Elements whose content is code, controls or remote material. */
static const char *const dropped_elements[] = {
    "script", "style", "head", "title", "meta", "link", "base", "iframe", "frame", "frameset",
    "object", "embed", "applet", "param", "svg", "math", "form", "input", "button", "select",
    "option", "optgroup", "textarea", "template", "noscript", "noembed", "noframes", "audio",
    "video", "source", "track", "canvas", "xml", "dialog", "portal", "slot", "picture", NULL,
};

static const char *const void_elements[] = { "br", "hr", "img", "col", NULL };

static bool in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (!strcmp(*list, name))
            return true;
    return false;
}

struct sanitizer {
    struct buf *out;
    const char *cid_prefix;
    struct html_removed removed;
    mt_status status;
};

static void emit(struct sanitizer *s, const char *text)
{
    if (s->status == MT_OK && buf_append_str(s->out, text) != MT_OK)
        s->status = MT_ENOMEM;
}

static void emit_escaped(struct sanitizer *s, const char *text)
{
    for (const char *p = text; p && *p && s->status == MT_OK; p++) {
        const char *replacement = NULL;
        switch (*p) {
        case '&': replacement = "&amp;"; break;
        case '<': replacement = "&lt;"; break;
        case '>': replacement = "&gt;"; break;
        case '"': replacement = "&quot;"; break;
        case '\'': replacement = "&#39;"; break;
        }
        mt_status st = replacement ? buf_append_str(s->out, replacement)
                                   : buf_append_char(s->out, *p);
        if (st != MT_OK)
            s->status = MT_ENOMEM;
    }
}

static bool value_fits(enum value_kind kind, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 200)
        return kind == FREE_TEXT && n <= 2000;
    switch (kind) {
    case FREE_TEXT:
        return true;
    case NUMBER:
        for (size_t i = 0; i < n; i++)
            if (!isdigit((unsigned char)v[i]) && !(v[i] == '%' && i == n - 1 && i > 0))
                return false;
        return n <= 6;
    case WORD:
        for (size_t i = 0; i < n; i++)
            if (!isalpha((unsigned char)v[i]) && v[i] != '-')
                return false;
        return n <= 20;
    case DIRECTION:
        return !strcmp(v, "ltr") || !strcmp(v, "rtl") || !strcmp(v, "auto");
    case LIST_TYPE:
        return n == 1 && strchr("1aAiI", v[0]);
    }
    return false;
}

/*
 * A URL as a browser's URL parser reads it: leading and trailing controls
 * and spaces trimmed, tabs and line breaks removed anywhere
 * ("java\tscript:" is javascript:), so the scheme is judged on what the
 * browser would see, and the cleaned URL is what gets written.  Caller
 * frees.
 */
static char *clean_url(const char *url)
{
    size_t n = strlen(url);
    while (n && (unsigned char)url[n - 1] <= 0x20)
        n--;
    while (n && (unsigned char)*url <= 0x20) {
        url++;
        n--;
    }
    char *clean = malloc(n + 1);
    size_t o = 0;
    if (!clean)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r')
            clean[o++] = url[i];
    clean[o] = '\0';
    return clean;
}

static bool link_allowed(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8)
        || !strncasecmp(url, "mailto:", 7) || url[0] == '#';
}

static char *attribute_value(xmlAttr *attribute)
{
    xmlChar *value = xmlNodeListGetString(attribute->doc, attribute->children, 1);
    char *copy = strdup(value ? (const char *)value : "");
    xmlFree(value);
    return copy;
}

static void emit_cid_source(struct sanitizer *s, const char *cid)
{
    emit(s, " src=\"");
    emit_escaped(s, s->cid_prefix);
    for (const unsigned char *p = (const unsigned char *)cid; *p && s->status == MT_OK; p++) {
        mt_status st = isalnum(*p) || strchr("-._~@", *p) ? buf_append_char(s->out, (char)*p)
                                                        : buf_printf(s->out, "%%%02X", *p);
        if (st != MT_OK)
            s->status = MT_ENOMEM;
    }
    emit(s, "\"");
}

/* An <img>: only the email's own parts (cid:) are shown. */
static bool emit_image(struct sanitizer *s, xmlNode *node)
{
    xmlChar *src = xmlGetProp(node, (const xmlChar *)"src");
    char *clean = src ? clean_url((const char *)src) : NULL;
    bool inline_part = clean && !strncasecmp(clean, "cid:", 4) && clean[4];
    if (inline_part) {
        emit(s, "<img");
        emit_cid_source(s, clean + 4);
    } else {
        xmlChar *alt = xmlGetProp(node, (const xmlChar *)"alt");
        s->removed.remote_images++;
        emit(s, "<span class=\"removed\">[image not loaded");
        if (alt && *alt) {
            emit(s, ": ");
            emit_escaped(s, (const char *)alt);
        }
        emit(s, "]</span>");
        xmlFree(alt);
    }
    free(clean);
    xmlFree(src);
    return inline_part;
}

static void emit_attributes(struct sanitizer *s, xmlNode *node, const char *name)
{
    size_t count = sizeof allowed_attributes / sizeof allowed_attributes[0];
    for (xmlAttr *a = node->properties; a && s->status == MT_OK; a = a->next) {
        const char *attribute = (const char *)a->name;
        if (!strcmp(name, "a") && !strcmp(attribute, "href")) {
            char *value = attribute_value(a);
            char *clean = value ? clean_url(value) : NULL;
            if (clean && link_allowed(clean)) {
                emit(s, " href=\"");
                emit_escaped(s, clean);
                emit(s, "\" rel=\"noopener noreferrer nofollow\"");
            } else {
                s->removed.links++;
            }
            free(clean);
            free(value);
            continue;
        }
        for (size_t i = 0; i < count; i++) {
            const struct allowed_attribute *rule = &allowed_attributes[i];
            if ((rule->element && strcmp(rule->element, name)) || strcmp(rule->name, attribute))
                continue;
            char *value = attribute_value(a);
            if (value && value_fits(rule->kind, value)) {
                emit(s, " ");
                emit(s, attribute);
                emit(s, "=\"");
                emit_escaped(s, value);
                emit(s, "\"");
            }
            free(value);
            break;
        }
    }
}

static void walk(struct sanitizer *s, xmlNode *node, int depth)
{
    for (; node && s->status == MT_OK; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            emit_escaped(s, (const char *)node->content);
            continue;
        }
        if (node->type != XML_ELEMENT_NODE)
            continue;   /* comments, processing instructions, DTDs */
        const char *name = (const char *)node->name;
        if (in_list(dropped_elements, name)) {
            s->removed.elements++;
            continue;
        }
        bool keep = depth < HTML_MAX_DEPTH && in_list(allowed_elements, name);
        bool is_void = in_list(void_elements, name);
        if (keep) {
            if (!strcmp(name, "img")) {
                if (!emit_image(s, node))
                    continue;
            } else {
                emit(s, "<");
                emit(s, name);
            }
            emit_attributes(s, node, name);
            emit(s, ">");
        }
        /* past the flattening depth text is still kept, up to a hard stop
         * that bounds our stack whatever depth the parser allowed */
        if (!is_void && depth < 8 * HTML_MAX_DEPTH)
            walk(s, node->children, depth + 1);
        if (keep && !is_void) {
            emit(s, "</");
            emit(s, name);
            emit(s, ">");
        }
    }
}

mt_status html_sanitize(const char *html, size_t len, const char *cid_prefix,
                        struct buf *out, struct html_removed *removed)
{
    struct sanitizer s = { .out = out, .cid_prefix = cid_prefix ? cid_prefix : "" };
    if (len > HTML_MAX_INPUT)
        len = HTML_MAX_INPUT;
    htmlDocPtr doc = len ? htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                          HTML_PARSE_RECOVER | HTML_PARSE_NONET
                                          | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING)
                         : NULL;
    if (doc) {
        walk(&s, xmlDocGetRootElement(doc), 0);
        xmlFreeDoc(doc);
    }
    if (s.status == MT_OK && !out->data)
        s.status = buf_append_str(out, "");
    if (removed)
        *removed = s.removed;
    return s.status;
}
