/* test_source.c - the walk's count of bytes read from disk (source.h,
 * disk_read), behind ingest's share and ETA: a plain file counts as read
 * as the walk goes, a compressed one by its own (compressed) bytes, and
 * several walks share one count. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "source.h"
#include "unit.h"

struct seen {
    uint64_t disk_read[16];
    int count;
    int rejected;
};

static mt_status remember(void *context, struct source_item *item)
{
    struct seen *s = context;
    if (item->reject_reason)
        s->rejected++;
    if (!item->is_promise && s->count < 16)
        s->disk_read[s->count++] = item->disk_read;
    return MT_OK;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static int non_decreasing(const struct seen *s)
{
    for (int i = 1; i < s->count; i++)
        if (s->disk_read[i] < s->disk_read[i - 1])
            return 0;
    return 1;
}

int main(void)
{
    char dir[] = "/tmp/test_source_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char mbox_path[256], zst_path[256], eml_path[256];
    snprintf(mbox_path, sizeof mbox_path, "%s/a.mbox", dir);
    snprintf(zst_path, sizeof zst_path, "%s/b.mbox.zst", dir);
    snprintf(eml_path, sizeof eml_path, "%s/c.eml", dir);

    /* an mbox of three messages, its zstd, and one message file */
    char mbox[4096] = "";
    for (int i = 0; i < 3; i++) {
        char one[512];
        snprintf(one, sizeof one,
                 "From a@example.org Mon Jan  1 00:00:00 2001\n"
                 "From: a@example.org\nSubject: message %d\nMessage-ID: <%d@example.org>\n\n"
                 "The body of message %d, with a few words in it.\n\n", i, i, i);
        strcat(mbox, one);
    }
    write_file(mbox_path, mbox, strlen(mbox));
    char packed[4096];
    size_t packed_len = ZSTD_compress(packed, sizeof packed, mbox, strlen(mbox), 3);
    CHECK(!ZSTD_isError(packed_len));
    write_file(zst_path, packed, packed_len);
    const char eml[] = "From: b@example.org\nSubject: alone\n\nOne message.\n";
    write_file(eml_path, eml, sizeof eml - 1);

    struct mt_error err = { 0 };
    uint64_t disk = 0;
    struct source_options options = { .disk_read = &disk };

    /* the plain mbox: each message counts what has been read, never more
     * than the file; once walked, the count is the file's size */
    struct seen a = { 0 };
    CHECK(source_walk(mbox_path, &options, remember, &a, &err) == MT_OK);
    CHECK(a.count == 3 && a.rejected == 0);
    CHECK(non_decreasing(&a));
    CHECK(a.count == 3 && a.disk_read[2] <= strlen(mbox) && a.disk_read[0] > 0);
    CHECK(disk == strlen(mbox));

    /* the compressed file, walked next with the same count: its messages
     * count from there, by the compressed bytes (not the 3 messages'
     * unpacked size) */
    struct seen b = { 0 };
    CHECK(source_walk(zst_path, &options, remember, &b, &err) == MT_OK);
    CHECK(b.count == 3 && b.rejected == 0);
    CHECK(non_decreasing(&b));
    CHECK(b.count == 3 && b.disk_read[0] > strlen(mbox)
          && b.disk_read[2] <= strlen(mbox) + packed_len);
    CHECK(disk == strlen(mbox) + packed_len);

    /* a directory: every file in it, summed */
    uint64_t whole = 0;
    struct source_options dir_options = { .disk_read = &whole };
    struct seen c = { 0 };
    CHECK(source_walk(dir, &dir_options, remember, &c, &err) == MT_OK);
    CHECK(c.count == 7 && non_decreasing(&c));
    CHECK(whole == strlen(mbox) + packed_len + sizeof eml - 1);
    CHECK(c.count == 7 && c.disk_read[6] <= whole);

    /* no count asked for: items say 0 */
    struct seen d = { 0 };
    CHECK(source_walk(eml_path, NULL, remember, &d, &err) == MT_OK);
    CHECK(d.count == 1 && d.disk_read[0] == 0);

    unlink(mbox_path);
    unlink(zst_path);
    unlink(eml_path);
    rmdir(dir);
    return unit_failures != 0;
}
