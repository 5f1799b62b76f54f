/* report_signatures.c - what each DKIM signature of an email proves, as
 * JSON (show --json's "signatures") and in words (show and the email
 * page): part of the report module (report_int.h). */
#include "report.h"
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim.h"

enum { SIG_DOMAIN, SIG_SELECTOR, SIG_ALGORITHM, SIG_KEY_BITS, SIG_CANON,
       SIG_L, SIG_UNSIGNED, SIG_HEADERS, SIG_RESULT, SIG_REASON, SIG_WEAK,
       SIG_KEY_SOURCE, SIG_KEY_ID, SIG_IDENTITY, SIG_KEY_NAME, SIG_SEEN_FROM, SIG_SEEN_TO,
       SIG_PRIVATE_PUBLISHED, SIG_SIGNED_AT, SIG_EMAIL_DATE };

static mt_status prepare_signatures(struct store *st, int64_t id,
                                    sqlite3_stmt **s, struct mt_error *err)
{
    mt_status status = prepare(st, "SELECT s.domain, s.selector, s.algorithm,"
                               " s.key_bits, s.canonicalization, s.body_length_tag,"
                               " s.body_bytes_unsigned, s.signed_headers, s.result,"
                               " s.reason, s.weaknesses, k.source, s.key_id, s.identity,"
                               " k.name, k.seen_from, k.seen_to, k.private_published,"
                               " s.signed_at, e.date"
                               " FROM signature s JOIN email e ON e.id = s.email_id"
                               " LEFT JOIN key k ON k.id = s.key_id"
                               " WHERE s.email_id = ? ORDER BY s.position", s, err);
    if (status == MT_OK)
        sqlite3_bind_int64(*s, 1, id);
    return status;
}

static void json_int_or_null(struct json_writer *w, sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        json_null(w);
    else
        json_int(w, sqlite3_column_int64(s, i));
}

/* TEXT's items separated by SEPARATOR as a JSON array of strings. */
static void json_split_list(struct json_writer *w, const char *text, char separator)
{
    char separators[2] = { separator, '\0' };
    json_array_begin(w);
    while (text && *text) {
        size_t n = strcspn(text, separators);
        json_string_len(w, text, n);
        text += n + (text[n] == separator);
    }
    json_array_end(w);
}

/*
 * The key window of the signature row S (the key's --seen dates, NULL
 * when it has none) and whether the date the signature claims, its t=
 * or else the email's Date, lies outside it: *WHEN gets that date (-1:
 * neither), *BY "t=" or "Date".  A window's FROM counts from the start of
 * its day, TO to the end of its day.
 */
static bool key_window(sqlite3_stmt *s, bool *outside, int64_t *when, const char **by)
{
    const char *from = column_text(s, SIG_SEEN_FROM), *to = column_text(s, SIG_SEEN_TO);
    *outside = false;
    *when = -1;
    *by = NULL;
    if (!from && !to)
        return false;
    if (sqlite3_column_type(s, SIG_SIGNED_AT) != SQLITE_NULL) {
        *when = sqlite3_column_int64(s, SIG_SIGNED_AT);
        *by = "t=";
    } else if (sqlite3_column_type(s, SIG_EMAIL_DATE) != SQLITE_NULL) {
        *when = sqlite3_column_int64(s, SIG_EMAIL_DATE);
        *by = "Date";
    }
    int64_t start, end;
    if (*by && from && text_parse_date(from, strlen(from), &start, &end) && *when < start)
        *outside = true;
    if (*by && to && text_parse_date(to, strlen(to), &start, &end) && *when >= end)
        *outside = true;
    return true;
}

mt_status report_signatures_json(struct store *st, int64_t id, struct json_writer *w,
                                 struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = prepare_signatures(st, id, &s, err);
    if (status != MT_OK)
        return status;
    json_array_begin(w);
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_object_begin(w);
        json_key(w, "domain");
        json_string(w, column_text(s, SIG_DOMAIN));
        json_key(w, "selector");
        json_string(w, column_text(s, SIG_SELECTOR));
        json_key(w, "algorithm");
        json_string(w, column_text(s, SIG_ALGORITHM));
        json_key(w, "key_bits");
        if (sqlite3_column_int(s, SIG_KEY_BITS) > 0)
            json_int(w, sqlite3_column_int(s, SIG_KEY_BITS));
        else
            json_null(w);
        json_key(w, "canonicalization");
        json_string(w, column_text(s, SIG_CANON));
        json_key(w, "body_length_tag");
        json_int_or_null(w, s, SIG_L);
        json_key(w, "body_bytes_unsigned");
        json_int_or_null(w, s, SIG_UNSIGNED);
        json_key(w, "signed_headers");
        json_split_list(w, column_text(s, SIG_HEADERS), ':');
        json_key(w, "identity");
        json_string(w, column_text(s, SIG_IDENTITY));
        json_key(w, "result");
        json_string(w, column_text(s, SIG_RESULT));
        json_key(w, "reason");
        json_string(w, column_text(s, SIG_REASON));
        json_key(w, "weaknesses");
        json_split_list(w, column_text(s, SIG_WEAK), ',');
        json_key(w, "key_source");
        json_string(w, column_text(s, SIG_KEY_SOURCE));
        json_key(w, "key_id");
        json_int_or_null(w, s, SIG_KEY_ID);
        json_key(w, "signed_at");
        json_int_or_null(w, s, SIG_SIGNED_AT);
        bool outside;
        int64_t when;
        const char *by;
        if (key_window(s, &outside, &when, &by)) {
            json_key(w, "key_window");
            json_object_begin(w);
            json_key(w, "from");
            json_string(w, column_text(s, SIG_SEEN_FROM));
            json_key(w, "to");
            json_string(w, column_text(s, SIG_SEEN_TO));
            json_object_end(w);
            json_key(w, "outside_key_window");
            json_bool(w, outside);
        }
        if (column_text(s, SIG_PRIVATE_PUBLISHED)) {
            json_key(w, "key_private_published");
            json_string(w, column_text(s, SIG_PRIVATE_PUBLISHED));
        }
        json_object_end(w);
    }
    json_array_end(w);
    sqlite3_reset(s);
    return MT_OK;
}

/* What each signature proves, in plain words (show and the web page). */
/* Whether DOMAIN is FROM_DOMAIN or a parent of it (a.example.org is
 * vouched for by example.org's key only if the signer says so: d=). */
static bool domain_covers(const char *domain, const char *from_domain)
{
    size_t d = strlen(domain), f = strlen(from_domain);
    if (d > f)
        return false;
    return !strcasecmp(domain, from_domain + f - d)
           && (d == f || from_domain[f - d - 1] == '.');
}

/* The key window of signature row S in words (nothing when it has none). */
static void report_key_window_text(sqlite3_stmt *s, struct buf *out)
{
    bool outside;
    int64_t when;
    const char *by;
    if (!key_window(s, &outside, &when, &by))
        return;
    const char *from = column_text(s, SIG_SEEN_FROM), *to = column_text(s, SIG_SEEN_TO);
    buf_printf(out, "    key seen published from %s to %s", from ? from : "(unknown)",
               to ? to : "(unknown)");
    char date[40];
    if (!by) {
        buf_append_str(out, "; this email has no date to compare with it\n");
        return;
    }
    text_format_date(when, date, sizeof date);
    if (outside)
        buf_printf(out, "\n    note: the signature's date (%s %s) lies outside the window the"
                        " key was seen published in: either the key was published longer than"
                        " seen, or the date is not when it was signed\n",
                   by, date);
    else
        buf_printf(out, "; the signature's date (%s %s) lies within it\n", by, date);
}

void report_signatures_text(struct store *st, int64_t id, struct buf *out)
{
    sqlite3_stmt *s;
    char from_domain[256] = "";
    if (prepare(st, "SELECT from_addr FROM email WHERE id = ?", &s, NULL) == MT_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW && column_text(s, 0) && strchr(column_text(s, 0), '@'))
            snprintf(from_domain, sizeof from_domain, "%s", strchr(column_text(s, 0), '@') + 1);
        sqlite3_reset(s);
    }
    if (prepare_signatures(st, id, &s, NULL) != MT_OK)
        return;
    int n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *result = column_text(s, SIG_RESULT);
        const char *domain = column_text(s, SIG_DOMAIN);
        buf_printf(out, "  Signature %d by %s (selector %s, %s): %s\n", ++n,
                   domain ? domain : "?", column_text(s, SIG_SELECTOR)
                   ? column_text(s, SIG_SELECTOR) : "?",
                   column_text(s, SIG_ALGORITHM) ? column_text(s, SIG_ALGORITHM) : "?",
                   result);
        if (strcmp(result, "pass")) {
            if (column_text(s, SIG_REASON))
                buf_printf(out, "    not proven: %s\n", column_text(s, SIG_REASON));
            continue;
        }
        buf_printf(out, "    key %s, %d bits", column_text(s, SIG_KEY_NAME)
                   ? column_text(s, SIG_KEY_NAME) : "?", sqlite3_column_int(s, SIG_KEY_BITS));
        if (column_text(s, SIG_KEY_SOURCE))
            buf_printf(out, ", from %s", column_text(s, SIG_KEY_SOURCE));
        buf_printf(out, "\n    signed headers: %s\n", column_text(s, SIG_HEADERS)
                   ? column_text(s, SIG_HEADERS) : "(none recorded)");
        if (domain && from_domain[0] && !domain_covers(domain, from_domain))
            buf_printf(out, "    NOTE: signed by %s, which is not the From domain %s: "
                            "%s vouches for these bytes, the sender's own domain does not\n",
                       domain, from_domain, domain);
        const char *headers = column_text(s, SIG_HEADERS);
        char padded[4096];
        snprintf(padded, sizeof padded, ":%s:", headers ? headers : "");
        if (!strstr(padded, ":from:"))
            buf_append_str(out, "    NOT covered: the From header is not signed\n");
        static const char *const important[] = { "subject", "date", "to", NULL };
        for (int i = 0; important[i]; i++) {
            char needle[32];
            snprintf(needle, sizeof needle, ":%s:", important[i]);
            if (!strstr(padded, needle))
                buf_printf(out, "    NOT covered: the %s header is not signed\n",
                           important[i]);
        }
        long long unsigned_bytes = sqlite3_column_int64(s, SIG_UNSIGNED);
        if (unsigned_bytes > 0)
            buf_printf(out, "    NOT covered: %lld bytes of body after l= are not signed\n",
                       unsigned_bytes);
        else
            buf_append_str(out, "    the whole body is signed\n");
        const char *weak = column_text(s, SIG_WEAK);
        if (weak && strstr(weak, "multiple_from"))
            buf_append_str(out, "    NOT covered: this email has more than one From header; "
                                "the signature covers only the last one (nearest the body), "
                                "and the first, which mail clients show, is not signed\n");
        if (weak && strstr(weak, "sha1"))
            buf_append_str(out, "    weak: SHA-1, which can be forged\n");
        if (weak && strstr(weak, "short_key"))
            buf_append_str(out, "    weak: RSA key under 1024 bits, which can be factored\n");
        if (weak && strstr(weak, "expired"))
            buf_append_str(out, "    note: the signature had expired (x=) when checked\n");
        if (column_text(s, SIG_PRIVATE_PUBLISHED))
            buf_printf(out, "    weak: the key's private half was published on %s: after that"
                            " date anyone could have made this signature, so it proves"
                            " nothing on its own about mail dated after it\n",
                       column_text(s, SIG_PRIVATE_PUBLISHED));
        report_key_window_text(s, out);
    }
    sqlite3_reset(s);
    /* A legacy DomainKeys signature is not a DKIM one: say it is there,
     * rather than show the email as plainly unsigned. */
    if (n == 0) {
        struct buf raw = BUF_INIT;
        if (store_get_raw(st, id, &raw, NULL) == MT_OK
            && dkim_has_domainkey_signature((const unsigned char *)buf_cstr(&raw), raw.len))
            buf_append_str(out, "  A legacy DomainKey-Signature is present: DomainKeys "
                                "(RFC 4870, historic, replaced by DKIM) is not checked, so it "
                                "proves nothing here\n");
        buf_free(&raw);
    }
}


mt_status report_signers_json(struct store *st, int64_t id, struct json_writer *w,
                              struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = prepare(st, "SELECT DISTINCT domain FROM signature WHERE email_id = ?"
                               " AND result = 'pass' AND domain IS NOT NULL ORDER BY domain",
                               &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    json_array_begin(w);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_string(w, column_text(s, 0));
    json_array_end(w);
    sqlite3_reset(s);
    return MT_OK;
}
