/* cmd_reindex.c - `mailtrove reindex [--language fr|en|none] [--ocr]` */
#include <stdio.h>
#include <string.h>

#include "attachment_text.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "index.h"
#include "stem.h"

int cmd_reindex(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "language", true }, { "ocr", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("reindex", argc, argv, options, 2, values, NULL, NULL);
    if (code >= 0)
        return code;
    const char *language = values[0];
    if (language && !stem_language_known(language))
        return cli_usage("reindex: --language is fr, en or none, not '%s'", language);
    /* the rebuild stores every body text itself: no upgrade first */
    struct cli plain = *cli;
    plain.finish_upgrade = NULL;
    struct store *st = cli_open_archive(&plain, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    int64_t count;
    struct mt_error err = { 0 };
    /* --ocr: images and scans read by OCR, in this rebuild and from now on */
    mt_status status = values[1] ? attachment_text_use_ocr(st, &err) : MT_OK;
    /* a new language indexes everything again; the same one (or none
     * given): the rebuild below does */
    if (status == MT_OK && language)
        status = stem_change_language(st, language, index_rebuild, &count, &err);
    else if (status == MT_OK)
        count = 0;
    if (status == MT_OK && (!language || count == 0))
        status = index_rebuild(st, &count, &err);
    const char *now = status == MT_OK ? stem_language(st) : "none";
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    printf("reindexed %lld %s", (long long)count, cli_plural(count, "email", "emails"));
    if (strcmp(now, "none"))
        printf(", with their word forms in %s", !strcmp(now, "fr") ? "French" : "English");
    printf("\n");
    return EXIT_DONE;
}
