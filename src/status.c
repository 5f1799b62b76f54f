/* status.c - status names and the error record. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

const char *mt_strerror(mt_status status)
{
    switch (status) {
    case MT_OK: return "success";
    case MT_ENOMEM: return "out of memory";
    case MT_EIO: return "input/output error";
    case MT_EPARSE: return "malformed input";
    case MT_EXISTS: return "already present";
    case MT_EDB: return "archive database error";
    case MT_ENOTFOUND: return "not found";
    case MT_EINVAL: return "invalid argument";
    case MT_DONE: return "no more items";
    case MT_ELIMIT: return "limit exceeded";
    case MT_EUNSUPPORTED: return "unsupported format";
    case MT_EINTR: return "interrupted";
    }
    return "unknown status";
}

mt_status mt_error_set(struct mt_error *err, mt_status status,
                       const char *format, ...)
{
    if (err) {
        va_list args;
        err->status = status;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
    }
    return status;
}
