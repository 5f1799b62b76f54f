/* query.c - query language: tokenizer, recursive-descent parser, planner. */
#include "query.h"
#include "query_field.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"

/* Deeper nesting than this is refused, so a hostile query cannot exhaust
 * the stack (docs/limits.md). */
#define QUERY_MAX_DEPTH 64
#define QUERY_MAX_TERMS 256


/* ---------------------------------------------------------------- tokens */

enum token_kind { TOKEN_END, TOKEN_OPEN, TOKEN_CLOSE, TOKEN_OR, TOKEN_AND,
                  TOKEN_NOT, TOKEN_MINUS, TOKEN_TERM };

struct token {
    enum token_kind kind;
    size_t position;        /* 1-based */
    enum query_field field;
    char *value;            /* TERM, owned */
    bool phrase;
};

struct parser {
    const char *text;
    size_t len;
    size_t at;              /* byte offset of the next token */
    struct token current;
    struct mt_error *err;
    mt_status status;
    int depth;
    int terms;
};

static mt_status parse_error(struct parser *p, size_t position,
                             const char *what)
{
    if (p->status == MT_OK)
        p->status = mt_error_set(p->err, MT_EPARSE, "bad query, at character %zu: %s",
                                 position, what);
    return p->status;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool ends_term(char c) { return is_space(c) || c == '(' || c == ')' || c == '\0'; }

/* A quoted string starting at p->at (on the quote); its text into *OUT. */
static mt_status read_quoted(struct parser *p, char **out)
{
    size_t open = p->at;
    size_t i = p->at + 1;
    while (i < p->len && p->text[i] != '"')
        i++;
    if (i >= p->len)
        return parse_error(p, open + 1, "a closing \" is missing");
    *out = strndup(p->text + open + 1, i - open - 1);
    if (!*out)
        return p->status = MT_ENOMEM;
    p->at = i + 1;
    return MT_OK;
}

static mt_status next_token(struct parser *p)
{
    struct token *t = &p->current;
    free(t->value);
    memset(t, 0, sizeof *t);
    while (p->at < p->len && is_space(p->text[p->at]))
        p->at++;
    t->position = p->at + 1;
    if (p->at >= p->len) {
        t->kind = TOKEN_END;
        return MT_OK;
    }
    char c = p->text[p->at];
    if (c == '(' || c == ')') {
        t->kind = c == '(' ? TOKEN_OPEN : TOKEN_CLOSE;
        p->at++;
        return MT_OK;
    }
    if (c == '-' && p->at + 1 < p->len && !ends_term(p->text[p->at + 1])) {
        t->kind = TOKEN_MINUS;
        p->at++;
        return MT_OK;
    }
    if (c == '"') {
        t->kind = TOKEN_TERM;
        t->field = QUERY_TEXT;
        t->phrase = true;
        return read_quoted(p, &t->value);
    }
    size_t start = p->at;
    size_t end = start;
    while (end < p->len && !ends_term(p->text[end]) && p->text[end] != '"')
        end++;
    size_t n = end - start;
    if ((n == 2 && !strncmp(p->text + start, "OR", 2))
        || (n == 3 && !strncmp(p->text + start, "AND", 3))
        || (n == 3 && !strncmp(p->text + start, "NOT", 3))) {
        t->kind = n == 2 ? TOKEN_OR : p->text[start] == 'A' ? TOKEN_AND : TOKEN_NOT;
        p->at = end;
        return MT_OK;
    }
    t->kind = TOKEN_TERM;
    t->field = QUERY_TEXT;
    const char *colon = memchr(p->text + start, ':', n);
    if (colon) {
        size_t name_len = (size_t)(colon - (p->text + start));
        enum query_field field;
        if (query_field_lookup(p->text + start, name_len, &field))
            t->field = field;
        else if (query_field_looks_like(p->text + start, name_len, end - start)) {
            char what[400];
            query_field_unknown_message(p->text + start, name_len, what, sizeof what);
            return parse_error(p, start + 1, what);
        }
        if (t->field != QUERY_TEXT) {
            /* field:"a phrase" or field:value */
            p->at = (size_t)(colon - p->text) + 1;
            if (p->at < p->len && p->text[p->at] == '"') {
                t->phrase = true;
                return read_quoted(p, &t->value);
            }
            if (p->at >= end)
                return parse_error(p, p->at + 1, "a value is expected after the field name");
            start = p->at;
            n = end - start;
        }
    }
    t->value = strndup(p->text + start, n);
    if (!t->value)
        return p->status = MT_ENOMEM;
    p->at = end;
    return MT_OK;
}

/* ------------------------------------------------------------------ tree */

static void node_free(struct query_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->child_count; i++)
        node_free(n->children[i]);
    free(n->children);
    free(n->value);
    free(n);
}

void query_free(struct query *q)
{
    if (!q)
        return;
    node_free(q->root);
    free(q);
}

static struct query_node *node_new(enum query_kind kind, size_t position)
{
    struct query_node *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->position = position;
    }
    return n;
}

static bool node_add(struct query_node *parent, struct query_node *child)
{
    struct query_node **more = realloc(parent->children,
                                       (parent->child_count + 1) * sizeof *more);
    if (!more)
        return false;
    parent->children = more;
    parent->children[parent->child_count++] = child;
    return true;
}


/* Check a field's value and work out dates; an error names the field. */
static mt_status check_term(struct parser *p, struct query_node *n)
{
    const char *v = n->value;
    size_t len = strlen(v);
    int64_t from, to, from2, to2;
    switch (n->field) {
    case QUERY_DATE: {
        const char *dots = strstr(v, "..");
        if (dots) {
            bool ok = true;
            n->date_from = INT64_MIN;
            n->date_to = INT64_MAX;
            if (dots > v)
                ok = text_parse_date(v, (size_t)(dots - v), &from, &to), n->date_from = from;
            if (ok && dots[2])
                ok = text_parse_date(dots + 2, strlen(dots + 2), &from2, &to2), n->date_to = to2;
            if (!ok || (dots == v && !dots[2]))
                return parse_error(p, n->position, "date: expects YYYY, YYYY-MM, "
                                   "YYYY-MM-DD or a range A..B of those");
            if (n->date_from >= n->date_to)
                return parse_error(p, n->position, "date: the range ends before it starts");
            return MT_OK;
        }
        if (!text_parse_date(v, len, &n->date_from, &n->date_to))
            return parse_error(p, n->position, "date: expects YYYY, YYYY-MM, "
                               "YYYY-MM-DD or a range A..B of those");
        return MT_OK;
    }
    case QUERY_AFTER:
    case QUERY_BEFORE:
        if (!text_parse_date(v, len, &from, &to))
            return parse_error(p, n->position, n->field == QUERY_AFTER
                               ? "after: expects YYYY, YYYY-MM or YYYY-MM-DD"
                               : "before: expects YYYY, YYYY-MM or YYYY-MM-DD");
        /* after:D from the start of D; before:D up to the start of D */
        n->date_from = n->field == QUERY_AFTER ? from : INT64_MIN;
        n->date_to = n->field == QUERY_AFTER ? INT64_MAX : from;
        return MT_OK;
    case QUERY_HAS:
        if (strcasecmp(v, "attachment") && strcasecmp(v, "attachments"))
            return parse_error(p, n->position, "has: expects 'attachment'");
        return MT_OK;
    case QUERY_VERIFIED:
    case QUERY_CORROBORATED:
    case QUERY_AFFILIATED:
        if (strcasecmp(v, "yes") && strcasecmp(v, "no"))
            return parse_error(p, n->position, n->field == QUERY_VERIFIED
                               ? "verified: expects yes or no"
                               : n->field == QUERY_AFFILIATED ? "affiliated: expects yes or no"
                               : "corroborated: expects yes or no");
        return MT_OK;
    case QUERY_DKIM:
        if (strcasecmp(v, "verified") && strcasecmp(v, "weak") && strcasecmp(v, "failed")
            && strcasecmp(v, "nokey") && strcasecmp(v, "unsigned")
            && strcasecmp(v, "altered") && strcasecmp(v, "unchecked"))
            return parse_error(p, n->position,
                               "dkim: expects verified, weak, failed (altered or unchecked),"
                               " nokey or unsigned");
        return MT_OK;
    case QUERY_THREAD: {
        char *end;
        long long id = strtoll(v, &end, 10);
        if (*end || id <= 0)
            return parse_error(p, n->position, "thread: expects a thread id (a number)");
        return MT_OK;
    }
    default:
        if (!*v)
            return parse_error(p, n->position, "an empty phrase matches nothing");
        return MT_OK;
    }
}

static struct query_node *parse_or(struct parser *p);

static struct query_node *parse_unary(struct parser *p)
{
    struct token *t = &p->current;
    if (++p->depth > QUERY_MAX_DEPTH) {
        parse_error(p, t->position, "the query nests too deeply");
        return NULL;
    }
    struct query_node *result = NULL;
    if (t->kind == TOKEN_MINUS || t->kind == TOKEN_NOT) {
        size_t position = t->position;
        if (next_token(p) != MT_OK)
            goto out;
        if (t->kind == TOKEN_END || t->kind == TOKEN_CLOSE || t->kind == TOKEN_OR
            || t->kind == TOKEN_AND) {
            parse_error(p, t->position, "a word, phrase or ( is expected after NOT or -");
            goto out;
        }
        struct query_node *inner = parse_unary(p);
        if (!inner)
            goto out;
        result = node_new(QUERY_NOT, position);
        if (!result || !node_add(result, inner)) {
            node_free(inner);
            node_free(result);
            result = NULL;
            p->status = MT_ENOMEM;
        }
    } else if (t->kind == TOKEN_OPEN) {
        size_t position = t->position;
        if (next_token(p) != MT_OK)
            goto out;
        if (t->kind == TOKEN_CLOSE) {
            parse_error(p, t->position, "empty parentheses");
            goto out;
        }
        if (t->kind == TOKEN_END) {
            parse_error(p, position, "this ( is never closed");
            goto out;
        }
        result = parse_or(p);
        if (result && t->kind != TOKEN_CLOSE) {
            parse_error(p, position, "this ( is never closed");
            node_free(result);
            result = NULL;
        } else if (result && next_token(p) != MT_OK) {
            node_free(result);
            result = NULL;
        }
    } else if (t->kind == TOKEN_TERM) {
        if (++p->terms > QUERY_MAX_TERMS) {
            parse_error(p, t->position, "too many terms (at most 256)");
            goto out;
        }
        result = node_new(QUERY_TERM, t->position);
        if (!result) {
            p->status = MT_ENOMEM;
            goto out;
        }
        result->field = t->field;
        result->value = t->value;
        result->phrase = t->phrase;
        t->value = NULL;
        if (check_term(p, result) != MT_OK || next_token(p) != MT_OK) {
            node_free(result);
            result = NULL;
        }
    } else if (t->kind == TOKEN_CLOSE) {
        parse_error(p, t->position, "this ) has no matching (");
    } else if (t->kind == TOKEN_OR || t->kind == TOKEN_AND) {
        parse_error(p, t->position, "a word, phrase or ( is expected before OR/AND");
    } else {
        parse_error(p, t->position, "a word, phrase or ( is expected");
    }
out:
    p->depth--;
    return result;
}

/* Fold runs of one operator: (a AND (b AND c)) is one AND of three. */
static struct query_node *join(struct parser *p, enum query_kind kind,
                               struct query_node *left, struct query_node *right,
                               size_t position)
{
    if (left->kind == kind) {
        if (node_add(left, right))
            return left;
        p->status = MT_ENOMEM;
        return NULL;
    }
    struct query_node *n = node_new(kind, position);
    if (!n || !node_add(n, left) || !node_add(n, right)) {
        node_free(n);
        p->status = MT_ENOMEM;
        return NULL;
    }
    return n;
}

/* Join RIGHT (NULL when its parse failed) onto *LEFT; false to stop. */
static bool join_into(struct parser *p, enum query_kind kind, struct query_node **left,
                      struct query_node *right, size_t position)
{
    if (!right)
        return false;
    struct query_node *joined = join(p, kind, *left, right, position);
    if (!joined) {
        node_free(right);
        return false;
    }
    *left = joined;
    return true;
}

/* LEFT, or NULL (freeing it) when the parse failed on the way. */
static struct query_node *parsed_or_null(struct parser *p, struct query_node *left)
{
    if (p->status == MT_OK)
        return left;
    node_free(left);
    return NULL;
}

static struct query_node *parse_and(struct parser *p)
{
    struct query_node *left = parse_unary(p);
    struct token *t = &p->current;
    while (left && t->kind != TOKEN_END && t->kind != TOKEN_CLOSE && t->kind != TOKEN_OR) {
        size_t position = t->position;
        if (t->kind == TOKEN_AND) {
            if (next_token(p) != MT_OK)
                break;
            if (t->kind == TOKEN_END || t->kind == TOKEN_CLOSE || t->kind == TOKEN_OR) {
                parse_error(p, t->position, "a word, phrase or ( is expected after AND");
                break;
            }
        }
        if (!join_into(p, QUERY_AND, &left, parse_unary(p), position))
            break;
    }
    return parsed_or_null(p, left);
}

static struct query_node *parse_or(struct parser *p)
{
    struct query_node *left = parse_and(p);
    struct token *t = &p->current;
    while (left && t->kind == TOKEN_OR) {
        size_t position = t->position;
        if (next_token(p) != MT_OK)
            break;
        if (t->kind == TOKEN_END || t->kind == TOKEN_CLOSE) {
            parse_error(p, t->position, "a word, phrase or ( is expected after OR");
            break;
        }
        if (!join_into(p, QUERY_OR, &left, parse_and(p), position))
            break;
    }
    return parsed_or_null(p, left);
}

mt_status query_parse(const char *text, struct query **out, struct mt_error *err)
{
    struct parser p = { .text = text, .len = strlen(text), .err = err };
    struct query *q = calloc(1, sizeof *q);
    *out = NULL;
    if (!q)
        return MT_ENOMEM;
    if (!text_is_utf8(text, p.len)) {
        free(q);
        return mt_error_set(err, MT_EPARSE, "bad query: it is not valid UTF-8");
    }
    if (next_token(&p) == MT_OK && p.current.kind != TOKEN_END) {
        q->root = parse_or(&p);
        if (p.status == MT_OK && p.current.kind == TOKEN_CLOSE)
            parse_error(&p, p.current.position, "this ) has no matching (");
    }
    free(p.current.value);
    if (p.status != MT_OK) {
        query_free(q);
        return p.status;
    }
    *out = q;
    return MT_OK;
}

/* -------------------------------------------------------------- planning */

struct planner {
    struct query_plan *plan;
    mt_status status;
    /* where in FILTERS the last id set written lies: its condition
     * "e.id IN (...)" from CONDITION, the SELECT within from START to END */
    size_t id_set_condition, id_set_start, id_set_end;
};

static void add_param_text(struct planner *pl, const char *text, size_t len)
{
    struct query_plan *plan = pl->plan;
    struct query_param *more = realloc(plan->params, (plan->param_count + 1) * sizeof *more);
    char *copy = strndup(text, len);
    if (!more || !copy) {
        if (more)
            plan->params = more;
        free(copy);
        pl->status = MT_ENOMEM;
        return;
    }
    plan->params = more;
    plan->params[plan->param_count++] = (struct query_param){ .is_text = true, .text = copy };
}

static void add_param_number(struct planner *pl, int64_t number)
{
    struct query_plan *plan = pl->plan;
    struct query_param *more = realloc(plan->params, (plan->param_count + 1) * sizeof *more);
    if (!more) {
        pl->status = MT_ENOMEM;
        return;
    }
    plan->params = more;
    plan->params[plan->param_count++] = (struct query_param){ .number = number };
}

static void emit(struct planner *pl, const char *sql)
{
    if (buf_append_str(&pl->plan->filters, sql) != MT_OK)
        pl->status = MT_ENOMEM;
}

/* "e.id IN (<a SELECT of email ids>)": written between these two, so the
 * plan can offer the SELECT alone (query_plan's ID_SET). */
static void begin_id_set(struct planner *pl, const char *select)
{
    pl->id_set_condition = pl->plan->filters.len;
    emit(pl, "e.id IN (");
    pl->id_set_start = pl->plan->filters.len;
    emit(pl, select);
}

static void end_id_set(struct planner *pl, const char *sql)
{
    emit(pl, sql);
    pl->id_set_end = pl->plan->filters.len;
    emit(pl, ")");
}

static bool is_text_field(enum query_field f)
{
    return f == QUERY_TEXT || f == QUERY_SUBJECT || f == QUERY_BODY
           || f == QUERY_ATTACHMENT || f == QUERY_ATTACHED;
}

/* Whether node N can be written as one FTS5 expression. */
static bool fts_expressible(const struct query_node *n)
{
    switch (n->kind) {
    case QUERY_TERM:
        return is_text_field(n->field);
    case QUERY_NOT:
        return false;   /* FTS5's NOT needs a left side: see the AND case */
    case QUERY_OR:
        for (size_t i = 0; i < n->child_count; i++)
            if (!fts_expressible(n->children[i]))
                return false;
        return true;
    case QUERY_AND: {
        bool positive = false;
        for (size_t i = 0; i < n->child_count; i++) {
            const struct query_node *c = n->children[i];
            if (c->kind == QUERY_NOT) {
                if (!fts_expressible(c->children[0]))
                    return false;
            } else if (fts_expressible(c)) {
                positive = true;
            } else {
                return false;
            }
        }
        return positive;
    }
    }
    return false;
}

/* An FTS5 string literal: the text in double quotes, quotes doubled. */
static mt_status append_fts_string(struct buf *out, const char *text)
{
    mt_status status = buf_append_char(out, '"');
    for (const char *c = text; *c && status == MT_OK; c++)
        status = *c == '"' ? buf_append_str(out, "\"\"") : buf_append_char(out, *c);
    if (status == MT_OK)
        status = buf_append_char(out, '"');
    return status;
}

static void remember_terms(struct planner *pl, const char *value)
{
    struct buf folded = BUF_INIT;
    size_t position = 0, start;
    size_t len = strlen(value);
    while (pl->status == MT_OK && text_next_word(value, len, &position, &start)) {
        buf_clear(&folded);
        if (text_fold(value + start, position - start, &folded) != MT_OK) {
            pl->status = MT_ENOMEM;
            break;
        }
        char **more = realloc(pl->plan->terms, (pl->plan->term_count + 1) * sizeof *more);
        char *copy = strdup(buf_cstr(&folded));
        if (!more || !copy) {
            if (more)
                pl->plan->terms = more;
            free(copy);
            pl->status = MT_ENOMEM;
            break;
        }
        pl->plan->terms = more;
        pl->plan->terms[pl->plan->term_count++] = copy;
    }
    buf_free(&folded);
}

/* Write N (fts_expressible) as FTS5 syntax into OUT.  POSITIVE: its words
 * are ones the results contain, worth highlighting. */
static void write_fts(struct planner *pl, const struct query_node *n,
                      struct buf *out, bool positive)
{
    if (n->kind == QUERY_TERM) {
        const char *column = n->field == QUERY_SUBJECT ? "subject"
                           : n->field == QUERY_BODY ? "body"
                           : n->field == QUERY_ATTACHMENT ? "attachments"
                           : n->field == QUERY_ATTACHED ? "attached" : NULL;
        if (column) {
            buf_append_str(out, "{");
            buf_append_str(out, column);
            buf_append_str(out, "} : ");
        }
        if (append_fts_string(out, n->value) != MT_OK)
            pl->status = MT_ENOMEM;
        if (positive)
            remember_terms(pl, n->value);
        return;
    }
    const char *op = n->kind == QUERY_OR ? " OR " : " AND ";
    bool first = true;
    buf_append_char(out, '(');
    /* Positive operands first: FTS5's NOT is "left NOT right". */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n->child_count; i++) {
            const struct query_node *c = n->children[i];
            bool negated = c->kind == QUERY_NOT;
            if (negated != (pass == 1))
                continue;
            if (!first)
                buf_append_str(out, negated ? " NOT " : op);
            first = false;
            write_fts(pl, negated ? c->children[0] : c, out, positive && !negated);
        }
    }
    if (buf_append_char(out, ')') != MT_OK)
        pl->status = MT_ENOMEM;
}

static void emit_fts_membership(struct planner *pl, const struct query_node *n)
{
    struct buf match = BUF_INIT;
    write_fts(pl, n, &match, false);
    emit(pl, "e.id IN (SELECT rowid FROM email_text WHERE email_text MATCH ?)");
    add_param_text(pl, buf_cstr(&match), match.len);
    buf_free(&match);
}

static void emit_address(struct planner *pl, const struct query_node *n)
{
    struct buf folded = BUF_INIT;
    const char *v = n->value;
    if (*v == '<')
        v++;
    size_t len = strcspn(v, ">");
    for (size_t i = 0; i < len; i++)
        buf_append_char(&folded, (char)tolower((unsigned char)v[i]));
    const char *value = buf_cstr(&folded);
    const char *at = strchr(value, '@');
    /* An email's To, Cc and Bcc are one range of its primary key: one
     * seek for each email the prefix form's full-text match names, not
     * three (to:ralf@ on linux-mips 94 -> 66 ms).  The other forms seek
     * each role in the domain index. */
    const char *roles = n->field == QUERY_FROM ? "role = 0"
                      : n->field == QUERY_CC ? "role = 2"
                      : at && !at[1] ? "role BETWEEN 1 AND 3" : "role IN (1, 2, 3)";
    begin_id_set(pl, "SELECT email_id FROM address WHERE ");
    emit(pl, roles);
    /* kept as local part and domain, split at the first '@' (schema 17) */
    if (at && at[1] && at != value) {
        end_id_set(pl, " AND domain = ? AND local = ?");   /* jean.dupont@example.org */
        add_param_text(pl, at + 1, folded.len - (size_t)(at + 1 - value));
        add_param_text(pl, value, (size_t)(at - value));
    } else if (at && !at[1]) {                              /* jean.dupont@ */
        /* The local part has no index of its own (schema 17): the people
         * column of the full-text index, which holds every address, finds
         * the emails first when the local part has a word for it (an
         * ASCII letter or digit: a token to any tokenizer). */
        size_t local_len = (size_t)(at - value);
        bool word = false;
        for (size_t i = 0; i < local_len && !word; i++)
            word = isalnum((unsigned char)value[i]);
        struct buf match = BUF_INIT;
        folded.data[local_len] = '\0';   /* the '@' ends VALUE: the local part alone */
        if (word && (buf_append_str(&match, "people : ") != MT_OK
                     || append_fts_string(&match, value) != MT_OK))
            pl->status = MT_ENOMEM;
        end_id_set(pl, word ? " AND local = ? AND domain IS NOT NULL AND email_id IN"
                              " (SELECT rowid FROM email_text WHERE email_text MATCH ?)"
                            : " AND local = ? AND domain IS NOT NULL");
        add_param_text(pl, value, local_len);
        if (word)
            add_param_text(pl, buf_cstr(&match), match.len);
        buf_free(&match);
    } else if (at || strchr(value, '.')) {
        end_id_set(pl, " AND domain = ?");         /* @example.org, example.org */
        add_param_text(pl, at ? at + 1 : value, folded.len - (size_t)(at ? at + 1 - value : 0));
    } else {
        /* a name or part of one: the names and addresses of that role,
         * case and accents folded as words are (from:fernandez finds
         * "Fernández", to:LÉGER finds "Léger") */
        struct buf word = BUF_INIT;
        if (text_fold(v, len, &word) != MT_OK)
            pl->status = MT_ENOMEM;
        /* (a word with no '@' lies in the local part or the domain) */
        end_id_set(pl, " AND (mt_folded_contains(local, ?) OR mt_folded_contains(domain, ?)"
                       " OR mt_folded_contains(name, ?))");
        for (int i = 0; i < 3; i++)
            add_param_text(pl, buf_cstr(&word), word.len);
        buf_free(&word);
    }
    buf_free(&folded);
}

static void emit_condition(struct planner *pl, const struct query_node *n);

static void emit_list(struct planner *pl, const struct query_node *n, const char *op)
{
    emit(pl, "(");
    for (size_t i = 0; i < n->child_count; i++) {
        if (i)
            emit(pl, op);
        emit_condition(pl, n->children[i]);
    }
    emit(pl, ")");
}

static void emit_range(struct planner *pl, const struct query_node *n)
{
    emit(pl, "(e.date >= ? AND e.date < ?)");
    add_param_number(pl, n->date_from);
    add_param_number(pl, n->date_to);
}

/* dkim:VERDICT, or dkim:altered / dkim:unchecked (the two kinds of failed). */
static void emit_dkim(struct planner *pl, const char *v)
{
    char lower[16];
    size_t i = 0;
    for (; v[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)tolower((unsigned char)v[i]);
    lower[i] = '\0';
    if (!strcmp(lower, "altered") || !strcmp(lower, "unchecked")) {
        /* the two kinds of failed: altered since signed, or not checkable */
        emit(pl, "e.verdict = 'failed' AND (" QUERY_FAILURE_KIND_SQL ") = ?");
        add_param_text(pl, lower, i);
        return;
    }
    emit(pl, "e.verdict = ?");
    add_param_text(pl, lower, i);
}

/* signer: (a passing signature's d=), dkim-domain: (any d=), selector:. */
static void emit_signature(struct planner *pl, const struct query_node *n)
{
    const char *v = n->value;
    /* signatures store d= and s= lower-cased (dkim.c) */
    struct buf lower = BUF_INIT;
    for (const char *c = v; *c; c++)
        buf_append_char(&lower, (char)tolower((unsigned char)*c));
    begin_id_set(pl, "SELECT email_id FROM signature");
    end_id_set(pl, n->field == QUERY_SIGNER ? " WHERE domain = ? AND result = 'pass'"
                   : n->field == QUERY_DKIM_DOMAIN ? " WHERE domain = ?"
                   : " WHERE selector = ?");
    add_param_text(pl, buf_cstr(&lower), lower.len);
    buf_free(&lower);
}

/* folder: a word of the Outlook folder path an item was filed in. */
static void emit_folder(struct planner *pl, const char *v)
{
    /* The folder path is the recorded member of an item from a store
     * ("Top of Personal Folders/Inbox#2097252"), folded for case and
     * accents like names; the node id after '#' is not a folder. */
    begin_id_set(pl, "SELECT email_id FROM source");
    end_id_set(pl, " WHERE member IS NOT NULL AND instr(member, '#') > 0"
                   " AND mt_folded_contains(substr(member, 1, instr(member, '#') - 1), ?)");
    struct buf word = BUF_INIT;
    if (text_fold(v, strlen(v), &word) != MT_OK)
        pl->status = MT_ENOMEM;
    add_param_text(pl, buf_cstr(&word), word.len);
    buf_free(&word);
}

/*
 * A query of one facet, counted from facet_count (store_schema.c keeps it
 * exact): verified:yes|no, dkim: a verdict, has:attachment.
 */
static void plan_facet(const struct query_node *n, struct query_plan *plan)
{
    static const char *const verdicts[] = { "verified", "weak", "failed", "nokey", "unsigned" };
    const char *verdict = NULL;
    if (n->field == QUERY_HAS) {
        snprintf(plan->facet, sizeof plan->facet, "has:attachment");
        return;
    }
    if (n->field == QUERY_VERIFIED) {
        verdict = "verified";
        plan->facet_complement = strcasecmp(n->value, "yes") != 0;
    } else if (n->field == QUERY_DKIM) {
        for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++)
            if (!strcasecmp(n->value, verdicts[i]))
                verdict = verdicts[i];
    }
    if (verdict)
        snprintf(plan->facet, sizeof plan->facet, "verdict:%s", verdict);
}

/* N as an SQL condition over the email row e. */
static void emit_condition(struct planner *pl, const struct query_node *n)
{
    if (n->kind != QUERY_TERM && fts_expressible(n)) {
        emit_fts_membership(pl, n);
        return;
    }
    switch (n->kind) {
    case QUERY_AND:
        emit_list(pl, n, " AND ");
        return;
    case QUERY_OR:
        emit_list(pl, n, " OR ");
        return;
    case QUERY_NOT:
        emit(pl, "NOT ");
        emit_condition(pl, n->children[0]);
        return;
    case QUERY_TERM:
        break;
    }
    const char *v = n->value;
    switch (n->field) {
    case QUERY_TEXT:
    case QUERY_SUBJECT:
    case QUERY_BODY:
    case QUERY_ATTACHMENT:
    case QUERY_ATTACHED:
        emit_fts_membership(pl, n);
        return;
    case QUERY_FROM:
    case QUERY_TO:
    case QUERY_CC:
        emit_address(pl, n);
        return;
    case QUERY_DATE:
    case QUERY_AFTER:
    case QUERY_BEFORE:
        emit_range(pl, n);
        return;
    case QUERY_HAS:
        emit(pl, "e.attachment_count > 0");
        return;
    case QUERY_VERIFIED:
        emit(pl, strcasecmp(v, "yes") ? "e.verdict <> 'verified'" : "e.verdict = 'verified'");
        return;
    case QUERY_DKIM:
        emit_dkim(pl, v);
        return;
    case QUERY_SIGNER:
    case QUERY_DKIM_DOMAIN:
    case QUERY_SELECTOR:
        emit_signature(pl, n);
        return;
    case QUERY_STEM: {
        /* the archive's second full-text table, of word forms (stem.h) */
        struct buf match = BUF_INIT;
        if (append_fts_string(&match, v) != MT_OK)
            pl->status = MT_ENOMEM;
        emit(pl, "e.id IN (SELECT rowid FROM email_stem WHERE email_stem MATCH ?)");
        add_param_text(pl, buf_cstr(&match), match.len);
        buf_free(&match);
        return;
    }
    case QUERY_FOLDER:
        emit_folder(pl, v);
        return;
    case QUERY_AFFILIATED:
        emit(pl, strcasecmp(v, "yes") ? "NOT " ORG_AFFILIATED_SQL : ORG_AFFILIATED_SQL);
        return;
    case QUERY_CORROBORATED:
        if (strcasecmp(v, "yes")) {
            emit(pl, "e.id NOT IN (SELECT email_id FROM corroboration)");
        } else {
            begin_id_set(pl, "SELECT email_id FROM corroboration");
            end_id_set(pl, "");
        }
        return;
    case QUERY_ID: {
        const char *id = v[0] == '<' ? v + 1 : v;
        emit(pl, "e.message_id = ?");
        add_param_text(pl, id, strcspn(id, ">"));
        return;
    }
    case QUERY_THREAD:
        emit(pl, "e.thread_id = ?");
        add_param_number(pl, strtoll(v, NULL, 10));
        return;
    }
}

mt_status query_plan_build(const struct query *q, struct query_plan *plan)
{
    struct planner pl = { .plan = plan };
    memset(plan, 0, sizeof *plan);
    const struct query_node *root = q->root;
    emit(&pl, "1");
    if (!root)
        return pl.status;
    /* The FTS index drives when the top level (an AND, or one node) has
     * positive text parts; the rest filter its rows. */
    const struct query_node *const *parts = &root;
    size_t part_count = 1;
    if (root->kind == QUERY_AND) {
        parts = (const struct query_node *const *)root->children;
        part_count = root->child_count;
    }
    struct buf match = BUF_INIT;
    bool *in_fts = calloc(part_count, sizeof *in_fts);
    if (!in_fts)
        return MT_ENOMEM;
    for (size_t i = 0; i < part_count; i++)
        if (parts[i]->kind != QUERY_NOT && fts_expressible(parts[i])) {
            if (match.len)
                buf_append_str(&match, " AND ");
            write_fts(&pl, parts[i], &match, true);
            in_fts[i] = true;
        }
    if (match.len) {
        for (size_t i = 0; i < part_count; i++)
            if (parts[i]->kind == QUERY_NOT && fts_expressible(parts[i]->children[0])) {
                buf_append_str(&match, " NOT ");
                write_fts(&pl, parts[i]->children[0], &match, false);
                in_fts[i] = true;
            }
        plan->match = strdup(buf_cstr(&match));
        if (!plan->match)
            pl.status = MT_ENOMEM;
    }
    size_t part_start = 0;  /* where the last condition below begins */
    plan->only_date_filters = true;
    for (size_t i = 0; i < part_count; i++) {
        if (in_fts[i])
            continue;
        plan->has_filters = true;
        emit(&pl, " AND ");
        part_start = plan->filters.len;
        emit_condition(&pl, parts[i]);
        const struct query_node *n = parts[i];
        if (n->kind == QUERY_TERM && (n->field == QUERY_DATE || n->field == QUERY_AFTER
                                      || n->field == QUERY_BEFORE)) {
            if (!plan->has_date_bounds || n->date_from > plan->date_from)
                plan->date_from = n->date_from;
            if (!plan->has_date_bounds || n->date_to < plan->date_to)
                plan->date_to = n->date_to;
            plan->has_date_bounds = true;
        } else {
            plan->only_date_filters = false;
        }
    }
    /* The whole query is one set of ids (an address, a signer ...): its
     * only condition is that set's. */
    if (pl.status == MT_OK && !plan->match && part_count == 1 && root->kind == QUERY_TERM
        && pl.id_set_condition == part_start && pl.id_set_end + 1 == plan->filters.len
        && !(plan->id_set = strndup(plan->filters.data + pl.id_set_start,
                                    pl.id_set_end - pl.id_set_start)))
        pl.status = MT_ENOMEM;
    if (pl.status == MT_OK && !plan->match && part_count == 1 && root->kind == QUERY_TERM)
        plan_facet(root, plan);
    free(in_fts);
    buf_free(&match);
    return pl.status;
}

void query_plan_free(struct query_plan *plan)
{
    free(plan->match);
    free(plan->id_set);
    buf_free(&plan->filters);
    for (size_t i = 0; i < plan->param_count; i++)
        free(plan->params[i].text);
    free(plan->params);
    for (size_t i = 0; i < plan->term_count; i++)
        free(plan->terms[i]);
    free(plan->terms);
    memset(plan, 0, sizeof *plan);
}
