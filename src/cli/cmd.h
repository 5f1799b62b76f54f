/*
 * cmd.h - the commands, one cmd_NAME per command of the contract, each in
 * cmd_NAME.c (a family of them sharing a file names it: cmd_export.c has
 * export, cmd_export_opensearch.c its OpenSearch format).  Each takes the
 * options before the command (struct cli) and its own arguments, prints
 * its result and errors, and returns the process's exit status
 * (cli.h's EXIT_*).  Commands call the library; they never touch the
 * database (store_int.h is not theirs; `make check` greps).
 */
#ifndef MT_CMD_H
#define MT_CMD_H

#include <stdbool.h>

#include "cli.h"

int cmd_ingest(const struct cli *cli, int argc, char **argv);
int cmd_show(const struct cli *cli, int argc, char **argv);
int cmd_stats(const struct cli *cli, int argc, char **argv);
int cmd_export(const struct cli *cli, int argc, char **argv);
int cmd_rejected(const struct cli *cli, int argc, char **argv);
int cmd_sources(const struct cli *cli, int argc, char **argv);
int cmd_org(const struct cli *cli, int argc, char **argv);
int cmd_root(const struct cli *cli, int argc, char **argv);
int cmd_evidence(const struct cli *cli, int argc, char **argv);
int cmd_publish(const struct cli *cli, int argc, char **argv);
/* export --format opensearch DIR (cmd_export_opensearch.c). */
int cli_export_opensearch(const struct cli *cli, const char *dir);
int cmd_prove(const struct cli *cli, int argc, char **argv);
int cmd_keys(const struct cli *cli, int argc, char **argv);
int cmd_verify(const struct cli *cli, int argc, char **argv);
int cmd_search(const struct cli *cli, int argc, char **argv);
int cmd_count(const struct cli *cli, int argc, char **argv);
int cmd_reindex(const struct cli *cli, int argc, char **argv);
int cmd_thread(const struct cli *cli, int argc, char **argv);
int cmd_serve(const struct cli *cli, int argc, char **argv);
int cmd_corroborate(const struct cli *cli, int argc, char **argv);
/* Verify the whole archive with WORKERS threads (0: one per core); print
 * the counts unless QUIET.  EXIT_HAND_OVER, having done nothing, when CLI
 * has no finish_upgrade and the archive's upgrade is pending. */
int cli_verify_and_report(const struct cli *cli, bool json, bool quiet,
                          int workers);


#endif
