/* cmd_serve.c - `mailtrove serve [--listen ADDR:PORT] [--threads N]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "web.h"

static void announce(void *context, const char *address, unsigned port)
{
    const char *archive = context;
    char host[64];
    const char *colon = strrchr(address, ':');
    snprintf(host, sizeof host, "%.*s", colon ? (int)(colon - address) : 0, address);
    /* stdout, flushed: scripts (and tests using port 0) read the address */
    printf("serving %s at http://%s:%u/\n", archive, host, port);
    fflush(stdout);
}

int cmd_serve(const struct cli *cli, int argc, char **argv)
{
    struct web_options options = { .archive_path = cli->archive_path,
                                   .on_listening = announce,
                                   .context = (void *)cli->archive_path };
    static const struct cli_option known[] = { { "listen", true }, { "threads", true } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("serve", argc, argv, known, 2, values, NULL, NULL);
    if (code >= 0)
        return code;
    options.listen = values[0];
    if (values[1] && (options.threads = atoi(values[1])) <= 0)
        return cli_usage("serve: --threads expects a positive number, not '%s'", values[1]);
    struct mt_error err = { 0 };
    mt_status status = web_serve(&options, &err);
    if (status == MT_EINVAL)
        return cli_bad_input(err.message);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    return EXIT_DONE;
}
