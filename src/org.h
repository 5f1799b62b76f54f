/*
 * org.h - the organization whose mail the archive holds: its domains
 * (`org add|remove|list`).  An email is affiliated when one of its
 * signatures passes with every condition of `verified` (no weakness) and
 * its d= is an org domain or a subdomain of one (docs/contract.md).  Owns
 * the org_domain table.  A struct store belongs to one thread.
 */
#ifndef MT_ORG_H
#define MT_ORG_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"
#include "query.h"
#include "store.h"

/* Whether NAME is a domain name org add accepts (dkim_is_domain_name's
 * form, lower-cased by the caller). */
bool org_domain_is_valid(const char *name);

/* Add (or, with REMOVE, remove) DOMAIN, lower-cased.  *CHANGED tells
 * whether the list changed.  MT_OK, MT_EINVAL (not a domain name, ERR
 * says), MT_EDB.  Inside no transaction of the caller's. */
mt_status org_update(struct store *st, const char *domain, bool remove, bool *changed,
                     struct mt_error *err);

/* Call EACH for every org domain, in order, with how many emails are
 * affiliated through it.  MT_OK or MT_EDB. */
mt_status org_each(struct store *st, void (*each)(void *, const char *, int64_t),
                   void *context, struct mt_error *err);

/* How many emails are affiliated (any org domain); -1 on error. */
int64_t org_affiliated_count(struct store *st);

#endif
