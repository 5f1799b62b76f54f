/* test_html.c - the HTML sanitizer: allow-list, URLs, images, limits. */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mime.h"
#include "unit.h"

static char *sanitize(const char *html, size_t len, struct html_removed *removed)
{
    struct buf out = BUF_INIT;
    if (html_sanitize(html, len, "/email/1/cid/", &out, removed) != MT_OK)
        return NULL;
    return out.data;   /* NUL-terminated, owned by the caller */
}

int main(void)
{
    mime_init();
    struct html_removed removed;
    char *out;

    out = sanitize("<p onclick=\"x()\" style=\"color:red\">Hi <b>there</b></p>", 52, &removed);
    CHECK_STR(out, "<p>Hi <b>there</b></p>");
    free(out);

    const char links[] = "<a href=\"java&#x09;script:alert(1)\">a</a><a href=\" https://e.org/x?a=1&amp;b=2\">b</a>"
                         "<a href=\"data:text/html,x\">c</a><a href=\"#top\">d</a><a href=\"MAILTO:x@e.org\">e</a>";
    out = sanitize(links, sizeof links - 1, &removed);
    CHECK_STR(out, "<a>a</a><a href=\"https://e.org/x?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">b</a>"
                   "<a>c</a><a href=\"#top\" rel=\"noopener noreferrer nofollow\">d</a>"
                   "<a href=\"MAILTO:x@e.org\" rel=\"noopener noreferrer nofollow\">e</a>");
    CHECK(removed.links == 2);
    free(out);

    const char images[] = "<img src=\"cid:a b@x\" alt=\"A\" width=\"10\" height=\"10px\" onerror=\"x\">"
                          "<img src=\"https://t.example/p.gif\" alt=\"<pixel>\"><img src=\"cid:\">";
    out = sanitize(images, sizeof images - 1, &removed);
    CHECK_STR(out, "<img src=\"/email/1/cid/a%20b@x\" alt=\"A\" width=\"10\">"
                   "<span class=\"removed\">[image not loaded: &lt;pixel&gt;]</span>"
                   "<span class=\"removed\">[image not loaded]</span>");
    CHECK(removed.remote_images == 2);
    free(out);

    const char dropped[] = "<head><title>t</title><style>p{}</style></head><body>keep"
                           "<script>alert(1)</script><svg><script>a()</script></svg>"
                           "<form><input value=x></form><font color=red>font text</font>"
                           "<iframe src=x>inside</iframe><!-- comment --></body>";
    out = sanitize(dropped, sizeof dropped - 1, &removed);
    CHECK_STR(out, "keepfont text");
    CHECK(removed.elements >= 5);
    free(out);

    /* text and attribute values are escaped; NUL bytes do not cut it short */
    const char nul[] = "<p title='\"q\"'>a\0b &lt;c&gt; 'd'</p>";
    out = sanitize(nul, sizeof nul - 1, &removed);
    CHECK(out && strstr(out, "title=\"&quot;q&quot;\"") && strstr(out, "&lt;c&gt; &#39;d&#39;"));
    free(out);

    /* deep nesting is flattened below HTML_MAX_DEPTH, not recursed forever */
    size_t depth = 5000, n = 0;
    char *deep = malloc(depth * 11 + 16);
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(deep + n, "<div>");
    n += (size_t)sprintf(deep + n, "bottom");
    out = sanitize(deep, n, &removed);
    CHECK(out != NULL);
    free(out);
    free(deep);

    out = sanitize("", 0, &removed);
    CHECK_STR(out, "");
    free(out);
    return unit_failures != 0;
}
