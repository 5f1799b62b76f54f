/* test_query.c - the query language: every operator and field, the SQL
 * plan it becomes (user text only ever as parameters), errors with their
 * positions, folding and snippets. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "query.h"
#include "query_field.h"
#include "search.h"
#include "text.h"
#include "unit.h"

/* Plan TEXT; "MATCH | FILTERS | p1 | p2 ..." (numbers as written). */
static char *plan_of(const char *text)
{
    static char out[2048];
    struct query *q;
    struct query_plan plan;
    if (query_parse(text, &q, NULL) != MT_OK)
        return NULL;
    query_plan_build(q, &plan);
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s | %s", plan.match ? plan.match : "-", buf_cstr(&plan.filters));
    for (size_t i = 0; i < plan.param_count; i++) {
        if (plan.params[i].is_text)
            buf_printf(&b, " | %s", plan.params[i].text);
        else
            buf_printf(&b, " | %lld", (long long)plan.params[i].number);
    }
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    query_plan_free(&plan);
    query_free(q);
    return out;
}

static char *error_of(const char *text)
{
    static struct mt_error err;
    struct query *q = NULL;
    memset(&err, 0, sizeof err);
    if (query_parse(text, &q, &err) == MT_OK) {
        query_free(q);
        return NULL;
    }
    return err.message;
}

static char *snippet_of(const char *text, const char *term)
{
    static char out[1024];
    char *terms[1] = { (char *)term };
    struct buf b = BUF_INIT;
    search_make_snippet(text, terms, term ? 1 : 0, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* The word-forms box's rewrite of TEXT. */
static char *forms_of(const char *text)
{
    static char out[512];
    struct buf b = BUF_INIT;
    if (query_with_word_forms(text, &b) != MT_OK)
        return NULL;
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

int main(void)
{
    /* the web's "similar word forms" box: plain words only */
    CHECK_STR(forms_of("candidats"), "(candidats OR stem:candidats)");
    CHECK_STR(forms_of("électeurs budget"), "(électeurs OR stem:électeurs) (budget OR stem:budget)");
    CHECK_STR(forms_of("\"les candidats\" from:jean -vote"), "\"les candidats\" from:jean -vote");
    CHECK_STR(forms_of("(vote OR scrutin) NOT 2017"),
              "((vote OR stem:vote) OR (scrutin OR stem:scrutin)) NOT (2017 OR stem:2017)");
    CHECK_STR(forms_of(""), "");
    /* and what it writes parses */
    CHECK(plan_of(forms_of("(vote OR scrutin) -budget électeurs")) != NULL);
    /* words, phrases, boolean operators */
    CHECK_STR(plan_of("budget"), "\"budget\" | 1");
    CHECK_STR(plan_of("budget plan"), "\"budget\" AND \"plan\" | 1");
    CHECK_STR(plan_of("budget AND plan"), "\"budget\" AND \"plan\" | 1");
    CHECK_STR(plan_of("\"the plan\""), "\"the plan\" | 1");
    CHECK_STR(plan_of("budget OR plan"), "(\"budget\" OR \"plan\") | 1");
    CHECK_STR(plan_of("budget -plan"), "\"budget\" NOT \"plan\" | 1");
    CHECK_STR(plan_of("budget NOT plan"), "\"budget\" NOT \"plan\" | 1");
    CHECK_STR(plan_of("(a OR b) c"), "(\"a\" OR \"b\") AND \"c\" | 1");
    CHECK_STR(plan_of("a (b OR -c)"),
              "\"a\" | 1 AND (e.id IN (SELECT rowid FROM email_text WHERE email_text MATCH ?)"
              " OR NOT e.id IN (SELECT rowid FROM email_text WHERE email_text MATCH ?)) | \"b\" | \"c\"");
    CHECK_STR(plan_of("-plan"),
              "- | 1 AND NOT e.id IN (SELECT rowid FROM email_text WHERE email_text MATCH ?) | \"plan\"");
    CHECK_STR(plan_of(""), "- | 1");
    /* FTS syntax in user text stays a quoted string */
    CHECK(error_of("say\"NEAR(x") != NULL);   /* unclosed quote */
    CHECK_STR(plan_of("x*y{subject}:z"), "\"x*y{subject}:z\" | 1");
    CHECK_STR(plan_of("'; DROP TABLE email; --"),
              "\"';\" AND \"DROP\" AND \"TABLE\" AND \"email;\" NOT \"-\" | 1");
    /* fields */
    CHECK_STR(plan_of("subject:budget"), "{subject} : \"budget\" | 1");
    CHECK_STR(plan_of("body:\"en marche\""), "{body} : \"en marche\" | 1");
    CHECK_STR(plan_of("attachment:pdf"), "{attachments} : \"pdf\" | 1");
    CHECK_STR(plan_of("from:Jean.Dupont@En-Marche.fr"),
              "- | 1 AND e.id IN (SELECT email_id FROM address WHERE role = 0 AND domain = ?"
              " AND local = ?) | en-marche.fr | jean.dupont");
    CHECK_STR(plan_of("from:jean.dupont@"),
              "- | 1 AND e.id IN (SELECT email_id FROM address WHERE role = 0 AND local = ?"
              " AND domain IS NOT NULL AND email_id IN (SELECT rowid FROM email_text"
              " WHERE email_text MATCH ?)) | jean.dupont | people : \"jean.dupont\"");
    /* To, Cc and Bcc as one range of the primary key */
    CHECK_STR(plan_of("to:jean.dupont@"),
              "- | 1 AND e.id IN (SELECT email_id FROM address WHERE role BETWEEN 1 AND 3"
              " AND local = ? AND domain IS NOT NULL AND email_id IN (SELECT rowid FROM"
              " email_text WHERE email_text MATCH ?)) | jean.dupont | people : \"jean.dupont\"");
    /* a local part with no letter or digit: no word to narrow by */
    CHECK_STR(plan_of("from:+++@"),
              "- | 1 AND e.id IN (SELECT email_id FROM address WHERE role = 0 AND local = ?"
              " AND domain IS NOT NULL) | +++");
    CHECK_STR(plan_of("from:en-marche.fr"),
              "- | 1 AND e.id IN (SELECT email_id FROM address WHERE role = 0 AND domain = ?)"
              " | en-marche.fr");
    CHECK_STR(plan_of("to:@example.org"),
              "- | 1 AND e.id IN (SELECT email_id FROM address WHERE role IN (1, 2, 3)"
              " AND domain = ?) | example.org");
    CHECK_STR(plan_of("cc:Bob"),
              "- | 1 AND e.id IN (SELECT email_id FROM address WHERE role = 2 AND"
              " (mt_folded_contains(local, ?) OR mt_folded_contains(domain, ?)"
              " OR mt_folded_contains(name, ?))) | bob | bob | bob");
    CHECK_STR(plan_of("date:2017"), "- | 1 AND (e.date >= ? AND e.date < ?) | 1483228800 | 1514764800");
    CHECK_STR(plan_of("date:2017-03"), "- | 1 AND (e.date >= ? AND e.date < ?) | 1488326400 | 1491004800");
    CHECK_STR(plan_of("date:2016-12"), "- | 1 AND (e.date >= ? AND e.date < ?) | 1480550400 | 1483228800");
    CHECK_STR(plan_of("date:2016-01-01..2017-04-24"),
              "- | 1 AND (e.date >= ? AND e.date < ?) | 1451606400 | 1493078400");
    CHECK_STR(plan_of("after:2017-04-24"),
              "- | 1 AND (e.date >= ? AND e.date < ?) | 1492992000 | 9223372036854775807");
    CHECK_STR(plan_of("before:2017"),
              "- | 1 AND (e.date >= ? AND e.date < ?) | -9223372036854775808 | 1483228800");
    CHECK_STR(plan_of("has:attachment"), "- | 1 AND e.attachment_count > 0");
    CHECK_STR(plan_of("verified:yes"), "- | 1 AND e.verdict = 'verified'");
    CHECK_STR(plan_of("verified:no"), "- | 1 AND e.verdict <> 'verified'");
    CHECK_STR(plan_of("dkim:Weak"), "- | 1 AND e.verdict = ? | weak");
    CHECK_STR(plan_of("signer:Gmail.com"),
              "- | 1 AND e.id IN (SELECT email_id FROM signature WHERE domain = ? AND"
              " result = 'pass') | gmail.com");
    CHECK_STR(plan_of("corroborated:yes"),
              "- | 1 AND e.id IN (SELECT email_id FROM corroboration)");
    CHECK_STR(plan_of("id:<abc@example.org>"), "- | 1 AND e.message_id = ? | abc@example.org");
    CHECK_STR(plan_of("thread:42"), "- | 1 AND e.thread_id = ? | 42");
    CHECK_STR(plan_of("budget from:alice@example.org -draft"),
              "\"budget\" NOT \"draft\" | 1 AND e.id IN (SELECT email_id FROM address WHERE"
              " role = 0 AND domain = ? AND local = ?) | example.org | alice");
    /* an unknown field name is just text */
    CHECK_STR(plan_of("http://example.org"), "\"http://example.org\" | 1");

    /* errors say where */
    CHECK_STR(error_of("\"open"), "bad query, at character 1: a closing \" is missing");
    CHECK_STR(error_of("a )"), "bad query, at character 3: this ) has no matching (");
    CHECK_STR(error_of("(a b"), "bad query, at character 1: this ( is never closed");
    CHECK_STR(error_of("a OR"), "bad query, at character 5: a word, phrase or ( is expected after OR");
    CHECK_STR(error_of("OR a"), "bad query, at character 1: a word, phrase or ( is expected before OR/AND");
    CHECK_STR(error_of("NOT"), "bad query, at character 4: a word, phrase or ( is expected after NOT or -");
    CHECK_STR(error_of("x ()"), "bad query, at character 4: empty parentheses");
    CHECK_STR(error_of("from:"), "bad query, at character 6: a value is expected after the field name");
    CHECK_STR(error_of("a date:2017-13"), "bad query, at character 3: date: expects YYYY, YYYY-MM, "
              "YYYY-MM-DD or a range A..B of those");
    CHECK_STR(error_of("date:2018..2017"), "bad query, at character 1: date: the range ends before it starts");
    CHECK_STR(error_of("after:yesterday"), "bad query, at character 1: after: expects YYYY, YYYY-MM or YYYY-MM-DD");
    CHECK_STR(error_of("has:pdf"), "bad query, at character 1: has: expects 'attachment'");
    CHECK_STR(error_of("verified:maybe"), "bad query, at character 1: verified: expects yes or no");
    CHECK_STR(error_of("dkim:good"), "bad query, at character 1: dkim: expects verified, weak, failed (altered or unchecked),"
              " nokey or unsigned");
    CHECK_STR(error_of("thread:x"), "bad query, at character 1: thread: expects a thread id (a number)");
    CHECK_STR(error_of("\xff"), "bad query: it is not valid UTF-8");
    struct buf deep = BUF_INIT;
    for (int i = 0; i < 100; i++)
        buf_append_char(&deep, '(');
    buf_append_char(&deep, 'a');
    for (int i = 0; i < 100; i++)
        buf_append_char(&deep, ')');
    CHECK(error_of(deep.data) && strstr(error_of(deep.data), "nests too deeply"));
    buf_free(&deep);

    /* folding matches the index: accents and case */
    struct buf f = BUF_INIT;
    const char *accented = "\xc3\x89lys\xc3\xa9" "e \xc3\x87" "A \xc5\x92uvre";
    text_fold(accented, strlen(accented), &f);
    CHECK_STR(f.data, "elysee ca \xc5\x93uvre");
    buf_free(&f);

    /* snippets */
    CHECK_STR(snippet_of("La r\xc3\xa9union \xc3\xa0 l'\xc3\x89lys\xc3\xa9" "e est d\xc3\xa9plac\xc3\xa9" "e.", "elysee"),
              "La r\xc3\xa9union \xc3\xa0 l'**\xc3\x89lys\xc3\xa9" "e** est d\xc3\xa9plac\xc3\xa9" "e.");
    CHECK_STR(snippet_of("no  match\nhere", "absent"), "no match here");
    CHECK_STR(snippet_of("a b", NULL), "a b");
    char long_text[600];
    memset(long_text, 'x', sizeof long_text);
    memcpy(long_text + 300, " needle ", 8);
    long_text[599] = '\0';
    char *s = snippet_of(long_text, "needle");
    CHECK(strstr(s, "**needle**") && !strncmp(s, "\xe2\x80\xa6", 3));
    /* An unknown field is an error that suggests one (issue 25), not text
     * that finds nothing; times, URLs and quoted text are still text. */
    CHECK(strstr(error_of("verdict:failed") ? error_of("verdict:failed") : "",
                 "unknown field verdict: -- did you mean dkim:?") != NULL);
    CHECK(strstr(error_of("budget form:alice") ? error_of("budget form:alice") : "",
                 "did you mean from:?") != NULL);
    CHECK(strstr(error_of("zzz:top") ? error_of("zzz:top") : "", "the fields are from:") != NULL);
    CHECK(error_of("meeting 10:30") == NULL);
    CHECK(error_of("http://example.org") == NULL);
    CHECK(error_of("Re:budget") == NULL);
    CHECK(error_of("\"verdict:failed\"") == NULL);
    return unit_failures != 0;
}
