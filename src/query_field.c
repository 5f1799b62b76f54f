/* query_field.c - the query language's field names, and what to say
 * when a word is written as a field that does not exist. */
#include "query_field.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    enum query_field field;
} field_names[] = {
    { "from", QUERY_FROM }, { "to", QUERY_TO }, { "cc", QUERY_CC },
    { "subject", QUERY_SUBJECT }, { "body", QUERY_BODY }, { "date", QUERY_DATE },
    { "after", QUERY_AFTER }, { "before", QUERY_BEFORE }, { "has", QUERY_HAS },
    { "attachment", QUERY_ATTACHMENT }, { "verified", QUERY_VERIFIED },
    { "dkim", QUERY_DKIM }, { "signer", QUERY_SIGNER },
    { "corroborated", QUERY_CORROBORATED }, { "id", QUERY_ID },
    { "thread", QUERY_THREAD }, { "dkim-domain", QUERY_DKIM_DOMAIN },
    { "selector", QUERY_SELECTOR }, { "affiliated", QUERY_AFFILIATED },
    { "folder", QUERY_FOLDER }, { "attached", QUERY_ATTACHED }, { "stem", QUERY_STEM },
};

bool query_field_lookup(const char *name, size_t len, enum query_field *field)
{
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
        if (strlen(field_names[i].name) == len && !strncasecmp(field_names[i].name, name, len)) {
            *field = field_names[i].field;
            return true;
        }
    return false;
}

/* NAME:VALUE (TERM_LEN bytes in all) written as a field would be: a name
 * of letters (a word, not "10:30", "http://..." or "Re:"), a value. */
bool query_field_looks_like(const char *term, size_t name_len, size_t term_len)
{
    if (name_len < 2 || name_len + 1 >= term_len)
        return false;
    for (size_t i = 0; i < name_len; i++)
        if (!((term[i] >= 'a' && term[i] <= 'z') || term[i] == '-' || term[i] == '_'))
            return false;     /* fields are written in lower case */
    if (term[name_len + 1] == '/')
        return false;         /* a URL */
    return !(name_len == 2 && !strncmp(term, "re", 2)) && strncmp(term, "fw", 2) != 0;
}

/* Levenshtein distance of A (LA) and B, small words only. */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[32];
    if (la >= 31 || lb >= 31)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diagonal + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

/* "unknown field verdict: -- did you mean dkim:?": a word users reach for,
 * or a field a typo away, else the list of fields. */
void query_field_unknown_message(const char *name, size_t len, char *what, size_t size)
{
    static const struct { const char *word, *field; } meant[] = {
        { "verdict", "dkim" }, { "status", "dkim" }, { "signed", "dkim" },
        { "signature", "dkim" }, { "sig", "dkim" }, { "domain", "from" },
        { "sender", "from" }, { "author", "from" }, { "recipient", "to" },
        { "bcc", "to" }, { "title", "subject" }, { "text", "body" },
        { "attached", "attachment" }, { "attachments", "attachment" },
        { "file", "attachment" }, { "filename", "attachment" }, { "year", "date" },
        { "since", "after" }, { "until", "before" }, { "msgid", "id" },
        { "message-id", "id" }, { "signing-domain", "signer" }, { "d", "signer" },
    };
    const char *guess = NULL;
    for (size_t i = 0; i < sizeof meant / sizeof meant[0] && !guess; i++)
        if (strlen(meant[i].word) == len && !strncmp(meant[i].word, name, len))
            guess = meant[i].field;
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0] && !guess; i++)
        if (edit_distance(name, len, field_names[i].name) <= (len >= 4 ? 2 : 1))
            guess = field_names[i].name;
    if (guess)
        snprintf(what, size, "unknown field %.*s: -- did you mean %s:? (to search "
                 "the text, write it in quotes: \"%.*s:...\")", (int)len, name, guess,
                 (int)len, name);
    else
        snprintf(what, size, "unknown field %.*s: -- the fields are from: to: cc: "
                 "subject: body: date: after: before: has: attachment: verified: dkim: "
                 "signer: dkim-domain: selector: affiliated: corroborated: folder: attached: stem: id: thread: (to search the "
                 "text, write it in quotes)",
                 (int)len, name);
}


/* A word the search box would match exactly: letters and digits (any
 * script: UTF-8 bytes count as letters), nothing else. */
static bool is_plain_word(const char *w, size_t len)
{
    if ((len == 2 && !strncmp(w, "OR", 2)) || (len == 3 && (!strncmp(w, "AND", 3)
                                                         || !strncmp(w, "NOT", 3))))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (!(c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')))
            return false;
    }
    return len > 0;
}

mt_status query_with_word_forms(const char *query, struct buf *out)
{
    mt_status status = MT_OK;
    const char *p = query ? query : "";
    while (*p && status == MT_OK) {
        if (*p == '"') {                        /* a phrase, as written */
            const char *end = strchr(p + 1, '"');
            size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
            status = buf_append(out, p, n);
            p += n;
            continue;
        }
        if (strchr(" \t()", *p)) {
            status = buf_append_char(out, *p++);
            continue;
        }
        size_t n = strcspn(p, " \t()\"");
        if (is_plain_word(p, n) && !(p > query && p[-1] == '-'))
            status = buf_printf(out, "(%.*s OR stem:%.*s)", (int)n, p, (int)n, p);
        else
            status = buf_append(out, p, n);
        p += n;
    }
    return status;
}
