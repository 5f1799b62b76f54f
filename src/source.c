/* source.c - files, directories, archives and mboxes into items. */
#include "source.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox.h"
#include "reader.h"

struct walk {
    size_t max_message;
    int max_depth;
    source_item_fn emit;
    void *context;
    struct mt_error *err;
};

/* Bytes sniffed to decide what a stream is (tar's magic is at 257). */
#define SNIFF_BYTES 4096

enum source_kind source_classify(const unsigned char *d, size_t len,
                                 size_t *skip)
{
    *skip = 0;
    if (len == 0)
        return SOURCE_EMPTY;
    if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b)
        return SOURCE_ARCHIVE;                        /* gzip */
    if (len >= 4 && !memcmp(d, "\x28\xb5\x2f\xfd", 4))
        return SOURCE_ARCHIVE;                        /* zstd */
    if (len >= 6 && !memcmp(d, "\xfd" "7zXZ\0", 6))
        return SOURCE_ARCHIVE;                        /* xz */
    if (len >= 10 && !memcmp(d, "BZh", 3) && !memcmp(d + 4, "\x31\x41\x59\x26\x53\x59", 6))
        return SOURCE_ARCHIVE;                        /* bzip2 */
    if (len >= 4 && (!memcmp(d, "PK\3\4", 4) || !memcmp(d, "PK\5\6", 4)))
        return SOURCE_ARCHIVE;                        /* zip */
    if (len >= 262 && !memcmp(d + 257, "ustar", 5))
        return SOURCE_ARCHIVE;                        /* tar */
    size_t start = 0;
    if (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
        start = 3;                                    /* UTF-8 BOM */
    const unsigned char *line = d + start;
    size_t line_len = len - start;
    /* the first line ends at its LF, or at a bare CR (classic Mac OS) */
    const unsigned char *nl = memchr(line, mbox_line_end(line, line_len), line_len);
    if (nl)
        line_len = (size_t)(nl - line) + 1;
    if (line_len >= 5 && !memcmp(line, "From ", 5)
        && mbox_is_separator_line(line, line_len)) {
        *skip = start;
        return SOURCE_MBOX;
    }
    if (mbox_is_header_line(line, line_len))
        return SOURCE_MESSAGE;  /* stored with its BOM, as read */
    if (memchr(d, 0, len))
        return SOURCE_BINARY;
    return SOURCE_NOT_MAIL;
}

const char *source_message_problem(const unsigned char *bytes, size_t len)
{
    if (len == 0)
        return "empty message";
    if (len >= 3 && !memcmp(bytes, "\xef\xbb\xbf", 3)) {
        bytes += 3;   /* a UTF-8 byte-order mark before the headers */
        len -= 3;
    }
    const unsigned char *nl = memchr(bytes, mbox_line_end(bytes, len), len);
    size_t line_len = nl ? (size_t)(nl - bytes) + 1 : len;
    if (!mbox_is_header_line(bytes, line_len))
        return "no header block: does not start with a header field";
    return NULL;
}

static mt_status emit_rejection(struct walk *w, const char *path,
                                int64_t offset, const char *member,
                                const char *reason, uint64_t input_bytes)
{
    struct source_item item = {
        .path = path, .offset = offset, .member = member,
        .reject_reason = reason, .input_bytes = input_bytes,
    };
    return w->emit(w->context, &item);
}

static mt_status emit_message(struct walk *w, struct source_item *item)
{
    const char *problem = source_message_problem(
        (const unsigned char *)buf_cstr(item->bytes), item->bytes->len);
    if (problem) {
        item->reject_reason = problem;
        item->bytes = NULL;
    }
    return w->emit(w->context, item);
}

static mt_status walk_stream(struct walk *w, struct reader *r,
                             const char *path, const char *member,
                             int depth, int top_fd);

/* Split an mbox stream, the reader at its first separator. */
static mt_status walk_mbox(struct walk *w, struct reader *r, const char *path,
                           const char *member)
{
    struct mbox_splitter splitter;
    struct mbox_message message;
    mt_status st = MT_OK;
    char reason[1200];

    mbox_splitter_init(&splitter, r, w->max_message);
    for (;;) {
        struct mt_error split_err = { 0 };
        st = mbox_next(&splitter, &message, &split_err);
        if (st == MT_DONE) {
            st = MT_OK;
            mbox_message_free(&message);
            break;
        }
        if (st != MT_OK) {
            mbox_message_free(&message);
            if (st == MT_ENOMEM)
                break;
            snprintf(reason, sizeof reason, "mbox could not be read to the end: %s",
                     split_err.message);
            st = emit_rejection(w, path, (int64_t)r->offset, member, reason, 0);
            break;
        }
        struct source_item item = {
            .path = path, .offset = (int64_t)message.offset, .member = member,
            .separator = message.separator,
            .unquoted_lines = message.unquoted_lines,
            .bytes = &message.bytes,
            .input_bytes = message.length_in_mbox,
        };
        if (message.oversize) {
            snprintf(reason, sizeof reason,
                     "message larger than the %zu MiB limit (%llu bytes)",
                     w->max_message >> 20,
                     (unsigned long long)message.length_in_mbox);
            item.reject_reason = reason;
            item.bytes = NULL;
            st = w->emit(w->context, &item);
        } else {
            st = emit_message(w, &item);
        }
        mbox_message_free(&message);
        if (st != MT_OK)
            break;
    }
    mbox_splitter_free(&splitter);
    return st;
}

/* Read a whole single-message stream, up to the size limit. */
static mt_status walk_single_message(struct walk *w, struct reader *r,
                                     const char *path, const char *member)
{
    struct buf bytes = BUF_INIT;
    mt_status st = MT_OK;
    uint64_t total = 0;
    bool oversize = false;
    char reason[1200];

    for (;;) {
        ssize_t got = reader_fill(r, 1);
        if (got < 0) {
            snprintf(reason, sizeof reason, "could not be read: %s",
                     r->error.message);
            st = emit_rejection(w, path, -1, member, reason, total);
            goto out;
        }
        if (got == 0)
            break;
        total += (uint64_t)got;
        if (!oversize && bytes.len + (size_t)got <= w->max_message) {
            if (buf_append(&bytes, reader_peek(r), (size_t)got) != MT_OK) {
                st = MT_ENOMEM;
                goto out;
            }
        } else {
            oversize = true;
        }
        reader_consume(r, (size_t)got);
    }
    if (oversize) {
        snprintf(reason, sizeof reason,
                 "message larger than the %zu MiB limit (%llu bytes)",
                 w->max_message >> 20, (unsigned long long)total);
        st = emit_rejection(w, path, -1, member, reason, total);
        goto out;
    }
    struct source_item item = {
        .path = path, .offset = -1, .member = member, .bytes = &bytes,
        .input_bytes = total,
    };
    st = emit_message(w, &item);
out:
    buf_free(&bytes);
    return st;
}

/* libarchive reads its input through our reader, so bytes already peeked
 * at for sniffing are not lost. */
struct archive_input {
    struct reader *reader;
    size_t handed_out;
};

static la_ssize_t archive_input_read(struct archive *a, void *context,
                                     const void **buffer)
{
    struct archive_input *in = context;
    if (in->handed_out) {
        reader_consume(in->reader, in->handed_out);
        in->handed_out = 0;
    }
    ssize_t got = reader_fill(in->reader, 1);
    if (got < 0) {
        archive_set_error(a, EIO, "%s", in->reader->error.message);
        return -1;
    }
    *buffer = reader_peek(in->reader);
    in->handed_out = (size_t)got;
    return (la_ssize_t)got;
}

/* Reads one archive member's data for the nested reader. */
static ssize_t archive_member_read(void *context, unsigned char *dest,
                                   size_t capacity, struct mt_error *err)
{
    struct archive *a = context;
    la_ssize_t got = archive_read_data(a, dest, capacity);
    if (got < 0) {
        mt_error_set(err, MT_EIO, "%s", archive_error_string(a)
                     ? archive_error_string(a) : "archive read error");
        return -1;
    }
    return (ssize_t)got;
}

static const char *entry_kind_name(mode_t type)
{
    switch (type) {
    case AE_IFLNK: return "a symbolic link";
    case AE_IFSOCK: return "a socket";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a named pipe";
    default: return "not a regular file";
    }
}

static mt_status walk_archive(struct walk *w, struct reader *r,
                              const char *path, const char *member,
                              int depth, int top_fd)
{
    struct archive *a = archive_read_new();
    struct archive_input input = { r, 0 };
    mt_status st = MT_OK;
    char reason[1200];
    struct buf child_member = BUF_INIT;
    int opened;

    if (!a)
        return MT_ENOMEM;
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_empty(a);
    archive_read_support_format_raw(a);
    if (top_fd >= 0 && lseek(top_fd, 0, SEEK_SET) == 0)
        /* A file we can seek in: zip is then read by its central
         * directory, which streaming cannot always do. */
        opened = archive_read_open_fd(a, top_fd, 1 << 16);
    else
        opened = archive_read_open(a, &input, NULL, archive_input_read, NULL);
    if (opened != ARCHIVE_OK) {
        snprintf(reason, sizeof reason, "archive could not be opened: %s",
                 archive_error_string(a) ? archive_error_string(a) : "unknown");
        st = emit_rejection(w, path, -1, member, reason, 0);
        goto out;
    }
    for (;;) {
        struct archive_entry *entry;
        int rc = archive_read_next_header(a, &entry);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN) {
            snprintf(reason, sizeof reason,
                     "archive is damaged, reading stopped: %s",
                     archive_error_string(a) ? archive_error_string(a)
                                             : "unknown error");
            st = emit_rejection(w, path, -1, member, reason, 0);
            goto out;
        }
        bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
        const char *name = archive_entry_pathname_utf8(entry);
        if (!name)
            name = archive_entry_pathname(entry);
        if (!name)
            name = "(unnamed member)";
        buf_clear(&child_member);
        if (raw) {
            if (member && buf_append_str(&child_member, member) != MT_OK) {
                st = MT_ENOMEM;
                goto out;
            }
        } else if ((member && buf_printf(&child_member, "%s!/", member) != MT_OK)
                   || buf_append_str(&child_member, name) != MT_OK) {
            st = MT_ENOMEM;
            goto out;
        }
        const char *child = child_member.len ? child_member.data : NULL;
        mode_t type = archive_entry_filetype(entry);
        if (type == AE_IFDIR)
            continue;
        if (type != AE_IFREG && !raw) {
            snprintf(reason, sizeof reason, "archive member is %s",
                     entry_kind_name(type));
            st = emit_rejection(w, path, -1, child, reason, 0);
            if (st != MT_OK)
                goto out;
            continue;
        }
        if (depth + 1 > w->max_depth) {
            snprintf(reason, sizeof reason,
                     "archives nested deeper than %d levels", w->max_depth);
            st = emit_rejection(w, path, -1, child, reason, 0);
            if (st != MT_OK)
                goto out;
            continue;
        }
        struct reader member_reader;
        if (reader_init(&member_reader, archive_member_read, a, 0) != MT_OK) {
            st = MT_ENOMEM;
            goto out;
        }
        st = walk_stream(w, &member_reader, path, child, depth + 1, -1);
        reader_free(&member_reader);
        if (st != MT_OK)
            goto out;
    }
out:
    buf_free(&child_member);
    archive_read_free(a);
    return st;
}

static mt_status walk_stream(struct walk *w, struct reader *r,
                             const char *path, const char *member,
                             int depth, int top_fd)
{
    char reason[1200];
    ssize_t got = reader_fill(r, SNIFF_BYTES);
    if (got < 0) {
        snprintf(reason, sizeof reason, "could not be read: %s",
                 r->error.message);
        return emit_rejection(w, path, -1, member, reason, 0);
    }
    size_t skip;
    switch (source_classify(reader_peek(r), (size_t)got, &skip)) {
    case SOURCE_EMPTY:
        return emit_rejection(w, path, -1, member, "empty file", 0);
    case SOURCE_ARCHIVE:
        return walk_archive(w, r, path, member, depth, top_fd);
    case SOURCE_MBOX:
        reader_consume(r, skip);
        return walk_mbox(w, r, path, member);
    case SOURCE_MESSAGE:
        return walk_single_message(w, r, path, member);
    case SOURCE_BINARY:
        return emit_rejection(w, path, -1, member,
                              "binary data, not an email message", 0);
    case SOURCE_NOT_MAIL:
        break;
    }
    return emit_rejection(w, path, -1, member,
                          "no header block: not an email message or mbox", 0);
}

static mt_status walk_file(struct walk *w, const char *path)
{
    char reason[1200];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(reason, sizeof reason, "could not be opened: %s",
                 strerror(errno));
        return emit_rejection(w, path, -1, NULL, reason, 0);
    }
    struct reader r;
    mt_status st = reader_init(&r, reader_read_fd, &fd, 0);
    if (st == MT_OK)
        st = walk_stream(w, &r, path, NULL, 0, fd);
    reader_free(&r);
    close(fd);
    return st;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static mt_status walk_path(struct walk *w, const char *path, int level);

static mt_status walk_directory(struct walk *w, const char *path, int level)
{
    char reason[1200];
    DIR *dir = opendir(path);
    if (!dir) {
        snprintf(reason, sizeof reason, "directory could not be opened: %s",
                 strerror(errno));
        return emit_rejection(w, path, -1, NULL, reason, 0);
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    mt_status st = MT_OK;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        if (count == capacity) {
            size_t grown = capacity ? capacity * 2 : 64;
            char **bigger = realloc(names, grown * sizeof *names);
            if (!bigger) {
                st = MT_ENOMEM;
                goto out;
            }
            names = bigger;
            capacity = grown;
        }
        names[count] = strdup(entry->d_name);
        if (!names[count]) {
            st = MT_ENOMEM;
            goto out;
        }
        count++;
    }
    /* Sorted, so ids come out the same on every run and machine. */
    if (count)   /* an empty directory has no array: qsort(NULL) is undefined */
        qsort(names, count, sizeof *names, compare_names);
    struct buf child = BUF_INIT;
    for (size_t i = 0; i < count && st == MT_OK; i++) {
        buf_clear(&child);
        size_t plen = strlen(path);
        bool slash = plen && path[plen - 1] == '/';
        if (buf_printf(&child, slash ? "%s%s" : "%s/%s", path, names[i])
            != MT_OK) {
            st = MT_ENOMEM;
            break;
        }
        st = walk_path(w, child.data, level + 1);
    }
    buf_free(&child);
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(dir);
    return st;
}

static mt_status walk_path(struct walk *w, const char *path, int level)
{
    struct stat info;
    char reason[1200];
    if (lstat(path, &info) != 0) {
        snprintf(reason, sizeof reason, "could not be examined: %s",
                 strerror(errno));
        return emit_rejection(w, path, -1, NULL, reason, 0);
    }
    if (S_ISLNK(info.st_mode)) {
        /* Follow links to files; links to directories could loop. */
        if (stat(path, &info) != 0)
            return emit_rejection(w, path, -1, NULL,
                                  "symbolic link to nothing", 0);
        if (S_ISDIR(info.st_mode) && level > 0)
            return emit_rejection(w, path, -1, NULL,
                                  "symbolic link to a directory, not followed",
                                  0);
    }
    if (S_ISDIR(info.st_mode))
        return walk_directory(w, path, level);
    if (!S_ISREG(info.st_mode))
        return emit_rejection(w, path, -1, NULL,
                              "not a regular file (device, pipe or socket)",
                              0);
    return walk_file(w, path);
}

mt_status source_walk(const char *path, const struct source_options *options,
                      source_item_fn emit, void *context,
                      struct mt_error *err)
{
    struct walk w = {
        .max_message = options && options->max_message_bytes
                           ? options->max_message_bytes
                           : SOURCE_MAX_MESSAGE_BYTES,
        .max_depth = options && options->max_archive_depth
                         ? options->max_archive_depth
                         : SOURCE_MAX_ARCHIVE_DEPTH,
        .emit = emit, .context = context, .err = err,
    };
    struct stat info;
    if (stat(path, &info) != 0)
        return mt_error_set(err, MT_ENOTFOUND, "%s: %s", path,
                            strerror(errno));
    return walk_path(&w, path, 0);
}
