/* cmd_evidence.c - `mailtrove evidence ID [-o FILE]`: the email's
 * evidence bundle (evidence.h), to FILE or to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "evidence.h"

/* Write DATA to PATH through a temporary file beside it, so a reader
 * never sees half a zip. */
static bool write_file(const char *path, const struct buf *data)
{
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(buf_cstr(&tmp), "wb");
    bool ok = f && fwrite(data->data, 1, data->len, f) == data->len;
    if (f && fclose(f) != 0)
        ok = false;
    if (ok && rename(buf_cstr(&tmp), path) != 0)
        ok = false;
    if (!ok) {
        cli_fail("evidence: could not write %s", path);
        unlink(buf_cstr(&tmp));
    }
    buf_free(&tmp);
    return ok;
}

int cmd_evidence(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "o", true } };
    const char *values[CLI_MAX_OPTIONS], *id_text;
    int code = cli_parse_simple("evidence", argc, argv, options, 1, values, &id_text,
                                "email id");
    if (code >= 0)
        return code;
    int64_t id;
    if (!cli_parse_id(id_text, &id))
        return cli_usage("evidence: '%s' is not an email id (a positive number)", id_text);
    const char *output = values[0];
    if (!output && isatty(STDOUT_FILENO))
        return cli_usage("evidence: the bundle is a zip: give -o FILE, or redirect stdout");
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct buf zip = BUF_INIT;
    struct mt_error err = { 0 };
    mt_status status = evidence_bundle(st, id, &zip, &err);
    store_close(st);
    if (status == MT_OK) {
        if (output)
            code = write_file(output, &zip) ? EXIT_DONE : EXIT_FAILED;
        else
            code = cli_write_stdout(zip.data, zip.len) ? EXIT_DONE : EXIT_FAILED;
    } else {
        code = cli_fail_error(status, &err);
    }
    buf_free(&zip);
    return code;
}
