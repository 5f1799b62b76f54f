/* mailtrove_full.c - mailtrove-full: every command, with MIME, DKIM, the web
 * server and archive reading linked in.  The light `mailtrove` (mailtrove.c)
 * runs the read-only queries itself and hands everything else here. */
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "extract/extract.h"
#include "index.h"
#include "mime.h"
#include "outlook/outlook_store.h"
#include "stem.h"
#include "store.h"
#include "thread.h"

/* An archive from before body texts were kept, or lengths laid out for
 * ranking, gets them the first time it is opened for writing
 * (store_upgrade_pending). */
static mt_status finish_upgrade(struct store *st, struct mt_error *err)
{
    mt_status status = MT_OK;
    if (store_upgrade_pending(st, "index")) {
        int64_t count;
        /* a schema upgrade emptied the index, or an ingest into an empty
         * archive stopped before its index was copied in (index_side.h) */
        fprintf(stderr, "mailtrove: the archive's search index is incomplete (an upgrade or an "
                        "ingest did not finish it): indexing every email again\n");
        return index_rebuild(st, &count, err);  /* bodies and lengths too */
    }
    if (store_upgrade_pending(st, "body text")) {
        int64_t count;
        fprintf(stderr, "mailtrove: upgrading the archive: storing the text of each email"
                " once (search snippets and corroboration read it)\n");
        status = index_fill_bodies(st, &count, err);
    }
    if (status == MT_OK && store_upgrade_pending(st, "lengths"))
        status = index_fill_lengths(st, err);
    /* the keys that thread an addition alone (thread.h): a threading of
     * the whole archive stores them */
    if (status == MT_OK && store_upgrade_pending(st, "thread keys")) {
        struct thread_counts threads;
        status = thread_rebuild(st, &threads, err);
    }
    return status;
}

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                      gpointer data)
{
    (void)domain, (void)level, (void)message, (void)data;
}

int main(int argc, char **argv)
{
    struct cli cli = {
        .body_text_fallback = index_load_body_text,
        .finish_upgrade = finish_upgrade,
        .prepare_connection = stem_register,
    };
    int i = 0;
    /* Before the helpers too: an extraction helper reads hundreds of
     * documents, and with glibc's defaults each one's freed heap went
     * back to the kernel and was faulted in again by the next
     * (docs/ingest.md, "The extraction helpers' heap"). */
    cli_tune_process();
    /* The PST/OST reader's helper process (outlook_store.h): not a
     * command for people, so not in the usage. */
    if (argc == 4 && !strcmp(argv[1], "__outlook-store")) {
        mime_init();   /* code pages are converted by mime_append_in_charset */
        return outlook_store_helper_main(argv[2], (size_t)strtoull(argv[3], NULL, 10), 1);
    }
    /* The same for the readers of risky attachments (extract.h). */
    if (argc == 2 && !strcmp(argv[1], "__extract")) {
        mime_init();
        return extract_helper_serve(0);     /* documents over a socket (extract_pool.c) */
    }
    /* libgsf warns on stderr about each damaged compound file it reads;
     * the .msg reader reports the damage itself, as a rejection. */
    g_log_set_handler("libgsf:msole", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                      quiet_log, NULL);
    g_log_set_handler("libgsf", G_LOG_LEVEL_MASK, quiet_log, NULL);
    /* Past a file size limit (ulimit -f) a write should fail with EFBIG
     * and a message, not kill us half-way through a transaction. */
    signal(SIGXFSZ, SIG_IGN);
    int code = cli_parse_global_options(argc, argv, &cli, &i);
    if (code >= 0)
        return code;
    const char *command = argv[i];
    static const struct {
        const char *name;
        int (*run)(const struct cli *, int, char **);
    } commands[] = {
        { "ingest", cmd_ingest },
        { "show", cmd_show },
        { "stats", cmd_stats },
        { "export", cmd_export },
        { "rejected", cmd_rejected },
        { "sources", cmd_sources },
        { "keys", cmd_keys },
        { "verify", cmd_verify },
        { "search", cmd_search },
        { "count", cmd_count },
        { "reindex", cmd_reindex },
        { "thread", cmd_thread },
        { "serve", cmd_serve },
        { "corroborate", cmd_corroborate },
        { "org", cmd_org },
        { "root", cmd_root },
        { "prove", cmd_prove },
        { "evidence", cmd_evidence },
        { "publish", cmd_publish },
    };
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (!strcmp(command, commands[k].name)) {
            mime_init();
            code = cli_run(&cli, commands[k].run, argc - i, argv + i);
            mime_shutdown();
            return code;
        }
    }
    return cli_usage("unknown command '%s'", command);
}
