/* fuzz_html.c - the HTML sanitizer on arbitrary bytes: never a crash, and
 * what comes out holds only allow-listed tags, attributes and link
 * schemes, with every '<' opening one of them. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "mime.h"

/* The allow-list written out again on purpose: an oracle independent of
 * src/html.c, so a tag slipped into the sanitizer's list is caught here. */
static const char *const tags[] = {
    "a", "abbr", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "tt", "u", "ul", "var", NULL,
};
static const char *const attributes[] = {
    "title", "lang", "dir", "alt", "width", "height", "colspan", "rowspan", "align", "valign",
    "border", "cellpadding", "cellspacing", "start", "type", "span", "href", "rel", "src",
    "class", NULL,
};

static int known(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && !strncmp(*list, s, n))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        mime_init();
        ready = 1;
    }
    struct buf out = BUF_INIT;
    if (html_sanitize((const char *)data, size, "/email/1/cid/", &out, NULL) != MT_OK)
        return 0;
    const char *p = out.data;
    while ((p = strchr(p, '<'))) {
        p++;
        if (*p == '/')
            p++;
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
        if (!known(tags, p, n))
            __builtin_trap();
        const char *end = strchr(p, '>');
        if (!end)
            __builtin_trap();
        /* attributes: name="value" with no quote or '<' inside values */
        const char *a = p + n;
        while (a < end) {
            if (*a == ' ') {
                a++;
                continue;
            }
            size_t name = strspn(a, "abcdefghijklmnopqrstuvwxyz");
            if (!known(attributes, a, name) || a[name] != '=' || a[name + 1] != '"')
                __builtin_trap();
            const char *value = a + name + 2;
            const char *close = strchr(value, '"');
            if (!close || close > end || memchr(value, '<', (size_t)(close - value)))
                __builtin_trap();
            if (name == 4 && !strncmp(a, "href", 4)
                && strncasecmp(value, "http://", 7) && strncasecmp(value, "https://", 8)
                && strncasecmp(value, "mailto:", 7) && *value != '#')
                __builtin_trap();
            if (name == 3 && !strncmp(a, "src", 3) && strncmp(value, "/email/1/cid/", 13))
                __builtin_trap();
            a = close + 1;
        }
        p = end + 1;
    }
    buf_free(&out);
    return 0;
}
