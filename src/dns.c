/* dns.c - TXT lookups with glibc's resolver. */
#include "dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>

mt_status dns_parse_server(const char *server, struct sockaddr_in *address,
                           struct mt_error *err)
{
    char host[64];
    const char *colon = strchr(server, ':');
    size_t host_len = colon ? (size_t)(colon - server) : strlen(server);
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 53;
    memset(address, 0, sizeof *address);
    if (host_len >= sizeof host || port <= 0 || port > 65535 || (end && *end))
        return mt_error_set(err, MT_EINVAL, "%s: not an IPv4 address[:port]", server);
    memcpy(host, server, host_len);
    host[host_len] = '\0';
    if (inet_pton(AF_INET, host, &address->sin_addr) != 1)
        return mt_error_set(err, MT_EINVAL, "%s: not an IPv4 address[:port]", server);
    address->sin_family = AF_INET;
    address->sin_port = htons((unsigned short)port);
    return MT_OK;
}

mt_status dns_lookup_txt(const char *name, const char *server, struct buf *records,
                         struct mt_error *err)
{
    struct __res_state resolver;
    unsigned char answer[NS_MAXMSG];
    memset(&resolver, 0, sizeof resolver);
    if (res_ninit(&resolver) != 0)
        return mt_error_set(err, MT_EIO, "the system's resolver could not be set up");
    mt_status status = MT_OK;
    /* a few seconds at most per name: this runs once per missing key */
    resolver.retrans = 2;
    resolver.retry = 2;
    if (server && (status = dns_parse_server(server, &resolver.nsaddr_list[0], err)) == MT_OK)
        resolver.nscount = 1;
    int length = status == MT_OK
        ? res_nquery(&resolver, name, ns_c_in, ns_t_txt, answer, sizeof answer) : -1;
    if (status == MT_OK && length < 0) {
        int code = resolver.res_h_errno;
        status = code == HOST_NOT_FOUND || code == NO_DATA
            ? MT_ENOTFOUND
            : mt_error_set(err, MT_EIO, "%s: no answer from DNS (%s)", name,
                           code == TRY_AGAIN ? "timed out or server failure"
                                             : "lookup failed");
    }
    if (length > (int)sizeof answer)
        length = (int)sizeof answer;   /* truncated: parse what fits */
    ns_msg message;
    if (status == MT_OK && ns_initparse(answer, length, &message) != 0)
        status = mt_error_set(err, MT_EIO, "%s: malformed DNS answer", name);
    int found = 0;
    for (int i = 0; status == MT_OK && i < ns_msg_count(message, ns_s_an); i++) {
        ns_rr record;
        if (ns_parserr(&message, ns_s_an, i, &record) != 0 || ns_rr_type(record) != ns_t_txt)
            continue;
        /* RDATA: character-strings, each a length byte and that many bytes */
        const unsigned char *p = ns_rr_rdata(record), *end = p + ns_rr_rdlen(record);
        while (p < end && status == MT_OK) {
            size_t n = *p++;
            if (n > (size_t)(end - p))
                n = (size_t)(end - p);
            for (size_t k = 0; k < n && status == MT_OK; k++)
                status = buf_append_char(records, p[k] < 0x20 || p[k] == 0x7f ? ' ' : (char)p[k]);
            p += n;
        }
        if (status == MT_OK)
            status = buf_append_char(records, '\n');
        found++;
    }
    if (status == MT_OK && !found)
        status = MT_ENOTFOUND;
    res_nclose(&resolver);
    return status;
}
