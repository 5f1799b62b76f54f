/*
 * status.h - the status codes every module returns, and the error record
 * that carries a message a user can act on.
 *
 * No module prints: functions return an mt_status and, when they can fail
 * on input, fill a caller-owned struct mt_error (which may be NULL).
 * Codes are only ever added at the end, never removed or renumbered.
 */
#ifndef MT_STATUS_H
#define MT_STATUS_H

typedef enum {
    MT_OK = 0,      /* done */
    MT_ENOMEM,      /* an allocation failed */
    MT_EIO,         /* reading or writing a file failed */
    MT_EPARSE,      /* input is malformed; err says where */
    MT_EXISTS,      /* not an error for most callers: the thing was there */
    MT_EDB,         /* SQLite reported an error; err has its message */
    MT_ENOTFOUND,   /* no such email, key, file */
    MT_EINVAL,      /* a caller passed something unusable */
    MT_DONE,        /* an iterator has nothing more */
    MT_ELIMIT,      /* input exceeds a documented limit */
    MT_EUNSUPPORTED, /* a format or feature we do not handle */
    MT_EINTR        /* the user interrupted the work (Ctrl-C) */
} mt_status;

struct mt_error {
    mt_status status;
    char message[1024];
};

/* A short fixed description of STATUS; never NULL, never to be freed. */
const char *mt_strerror(mt_status status);

/*
 * Record STATUS and a printf-style message in ERR (ERR may be NULL).
 * Returns STATUS so callers can write `return mt_error_set(err, ...)`.
 * The message is cut to fit the record; it is for people, not parsing.
 */
mt_status mt_error_set(struct mt_error *err, mt_status status,
                       const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
