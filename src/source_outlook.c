/* source_outlook.c - the source walk's Outlook inputs: PST/OST stores
 * (read by outlook_store.h's helper) and .msg files (outlook_msg.h), each
 * mail item delivered as an item whose bytes were written from it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "outlook/outlook.h"
#include "outlook/outlook_msg.h"
#include "outlook/outlook_store.h"
#include "source_int.h"

struct store_walk {
    struct walk *w;
    const char *path;
    const char *member;   /* the store's place inside an archive, or NULL */
    struct buf full;      /* member + "!/" + the item's folder path and id */
};

static mt_status store_item(void *context, const char *item_member,
                            struct buf *bytes, const char *reject_reason)
{
    struct store_walk *sw = context;
    buf_clear(&sw->full);
    if ((sw->member && buf_printf(&sw->full, "%s!/", sw->member) != MT_OK)
        || buf_append_str(&sw->full, item_member) != MT_OK)
        return MT_ENOMEM;
    struct source_item item = {
        .path = sw->path, .offset = -1, .member = sw->full.data,
        .bytes = bytes, .reject_reason = reject_reason,
        .derived_from = bytes ? "pst" : NULL,
    };
    return bytes ? source_emit_message(sw->w, &item) : source_deliver(sw->w, &item);
}

/* Copy the rest of R into a new unlinked-on-close temporary file: libpst
 * reads a store by seeking in a file.  Returns its path in TEMPLATE. */
static mt_status spool(struct reader *r, char *template, size_t size,
                       uint64_t *bytes, struct mt_error *err)
{
    const char *dir = getenv("TMPDIR");
    snprintf(template, size, "%s/mailtrove-store-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(template);
    if (fd < 0)
        return mt_error_set(err, MT_EIO, "cannot make a temporary file for a store in %s: %s",
                            dir && *dir ? dir : "/tmp", strerror(errno));
    *bytes = 0;
    for (;;) {
        ssize_t got = reader_fill(r, 1);
        if (got < 0) {
            close(fd);
            unlink(template);
            return mt_error_set(err, MT_EIO, "%s", r->error.message);
        }
        if (got == 0)
            break;
        if (!fd_write_all(fd, reader_peek(r), (size_t)got)) {
            int e = errno;
            close(fd);
            unlink(template);
            return mt_error_set(err, MT_EIO, "writing a temporary copy of a store: %s",
                                strerror(e));
        }
        *bytes += (uint64_t)got;
        reader_consume(r, (size_t)got);
    }
    close(fd);
    return MT_OK;
}

mt_status source_walk_outlook_store(struct walk *w, struct reader *r,
                                    const char *path, const char *member,
                                    int top_fd, const char *store_kind)
{
    (void)store_kind;
    char temp[4096] = "";
    const char *file = path;
    uint64_t size = 0;
    if (top_fd < 0 || member) {
        struct mt_error spool_err = { 0 };
        mt_status st = spool(r, temp, sizeof temp, &size, &spool_err);
        if (st != MT_OK) {
            char reason[1200];
            snprintf(reason, sizeof reason, "the store could not be copied out to be read: %s",
                     spool_err.message);
            return source_emit_rejection(w, path, -1, member, reason, 0);
        }
        file = temp;
    } else {
        off_t end = lseek(top_fd, 0, SEEK_END);
        size = end > 0 ? (uint64_t)end : 0;
    }
    struct store_walk sw = { w, path, member, BUF_INIT };
    struct outlook_store_result result;
    mt_status st = outlook_store_read(w->outlook_helper, file, w->max_message,
                                      store_item, &sw, &result, w->err);
    if (*temp)
        unlink(temp);
    buf_free(&sw.full);
    if (st != MT_OK)
        return st;
    if (result.failure[0]) {
        st = source_emit_rejection(w, path, -1, member, result.failure, 0);
        if (st != MT_OK)
            return st;
    }
    struct source_item promise = {
        .path = path, .offset = -1, .member = member, .is_promise = true,
        .expected = result.expected, .input_bytes = size,
    };
    return source_deliver(w, &promise);
}

mt_status source_walk_ole2(struct walk *w, struct reader *r, const char *path,
                           const char *member)
{
    char reason[1200];
    struct buf bytes = BUF_INIT;
    uint64_t total = 0;
    for (;;) {
        ssize_t got = reader_fill(r, 1);
        if (got < 0) {
            snprintf(reason, sizeof reason, "could not be read: %s", r->error.message);
            buf_free(&bytes);
            return source_emit_rejection(w, path, -1, member, reason, total);
        }
        if (got == 0)
            break;
        total += (uint64_t)got;
        if (total <= w->max_message && buf_append(&bytes, reader_peek(r), (size_t)got) != MT_OK) {
            buf_free(&bytes);
            return MT_ENOMEM;
        }
        reader_consume(r, (size_t)got);
    }
    if (total > w->max_message) {
        buf_free(&bytes);
        snprintf(reason, sizeof reason,
                 "an Outlook .msg or other compound file of %llu bytes, over the %zu-byte limit",
                 (unsigned long long)total, w->max_message);
        return source_emit_rejection(w, path, -1, member, reason, total);
    }
    struct outlook_message *m = NULL;
    struct mt_error msg_err = { 0 };
    mt_status st = outlook_msg_parse((const unsigned char *)bytes.data, bytes.len, &m, &msg_err);
    buf_free(&bytes);
    if (st == MT_ENOMEM)
        return st;
    if (st != MT_OK) {
        snprintf(reason, sizeof reason, "%s", msg_err.message);
        return source_emit_rejection(w, path, -1, member, reason, total);
    }
    struct buf out = BUF_INIT;
    st = outlook_write_mime(m, &out);
    outlook_message_free(m);
    if (st != MT_OK) {
        buf_free(&out);
        return st;
    }
    struct source_item item = {
        .path = path, .offset = -1, .member = member, .bytes = &out,
        .input_bytes = total, .derived_from = "msg",
    };
    st = source_emit_message(w, &item);
    buf_free(&out);
    return st;
}
