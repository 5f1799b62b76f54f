/* org.c - the organization's domains, and which mail they vouch for. */
#include "store_int.h"
#include "org.h"

#include <string.h>

#include "dkim.h"

bool org_domain_is_valid(const char *name)
{
    return dkim_is_domain_name(name) && strchr(name, '.') != NULL;
}

mt_status org_update(struct store *st, const char *domain, bool remove, bool *changed,
                     struct mt_error *err)
{
    *changed = false;
    if (!org_domain_is_valid(domain))
        return mt_error_set(err, MT_EINVAL, "'%s' is not a domain name (example.org)", domain);
    sqlite3_stmt *s;
    mt_status status = store_statement(st, remove ? "DELETE FROM org_domain WHERE domain = ?"
                                                  : "INSERT OR IGNORE INTO org_domain(domain)"
                                                    " VALUES(?)", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_db_error(st, err, remove ? "removing an org domain" : "adding an org domain");
    *changed = sqlite3_changes(store_db(st)) > 0;
    return MT_OK;
}

mt_status org_each(struct store *st, void (*each)(void *, const char *, int64_t),
                   void *context, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st,
        "SELECT o.domain, (SELECT count(DISTINCT g.email_id) FROM signature g"
        " WHERE (g.domain = o.domain OR substr(g.domain, -length(o.domain) - 1) = '.' || o.domain)"
        " AND g.result = 'pass' AND g.weaknesses = '') FROM org_domain o ORDER BY o.domain",
        &s, err);
    if (status != MT_OK)
        return status;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        each(context, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1));
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "listing org domains");
}

int64_t org_affiliated_count(struct store *st)
{
    sqlite3_stmt *s;
    if (store_statement(st, "SELECT count(*) FROM email e WHERE " ORG_AFFILIATED_SQL, &s,
                        NULL) != MT_OK)
        return -1;
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}
