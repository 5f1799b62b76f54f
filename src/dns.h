/*
 * dns.h - live DNS lookups of DKIM key records, for `verify --dns` only:
 * a dump is verified from key files by default, as a live answer today
 * says nothing certain about the key of years ago (docs/dkim.md).
 *
 * Uses glibc's resolver (res_nquery): the system's name servers, or the
 * one SERVER names.  Reentrant: each call has its own resolver state.
 */
#ifndef MT_DNS_H
#define MT_DNS_H

#include <netinet/in.h>

#include "buf.h"
#include "status.h"

/*
 * Look up the TXT records at NAME.  On MT_OK each record (its strings
 * joined, control bytes turned to spaces) is appended to RECORDS followed
 * by '\n'.  MT_ENOTFOUND: the name or its TXT records do not exist.
 * MT_EIO: no answer (timeout, server failure); ERR says which.  SERVER is
 * "IPv4[:PORT]" or NULL for the system's resolver.
 */
/* Read SERVER ("IPv4[:PORT]", port 53 by default) into *ADDRESS. */
mt_status dns_parse_server(const char *server, struct sockaddr_in *address,
                           struct mt_error *err);

mt_status dns_lookup_txt(const char *name, const char *server, struct buf *records,
                         struct mt_error *err);

#endif
