/* search.c - query plan -> SQLite -> a page of results with snippets. */
#include "store_int.h"
#include "search.h"
#include "search_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "rank.h"
#include "text.h"

#define SNIPPET_BYTES 200
#define SNIPPET_BEFORE 60

bool search_parse_sort(const char *text, enum search_sort *sort)
{
    if (!strcmp(text, "date"))
        *sort = SEARCH_SORT_DATE;
    else if (!strcmp(text, "-date"))
        *sort = SEARCH_SORT_DATE_DESC;
    else if (!strcmp(text, "relevance"))
        *sort = SEARCH_SORT_RELEVANCE;
    else
        return false;
    return true;
}

/*
 * How a plan becomes SQL.  Which shape runs is chosen by how many rows
 * match (docs/search.md has the measurements behind the thresholds).
 */
enum shape {
    SHAPE_FTS_ONLY,  /* the FTS table alone: text-only queries */
    SHAPE_FTS_JOIN,  /* FTS rows joined to their email rows */
    SHAPE_PROBE,     /* email rows in date order, each checked in FTS */
    SHAPE_PLAIN,     /* email rows only: no text in the query */
    SHAPE_ID_SET,    /* the plan's id set alone (no email row read): counting */
    SHAPE_DATE_WALK, /* no text, many matches, date order: walk the date
                        index (date and id, no row read) until the page */
};

/* Relevance ranks at most this many matches, the newest ones, so a word
 * found in most emails does not score every row on each query. */
#define RANK_CANDIDATES 2000
/* Above this many matches, date order walks the date index and checks
 * each email in FTS, stopping at the page, instead of sorting them all. */
#define PROBE_ABOVE 5000
/* Likewise without text: above this many, and when they are at least
 * 1 in WALK_DENSITY of the archive, walk the date index. */
#define WALK_ABOVE 500
#define WALK_DENSITY 50
/* Sparser than that, newest first: walk at most WALK_BUDGET_FACTOR times
 * the index entries the page needs on average (matches spread evenly),
 * and at least WALK_BUDGET_MIN, when that is cheaper than reading every
 * match's row to sort them (a row read from the page cache costs about
 * WALK_ROW_COST entries walked: 2 us against 0.05 us in bench/scale's
 * million-email archive).  A page not filled within them is sorted as
 * before: uneven spread (a sender of the first year only) costs one short
 * walk more, never a walk of the whole index. */
#define WALK_BUDGET_FACTOR 8
#define WALK_BUDGET_MIN 2000
#define WALK_ROW_COST 40

static void append_from_where(struct buf *sql, const struct run *run, enum shape shape)
{
    const struct query_plan *plan = &run->plan;
    switch (shape) {
    case SHAPE_FTS_ONLY:
        buf_append_str(sql, " FROM email_text WHERE email_text MATCH ?");
        if (run->in_range.words)
            buf_append_str(sql, " AND mt_id_in(email_text.rowid, :in_range)");
        for (int i = 0; i < run->hole_count; i++)   /* numbers read, not user text */
            buf_printf(sql, "%s%lld", i ? "," : " AND email_text.rowid NOT IN (",
                       (long long)run->holes[i]);
        if (run->hole_count)
            buf_append_char(sql, ')');
        break;
    case SHAPE_FTS_JOIN:
        buf_append_str(sql, " FROM email_text CROSS JOIN email e ON e.id = email_text.rowid"
                            " WHERE email_text MATCH ?");
        break;
    case SHAPE_PROBE:
        buf_append_str(sql, " FROM email e WHERE EXISTS (SELECT 1 FROM email_text"
                            " WHERE email_text MATCH ? AND email_text.rowid = e.id)");
        break;
    case SHAPE_PLAIN:
        buf_append_str(sql, " FROM email e WHERE 1");
        break;
    case SHAPE_DATE_WALK:
        buf_append_str(sql, " FROM email e INDEXED BY email_date WHERE 1");
        break;
    case SHAPE_ID_SET:
        buf_append_str(sql, " FROM (SELECT DISTINCT * FROM (");
        buf_append_str(sql, plan->id_set);
        buf_append_str(sql, "))");
        return;
    }
    /* numbers this program computed, not user text */
    if (run->id_bounded && (shape == SHAPE_FTS_ONLY || shape == SHAPE_FTS_JOIN)) {
        buf_printf(sql, " AND (email_text.rowid BETWEEN %lld AND %lld",
                   (long long)run->low_id, (long long)run->high_id);
        for (int i = 0; i < run->outlier_count; i++)
            buf_printf(sql, "%s%lld", i ? "," : " OR email_text.rowid IN (",
                       (long long)run->outliers[i]);
        buf_append_str(sql, run->outlier_count ? "))" : ")");
    }
    if (shape != SHAPE_FTS_ONLY && plan->has_filters) {
        buf_append_str(sql, " AND (");
        buf_append(sql, plan->filters.data, plan->filters.len);
        buf_append_char(sql, ')');
    }
}

/* Bind MATCH (if any) then the filter parameters from parameter number
 * FIRST on, and the id set if SHAPE uses it; returns the next free
 * parameter number. */
static int bind_params(sqlite3_stmt *s, const struct run *run, enum shape shape, int first)
{
    const struct query_plan *plan = &run->plan;
    int n = first;
    if (plan->match && shape != SHAPE_PLAIN && shape != SHAPE_ID_SET)
        sqlite3_bind_text(s, n++, plan->match, -1, SQLITE_STATIC);
    if (shape == SHAPE_FTS_ONLY && run->in_range.words)
        sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":in_range"),
                             (void *)&run->in_range, SEARCH_ID_SET_TYPE, NULL);
    if (shape == SHAPE_FTS_ONLY || (!plan->has_filters && shape != SHAPE_ID_SET))
        return n;
    for (size_t i = 0; i < plan->param_count; i++, n++) {
        const struct query_param *p = &plan->params[i];
        if (p->is_text)
            sqlite3_bind_text(s, n, p->text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(s, n, p->number);
    }
    return n;
}

/* The shape that reads the full-text index for a query with words: the
 * index alone when nothing else filters, or when the ids say which
 * emails are in the date range that is the only filter. */
static enum shape text_shape(const struct run *run)
{
    return !run->plan.has_filters || run->dates_by_id ? SHAPE_FTS_ONLY : SHAPE_FTS_JOIN;
}

/* Run "SELECT <what> <from_where of SHAPE> <tail>" for one integer (or
 * -1 when there is no row). */
static mt_status select_number(struct store *st, const struct run *run,
                               enum shape shape, const char *what, const char *tail,
                               int64_t *out, struct mt_error *err)
{
    struct buf sql = BUF_INIT;
    sqlite3_stmt *s = NULL;
    mt_status status = MT_OK;
    buf_append_str(&sql, "SELECT ");
    buf_append_str(&sql, what);
    append_from_where(&sql, run, shape);
    buf_append_str(&sql, tail);
    *out = -1;
    if (sqlite3_prepare_v2(store_db(st), buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK)
        status = store_db_error(st, err, "searching");
    else {
        bind_params(s, run, shape, 1);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            *out = sqlite3_column_int64(s, 0);
        else if (rc != SQLITE_DONE)
            status = store_db_error(st, err, "searching");
    }
    sqlite3_finalize(s);
    buf_free(&sql);
    return status;
}

/* The highest email id: as good as a count for choosing a plan, and a
 * single B-tree descent where count(*) reads a whole index. */
static int64_t highest_id(struct store *st)
{
    sqlite3_stmt *s;
    int64_t id = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT max(id) FROM email", -1, &s, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(s) == SQLITE_ROW)
        id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return id;
}

static mt_status count_run(struct store *st, const struct run *run, int64_t *total,
                           struct mt_error *err)
{
    const struct query_plan *plan = &run->plan;
    if (!plan->match && plan->has_date_bounds && plan->only_date_filters) {
        int64_t low, high;
        bool known;
        mt_status status = store_dated_summary(st, plan->date_from, plan->date_to, total,
                                               &low, &high, &known, err);
        if (status != MT_OK || known)
            return status;
    }
    if (plan->facet[0]) {
        bool known;
        mt_status status = store_facet_count(st, plan->facet, plan->facet_complement,
                                             total, &known, err);
        if (status != MT_OK || known)
            return status;
    }
    enum shape shape = plan->id_set ? SHAPE_ID_SET
                     : !plan->match ? SHAPE_PLAIN
                     : text_shape(run);
    return select_number(st, run, shape, "count(*)", "", total, err);
}

mt_status search_count(struct store *st, const char *query, int64_t *total,
                       struct mt_error *err)
{
    struct run run;
    *total = 0;
    bool began = store_begin_read(st);
    mt_status status = run_prepare(st, query, &run, err);
    if (status == MT_OK)
        status = count_run(st, &run, total, err);
    store_end_read(st, began);
    run_free(&run);
    return status;
}

static char *dup_column(sqlite3_stmt *s, int i)
{
    const unsigned char *text = sqlite3_column_text(s, i);
    return text ? strdup((const char *)text) : NULL;
}

static bool term_matches(const char *folded, char *const *terms, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp(folded, terms[i]))
            return true;
    return false;
}

/* Append S[0..LEN) with every run of white space made one space. */
static mt_status append_squeezed(struct buf *out, const char *s, size_t len)
{
    mt_status status = MT_OK;
    for (size_t i = 0; i < len && status == MT_OK; i++) {
        char c = s[i];
        bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (space) {
            if (out->len && out->data[out->len - 1] != ' ')
                status = buf_append_char(out, ' ');
        } else {
            status = buf_append_char(out, c);
        }
    }
    return status;
}

/* Step back from I to the start of a UTF-8 character. */
static size_t char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

mt_status search_make_snippet(const char *text, char *const *terms,
                              size_t term_count, struct buf *out)
{
    size_t len = strlen(text);
    struct buf folded = BUF_INIT;
    size_t position = 0, start, first_match = len;
    while (term_count && text_next_word(text, len, &position, &start)) {
        buf_clear(&folded);
        text_fold(text + start, position - start, &folded);
        if (term_matches(buf_cstr(&folded), terms, term_count)) {
            first_match = start;
            break;
        }
    }
    size_t from = 0;
    if (first_match < len && first_match > SNIPPET_BEFORE) {
        /* begin at a word start a little before the match */
        from = char_start(text, first_match - SNIPPET_BEFORE);
        while (from < first_match && text[from] != ' ' && text[from] != '\n')
            from++;
    }
    size_t to = from + SNIPPET_BYTES < len ? char_start(text, from + SNIPPET_BYTES) : len;
    size_t out_start = out->len;
    mt_status status = MT_OK;
    if (from > 0)
        status = buf_append_str(out, "…");
    position = from;
    size_t copied = from;
    while (status == MT_OK && text_next_word(text, to, &position, &start)) {
        buf_clear(&folded);
        text_fold(text + start, position - start, &folded);
        if (!term_count || !term_matches(buf_cstr(&folded), terms, term_count))
            continue;
        status = append_squeezed(out, text + copied, start - copied);
        if (status == MT_OK)
            status = buf_append_str(out, "**");
        if (status == MT_OK)
            status = buf_append(out, text + start, position - start);
        if (status == MT_OK)
            status = buf_append_str(out, "**");
        copied = position;
    }
    if (status == MT_OK)
        status = append_squeezed(out, text + copied, to - copied);
    if (status == MT_OK && to < len)
        status = buf_append_str(out, "…");
    /* no space at either end */
    if (status == MT_OK && out->len > out_start && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
    if (status == MT_OK && out->len > out_start && out->data[out_start] == ' ') {
        memmove(out->data + out_start, out->data + out_start + 1, out->len - out_start - 1);
        out->len--;
        out->data[out->len] = '\0';
    }
    buf_free(&folded);
    return status;
}

/* The first attachment of email R whose stored text has one of the
 * plan's words: its snippet into SNIPPET (cleared), R's attachment fields
 * set.  Nothing changes when none has (or none has stored text). */
static mt_status attachment_snippet(struct store *st, struct search_result *r,
                                    const struct query_plan *plan, struct buf *text,
                                    struct buf *snippet)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT n, filename FROM attachment"
                                       " WHERE email_id = ? AND text_bytes > 0 ORDER BY n", &s, NULL);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, r->id);
    /* the numbers and names first: reading a text uses the connection */
    int numbers[16];
    char *names[16];
    size_t count = 0;
    while (count < 16 && sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        numbers[count] = sqlite3_column_int(s, 0);
        names[count++] = name ? strdup(name) : NULL;
    }
    sqlite3_reset(s);
    struct buf candidate = BUF_INIT;
    for (size_t i = 0; i < count && status == MT_OK && !r->snippet_attachment; i++) {
        if (store_get_attachment_text(st, r->id, numbers[i], text, NULL) != MT_OK)
            continue;
        buf_clear(&candidate);
        status = search_make_snippet(buf_cstr(text), plan->terms, plan->term_count, &candidate);
        if (status == MT_OK && strstr(buf_cstr(&candidate), "**")) {
            buf_clear(snippet);
            status = buf_append(snippet, candidate.data, candidate.len);
            r->snippet_attachment = numbers[i];
            r->snippet_attachment_name = names[i];
            names[i] = NULL;
        }
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    buf_free(&candidate);
    return status;
}

static mt_status make_snippet(struct store *st, struct search_result *r,
                              const struct query_plan *plan, search_text_loader fallback,
                              struct buf *text)
{
    struct buf snippet = BUF_INIT;
    r->snippet = NULL;
    mt_status status = store_get_body(st, r->id, text, NULL);
    if (status == MT_ENOTFOUND)
        status = fallback ? fallback(st, r->id, text) : MT_OK;
    if (status == MT_OK)
        status = search_make_snippet(buf_cstr(text), plan->terms, plan->term_count, &snippet);
    /* the words are not in the body: perhaps in an attachment */
    if (status == MT_OK && plan->term_count && !strstr(buf_cstr(&snippet), "**"))
        status = attachment_snippet(st, r, plan, text, &snippet);
    if (status == MT_OK)
        r->snippet = strdup(buf_cstr(&snippet));
    buf_free(&snippet);
    if (status == MT_OK && !r->snippet)
        status = MT_ENOMEM;
    return status;
}

/* What a result shows, of email e, in the order fill_result reads it. */
#define RESULT_COLUMNS "e.id, e.message_id, e.date, e.from_name, e.from_addr," \
                       " e.subject, e.verdict, " QUERY_FAILURE_KIND_SQL

/* Fill R from a row of RESULT_COLUMNS. */
static mt_status fill_result(struct search_result *r, sqlite3_stmt *s)
{
    struct buf from = BUF_INIT;
    r->id = sqlite3_column_int64(s, 0);
    r->message_id = dup_column(s, 1);
    if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
        char date[40];
        text_format_date(sqlite3_column_int64(s, 2), date, sizeof date);
        r->date = strdup(date);
    }
    mt_status status = text_format_address(&from, (const char *)sqlite3_column_text(s, 3),
                                           (const char *)sqlite3_column_text(s, 4));
    r->from = strdup(buf_cstr(&from));
    buf_free(&from);
    r->subject = dup_column(s, 5);
    r->verdict = dup_column(s, 6);
    r->failure = dup_column(s, 7);
    return status != MT_OK || !r->from ? MT_ENOMEM : MT_OK;
}

/*
 * Relevance order: the matches are read newest first and the newest
 * RANK_CANDIDATES get a rank (all of them when the page lies further
 * on); the rest are only counted.  rank.c picks the page, then its rows
 * are read.
 */
static mt_status ranked_page(struct store *st, const struct run *run, int64_t limit,
                             int64_t offset, struct search_page *page, struct mt_error *err)
{
    enum shape shape = text_shape(run);
    struct ranker ranker = RANKER_INIT;
    struct buf sql = BUF_INIT;
    sqlite3_stmt *s = NULL;
    mt_status status = rank_register(st, err);
    if (status != MT_OK)
        return status;
    buf_append_str(&sql, "SELECT email_text.rowid, " RANK_FUNCTION);
    append_from_where(&sql, run, shape);
    buf_append_str(&sql, " ORDER BY email_text.rowid DESC");
    if (sqlite3_prepare_v2(store_db(st), buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "searching");
        goto out;
    }
    bind_params(s, run, shape, 1);
    /* the page's end, kept from overflowing on an absurd --offset */
    int64_t end = offset > INT64_MAX - limit ? INT64_MAX : offset + limit;
    size_t candidates = end <= RANK_CANDIDATES ? RANK_CANDIDATES : SIZE_MAX;
    int rc = SQLITE_DONE;
    while (status == MT_OK && ranker.count < candidates
           && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        page->total++;
        status = rank_add(&ranker, sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1),
                            sqlite3_column_bytes(s, 1), err);
    }
    if (status == MT_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = store_db_error(st, err, "searching");
    sqlite3_finalize(s);
    s = NULL;
    if (status == MT_OK && rc == SQLITE_ROW) {
        /* the older matches are only counted: count(*) reads FTS5's lists
         * faster than stepping through them row by row, and counting them
         * all again (in the same read transaction) faster than bounding
         * the count by rowid, which SQLite checks on every row */
        status = select_number(st, run, shape, "count(*)", "", &page->total, err);
    }
    size_t best = 0;
    if (status == MT_OK)
        status = rank_best(&ranker, st, (size_t)end, &best, err);
    if (status != MT_OK || best <= (size_t)offset)
        goto out;
    page->results = calloc(best - (size_t)offset, sizeof *page->results);
    if (!page->results) {
        status = MT_ENOMEM;
        goto out;
    }
    static const char row_sql[] = "SELECT " RESULT_COLUMNS " FROM email e WHERE e.id = ?";
    sqlite3_stmt *row; /* kept by the store: reset, never finalized */
    status = store_statement(st, row_sql, &row, err);
    for (size_t i = (size_t)offset; i < best && status == MT_OK; i++) {
        sqlite3_bind_int64(row, 1, ranker.candidates[i].id);
        rc = sqlite3_step(row);
        if (rc == SQLITE_ROW)
            status = fill_result(&page->results[page->count++], row);
        else if (rc != SQLITE_DONE)
            status = store_db_error(st, err, "searching");
        sqlite3_reset(row);
    }
out:
    sqlite3_finalize(s);
    rank_free(&ranker);
    buf_free(&sql);
    return status;
}

/*
 * One page in date order read with SHAPE: the page's ids first, sorted on
 * what the indexes hold; only then the 20 or so email rows it shows (rows
 * are read one by one from all over the file: reading every match's would
 * cost more than sorting).  With DATE_FLOOR set, only emails dated at or
 * after *DATE_FLOOR are read (newest first).  PAGE->results is allocated
 * here; PAGE->count says how many were filled.
 */
static mt_status date_ordered_rows(struct store *st, const struct run *run, enum shape shape,
                                   enum search_sort sort, const int64_t *date_floor,
                                   int64_t limit, int64_t offset, struct search_page *page,
                                   struct mt_error *err)
{
    struct buf sql = BUF_INIT;
    sqlite3_stmt *s = NULL;
    mt_status status = MT_OK;
    buf_append_str(&sql, "SELECT " RESULT_COLUMNS " FROM (SELECT e.id AS id, e.date AS sort_key");
    append_from_where(&sql, run, shape);
    if (date_floor)   /* a number this program read, not user text */
        buf_printf(&sql, " AND e.date >= %lld", (long long)*date_floor);
    /* Ids break ties so paging is stable.  SQLite sorts undated mail
     * first in date order, last in -date order (docs/search.md). */
    const char *order = sort == SEARCH_SORT_DATE_DESC ? " ORDER BY sort_key DESC, id DESC"
                                                      : " ORDER BY sort_key, id";
    buf_append_str(&sql, order);
    buf_append_str(&sql, " LIMIT ? OFFSET ?) page CROSS JOIN email e ON e.id = page.id");
    buf_append_str(&sql, sort == SEARCH_SORT_DATE_DESC ? " ORDER BY page.sort_key DESC, page.id DESC"
                                                       : " ORDER BY page.sort_key, page.id");
    if (sqlite3_prepare_v2(store_db(st), buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "searching");
        goto out;
    }
    int next = bind_params(s, run, shape, 1);
    sqlite3_bind_int64(s, next++, limit);
    sqlite3_bind_int64(s, next, offset);
    page->results = calloc((size_t)limit, sizeof *page->results);
    if (!page->results) {
        status = MT_ENOMEM;
        goto out;
    }
    int rc;
    while (status == MT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW
           && page->count < (size_t)limit)
        status = fill_result(&page->results[page->count++], s);
    if (status == MT_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = store_db_error(st, err, "searching");
out:
    sqlite3_finalize(s);
    buf_free(&sql);
    return status;
}

/* The date of the email N places from the newest in date order (0 is the
 * newest), into *DATE; false when there is none or it has no date. */
static bool date_at_rank(struct store *st, int64_t n, int64_t *date)
{
    sqlite3_stmt *s;
    bool found = false;
    if (sqlite3_prepare_v2(store_db(st), "SELECT date FROM email INDEXED BY email_date"
                           " ORDER BY date DESC, id DESC LIMIT 1 OFFSET ?", -1, &s, NULL)
        != SQLITE_OK)
        return false;
    sqlite3_bind_int64(s, 1, n);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *date = sqlite3_column_int64(s, 0);
        found = true;
    }
    sqlite3_finalize(s);
    return found;
}

/*
 * Newest first, no text, matches too sparse for an open walk: walk the
 * date index down to a floor date a budget of entries away.  *FILLED says
 * whether that found the whole page; when not, PAGE is emptied again.
 */
static mt_status bounded_walk(struct store *st, const struct run *run, int64_t archive_size,
                              int64_t limit, int64_t offset, struct search_page *page,
                              bool *filled, struct mt_error *err)
{
    *filled = false;
    /* entries the page needs on average: (offset + limit) * archive / total */
    double expected = ((double)offset + (double)limit) * (double)archive_size
                    / (double)page->total;
    double budget = expected * WALK_BUDGET_FACTOR;
    if (budget < WALK_BUDGET_MIN)
        budget = WALK_BUDGET_MIN;
    int64_t floor;
    if (budget >= (double)archive_size || budget > (double)page->total * WALK_ROW_COST
        || !date_at_rank(st, (int64_t)budget, &floor))
        return MT_OK;
    int64_t want = page->total - offset < limit ? page->total - offset : limit;
    mt_status status = date_ordered_rows(st, run, SHAPE_DATE_WALK, SEARCH_SORT_DATE_DESC,
                                         &floor, limit, offset, page, err);
    *filled = status == MT_OK && (int64_t)page->count == want;
    if (!*filled) {
        int64_t total = page->total;
        search_page_free(page);
        memset(page, 0, sizeof *page);
        page->total = total;
    }
    return status;
}

/* Date order (either way): the count first, which picks how to walk. */
static mt_status dated_page(struct store *st, const struct run *run, enum search_sort sort,
                            int64_t limit, int64_t offset, struct search_page *page,
                            struct mt_error *err)
{
    const struct query_plan *plan = &run->plan;
    mt_status status = count_run(st, run, &page->total, err);
    if (status != MT_OK || limit == 0 || offset >= page->total)
        return status;
    int64_t archive_size = plan->match ? 0 : highest_id(st);
    bool walk = page->total > WALK_ABOVE && page->total * WALK_DENSITY >= archive_size;
    /* (a date range walks its own part of the index: not bounded here) */
    if (!plan->match && !walk && sort == SEARCH_SORT_DATE_DESC && !plan->has_date_bounds) {
        bool filled;
        status = bounded_walk(st, run, archive_size, limit, offset, page, &filled, err);
        if (status != MT_OK || filled)
            return status;
    }
    enum shape shape = !plan->match ? (walk ? SHAPE_DATE_WALK : SHAPE_PLAIN)
                     : page->total > PROBE_ABOVE ? SHAPE_PROBE : SHAPE_FTS_JOIN;
    return date_ordered_rows(st, run, shape, sort, NULL, limit, offset, page, err);
}

mt_status search_run(struct store *st, const char *query, enum search_sort sort,
                     int64_t limit, int64_t offset, bool snippets,
                     search_text_loader fallback,
                     struct search_page *page, struct mt_error *err)
{
    struct run run;
    struct buf text = BUF_INIT;
    memset(page, 0, sizeof *page);
    if (limit < 0)
        limit = 0;
    if (limit > SEARCH_MAX_LIMIT)
        limit = SEARCH_MAX_LIMIT;
    if (offset < 0)
        offset = 0;
    bool began = store_begin_read(st);
    mt_status status = run_prepare(st, query, &run, err);
    const struct query_plan *plan = &run.plan;
    if (sort == SEARCH_SORT_DEFAULT)
        sort = plan->match ? SEARCH_SORT_RELEVANCE : SEARCH_SORT_DATE_DESC;
    if (sort == SEARCH_SORT_RELEVANCE && !plan->match)
        sort = SEARCH_SORT_DATE_DESC;
    if (status == MT_OK)
        status = sort == SEARCH_SORT_RELEVANCE && limit > 0
                 ? ranked_page(st, &run, limit, offset, page, err)
                 : dated_page(st, &run, sort, limit, offset, page, err);
    for (size_t i = 0; snippets && i < page->count && status == MT_OK; i++)
        status = make_snippet(st, &page->results[i], plan, fallback, &text);
    store_end_read(st, began);
    run_free(&run);
    buf_free(&text);
    if (status != MT_OK)
        search_page_free(page);
    return status;
}

mt_status search_all_ids(struct store *st, const char *query, int64_t **ids,
                         size_t *count, struct mt_error *err)
{
    struct run run;
    struct buf sql = BUF_INIT;
    sqlite3_stmt *s = NULL;
    *ids = NULL;
    *count = 0;
    mt_status status = run_prepare(st, query, &run, err);
    if (status != MT_OK)
        goto out;
    enum shape shape = run.plan.match ? SHAPE_FTS_JOIN : SHAPE_PLAIN;
    buf_append_str(&sql, "SELECT e.id");
    append_from_where(&sql, &run, shape);
    buf_append_str(&sql, " ORDER BY e.id");
    if (sqlite3_prepare_v2(store_db(st), buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "searching");
        goto out;
    }
    bind_params(s, &run, shape, 1);
    status = store_collect_ids(st, s, ids, count, err);
out:
    sqlite3_finalize(s);
    run_free(&run);
    buf_free(&sql);
    return status;
}

void search_page_free(struct search_page *page)
{
    for (size_t i = 0; i < page->count; i++) {
        struct search_result *r = &page->results[i];
        free(r->message_id);
        free(r->date);
        free(r->from);
        free(r->subject);
        free(r->verdict);
        free(r->failure);
        free(r->snippet);
        free(r->snippet_attachment_name);
    }
    free(page->results);
    memset(page, 0, sizeof *page);
}

static void string_or_null(struct json_writer *w, const char *key, const char *value)
{
    json_key(w, key);
    if (value)
        json_string(w, value);
    else
        json_null(w);
}

void search_page_json(const struct search_page *page, struct json_writer *w)
{
    json_object_begin(w);
    json_key(w, "total");
    json_int(w, page->total);
    json_key(w, "results");
    json_array_begin(w);
    for (size_t i = 0; i < page->count; i++) {
        const struct search_result *r = &page->results[i];
        json_object_begin(w);
        json_key(w, "id");
        json_int(w, r->id);
        string_or_null(w, "message_id", r->message_id);
        string_or_null(w, "date", r->date);
        string_or_null(w, "from", r->from);
        string_or_null(w, "subject", r->subject);
        string_or_null(w, "verdict", r->verdict);
        if (r->failure)      /* only for failed: the contract's shape otherwise */
            string_or_null(w, "failure", r->failure);
        /* a snippet from an attachment says which, in its text (the
         * contract's shape has no other key for it) */
        if (r->snippet_attachment && r->snippet) {
            struct buf said = BUF_INIT;
            buf_printf(&said, "[attachment %d%s%s] %s", r->snippet_attachment,
                       r->snippet_attachment_name ? ": " : "",
                       r->snippet_attachment_name ? r->snippet_attachment_name : "", r->snippet);
            string_or_null(w, "snippet", buf_cstr(&said));
            buf_free(&said);
        } else {
            string_or_null(w, "snippet", r->snippet);
        }
        json_object_end(w);
    }
    json_array_end(w);
    json_object_end(w);
}
