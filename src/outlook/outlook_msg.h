/*
 * outlook_msg.h - reading an Outlook .msg file (MS-OXMSG): an OLE2
 * compound file, whose container libgsf reads, holding MAPI property
 * streams (__substg1.0_*, __properties_version1.0), recipient storages
 * (__recip_version1.0_*) and attachment storages (__attach_version1.0_*),
 * attached .msg files being storages of their own.
 *
 * Reentrant: no state outside the call; libgsf's objects are made and
 * released within it.
 */
#ifndef MT_OUTLOOK_MSG_H
#define MT_OUTLOOK_MSG_H

#include <stddef.h>

#include "outlook/outlook.h"
#include "status.h"

/*
 * Read the compound file D (LEN bytes).  On MT_OK *OUT is the message
 * (caller frees with outlook_message_free).  Otherwise ERR says why, in
 * words for a rejection: MT_EUNSUPPORTED for a compound file that is not
 * a mail message ("a document, not an email: Word 97-2003 document",
 * "not an email: contact"), MT_EPARSE for a damaged one, MT_ENOMEM.
 * Embedded messages deeper than 8 levels are kept as opaque attachments.
 */
mt_status outlook_msg_parse(const unsigned char *d, size_t len,
                            struct outlook_message **out, struct mt_error *err);

#endif
