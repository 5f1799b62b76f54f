/* cmd_publish.c - `mailtrove publish -o FILE`: a compacted, read-only
 * copy of the archive for serving, with the root it holds written inside
 * and its checksum in FILE.sha256 (store.h, "Publishing"; docs/web.md). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "merkle.h"
#include "text.h"

/* The SHA-256 of the file at PATH, in hex, into OUT (65 bytes). */
static bool file_sha256(const char *path, char out[65])
{
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = f && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    unsigned char block[1 << 14];
    size_t n;
    while (ok && (n = fread(block, 1, sizeof block, f)) > 0)
        ok = EVP_DigestUpdate(ctx, block, n) == 1;
    unsigned char digest[32];
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, digest, NULL) == 1;
    if (ok)
        text_hex(digest, 32, out);
    EVP_MD_CTX_free(ctx);
    if (f)
        fclose(f);
    return ok;
}

/* PATH.sha256 in sha256sum's form ("HEX  NAME"), NAME without directory. */
static bool write_checksum(const char *path, const char *hex)
{
    struct buf name = BUF_INIT;
    buf_printf(&name, "%s.sha256", path);
    const char *slash = strrchr(path, '/');
    FILE *f = fopen(buf_cstr(&name), "w");
    bool ok = f && fprintf(f, "%s  %s\n", hex, slash ? slash + 1 : path) > 0;
    if (f && fclose(f) != 0)
        ok = false;
    buf_free(&name);
    return ok;
}

int cmd_publish(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "o", true } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("publish", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    const char *output = values[0];
    if (!output)
        return cli_usage("publish: give the copy's name with -o FILE");
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct mt_error err = { 0 };
    unsigned char root[32];
    uint64_t count;
    char root_hex[65], count_text[32], when[40], checksum[65];
    mt_status status = merkle_archive_root(st, root, &count, &err);
    if (status == MT_OK) {
        text_hex(root, 32, root_hex);
        snprintf(count_text, sizeof count_text, "%llu", (unsigned long long)count);
        text_format_date((int64_t)time(NULL), when, sizeof when);
        const char *const settings[][2] = { { "published_root", root_hex },
                                            { "published_count", count_text },
                                            { "published_at", when } };
        status = store_publish_copy(st, output, settings, 3, &err);
    }
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    if (!file_sha256(output, checksum) || !write_checksum(output, checksum))
        return cli_fail("publish: could not write %s.sha256", output);
    printf("published %llu %s to %s: root %s; sha256 %s in %s.sha256\n",
           (unsigned long long)count, cli_plural((long long)count, "email", "emails"), output,
           root_hex, checksum, output);
    return EXIT_DONE;
}
