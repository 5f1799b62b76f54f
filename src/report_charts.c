/* report_charts.c - the statistics page's charts as bars (report.h). */
#include "report.h"
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "query.h"

/* Each chart's rows: label, count, the search that lists them. */
static const char *const chart_sql[] = {
    [REPORT_CHART_MONTHS] =
        "SELECT strftime('%Y-%m', date, 'unixepoch') AS m, count(*), 'date:' || "
        " strftime('%Y-%m', date, 'unixepoch')"
        " FROM email WHERE date BETWEEN 315532800 AND 4102444800 GROUP BY m ORDER BY m",
    [REPORT_CHART_SENDERS] =
        "SELECT " ADDRESS_SQL " AS a, count(*) AS n, 'from:' || " ADDRESS_SQL
        " FROM address WHERE role = 0 AND local IS NOT NULL"
        " GROUP BY domain, local ORDER BY n DESC LIMIT 15",
    [REPORT_CHART_SIGNERS] =
        "SELECT g.domain || CASE WHEN EXISTS (SELECT 1 FROM org_domain o WHERE"
        " g.domain = o.domain OR substr(g.domain, -length(o.domain) - 1) = '.' || o.domain)"
        " THEN ' (organization)' ELSE '' END, count(DISTINCT g.email_id) AS n,"
        " 'signer:' || g.domain"
        " FROM signature g WHERE g.result = 'pass' AND g.domain IS NOT NULL"
        " GROUP BY g.domain ORDER BY n DESC LIMIT 15",
    [REPORT_CHART_VERDICTS] =
        "SELECT CASE e.verdict WHEN 'failed' THEN"
        " CASE " QUERY_FAILURE_KIND_SQL " WHEN 'altered' THEN 'failed: altered since signed'"
        " ELSE 'failed: could not be checked' END ELSE e.verdict END AS v, count(*),"
        " 'dkim:' || CASE e.verdict WHEN 'failed' THEN " QUERY_FAILURE_KIND_SQL
        " ELSE e.verdict END"
        " FROM email e GROUP BY v ORDER BY CASE e.verdict WHEN 'verified' THEN 0"
        " WHEN 'weak' THEN 1 WHEN 'failed' THEN 2 WHEN 'nokey' THEN 3 ELSE 4 END, v",
};

static char *copy_text(sqlite3_stmt *s, int i, bool *ok)
{
    const char *t = column_text(s, i);
    if (!t)
        return NULL;
    char *copy = strdup(t);
    if (!copy)
        *ok = false;
    return copy;
}

mt_status report_chart(struct store *st, enum report_chart which, size_t max,
                       struct report_bar **bars, size_t *count, struct mt_error *err)
{
    *bars = NULL;
    *count = 0;
    sqlite3_stmt *s;
    mt_status status = prepare(st, chart_sql[which], &s, err);
    if (status != MT_OK)
        return status;
    bool ok = true;
    int rc = SQLITE_DONE;
    while (ok && *count < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct report_bar *grown = realloc(*bars, (*count + 1) * sizeof **bars);
        if (!grown) {
            ok = false;
            break;
        }
        *bars = grown;
        struct report_bar *bar = &grown[(*count)++];
        bar->label = copy_text(s, 0, &ok);
        bar->count = sqlite3_column_int64(s, 1);
        bar->query = copy_text(s, 2, &ok);
    }
    status = !ok ? mt_error_set(err, MT_ENOMEM, "out of memory drawing a chart")
           : rc != SQLITE_DONE && rc != SQLITE_ROW ? store_db_error(st, err, "drawing a chart")
           : MT_OK;
    sqlite3_reset(s);
    if (status != MT_OK) {
        report_bars_free(*bars, *count);
        *bars = NULL;
        *count = 0;
    }
    return status;
}

void report_bars_free(struct report_bar *bars, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(bars[i].label);
        free(bars[i].query);
    }
    free(bars);
}
