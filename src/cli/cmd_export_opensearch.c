/* cmd_export_opensearch.c - `export --format opensearch DIR`: an index
 * mapping and the emails as _bulk files for an OpenSearch (or
 * Elasticsearch) cluster, when an archive outgrows one machine
 * (docs/scale.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "json.h"
#include "report.h"

/* A bulk file stops before it would pass this (the contract's 50 MB, and
 * OpenSearch's default http.max_content_length is 100 MB). */
#define BULK_FILE_LIMIT (50 * 1000 * 1000)

/* Case and accents folded as the archive's tokenizer folds them
 * (unicode61, remove_diacritics 2): the standard tokenizer, lowercase and
 * asciifolding; addresses, dates, verdicts and signers as keywords. */
static const char mapping[] =
    "{\n"
    "  \"settings\": {\n"
    "    \"analysis\": {\n"
    "      \"analyzer\": {\n"
    "        \"folded\": {\"type\": \"custom\", \"tokenizer\": \"standard\",\n"
    "                   \"filter\": [\"lowercase\", \"asciifolding\"]}\n"
    "      },\n"
    "      \"normalizer\": {\n"
    "        \"lowercase\": {\"type\": \"custom\", \"filter\": [\"lowercase\"]}\n"
    "      }\n"
    "    }\n"
    "  },\n"
    "  \"mappings\": {\n"
    "    \"dynamic\": \"strict\",\n"
    "    \"properties\": {\n"
    "      \"id\": {\"type\": \"long\"},\n"
    "      \"message_id\": {\"type\": \"keyword\"},\n"
    "      \"date\": {\"type\": \"date\"},\n"
    "      \"from\": {\"type\": \"text\", \"analyzer\": \"folded\"},\n"
    "      \"from_address\": {\"type\": \"keyword\", \"normalizer\": \"lowercase\"},\n"
    "      \"to\": {\"type\": \"keyword\", \"normalizer\": \"lowercase\"},\n"
    "      \"cc\": {\"type\": \"keyword\", \"normalizer\": \"lowercase\"},\n"
    "      \"subject\": {\"type\": \"text\", \"analyzer\": \"folded\"},\n"
    "      \"body\": {\"type\": \"text\", \"analyzer\": \"folded\"},\n"
    "      \"attachments\": {\"type\": \"text\", \"analyzer\": \"folded\"},\n"
    "      \"attachment_text\": {\"type\": \"text\", \"analyzer\": \"folded\"},\n"
    "      \"verdict\": {\"type\": \"keyword\"},\n"
    "      \"signers\": {\"type\": \"keyword\", \"normalizer\": \"lowercase\"},\n"
    "      \"thread\": {\"type\": \"long\"},\n"
    "      \"sha256\": {\"type\": \"keyword\"}\n"
    "    }\n"
    "  }\n"
    "}\n";

static bool write_all(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    return ok;
}

int cli_export_opensearch(const struct cli *cli, const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_fail("export: cannot make %s: %s", dir, strerror(errno));
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    int64_t *ids = NULL;
    size_t count = 0;
    struct mt_error err = { 0 };
    struct buf path = BUF_INIT, bulk = BUF_INIT, doc = BUF_INIT;
    int code = EXIT_DONE, files = 0;
    mt_status status = store_email_ids(st, &ids, &count, &err);
    buf_printf(&path, "%s/mapping.json", dir);
    if (status == MT_OK && !write_all(buf_cstr(&path), mapping, sizeof mapping - 1))
        code = cli_fail("export: could not write %s", buf_cstr(&path));
    for (size_t i = 0; i <= count && status == MT_OK && code == EXIT_DONE; i++) {
        buf_clear(&doc);
        if (i < count) {
            struct json_writer w;
            json_init(&w, &doc);
            buf_printf(&doc, "{\"index\":{\"_index\":\"mailtrove\",\"_id\":\"%lld\"}}\n",
                       (long long)ids[i]);
            status = report_search_document(st, ids[i], &w, &err);
            buf_append_char(&doc, '\n');
        }
        /* the file so far is written when this document would pass the
         * limit, and at the end */
        if (status == MT_OK && bulk.len
            && (i == count || bulk.len + doc.len > BULK_FILE_LIMIT)) {
            buf_clear(&path);
            buf_printf(&path, "%s/bulk-%04d.ndjson", dir, ++files);
            if (!write_all(buf_cstr(&path), bulk.data, bulk.len))
                code = cli_fail("export: could not write %s", buf_cstr(&path));
            buf_clear(&bulk);
        }
        if (status == MT_OK)
            buf_append(&bulk, doc.data ? doc.data : "", doc.len);
    }
    store_close(st);
    if (status != MT_OK)
        code = cli_fail_error(status, &err);
    else if (code == EXIT_DONE)
        printf("exported %zu %s to %s: mapping.json and %d bulk %s\n", count,
               cli_plural((long long)count, "email", "emails"), dir, files,
               files == 1 ? "file" : "files");
    free(ids);
    buf_free(&path);
    buf_free(&bulk);
    buf_free(&doc);
    return code;
}
