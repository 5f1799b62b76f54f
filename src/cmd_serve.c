/* cmd_serve.c - `mailtrove serve [--listen ADDR:PORT] [--threads N]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--listen") && i + 1 < argc)
            options.listen = argv[++i];
        else if (!strncmp(argv[i], "--listen=", 9))
            options.listen = argv[i] + 9;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc && atoi(argv[i + 1]) > 0)
            options.threads = atoi(argv[++i]);
        else
            return cli_usage("serve: unknown argument '%s'", argv[i]);
    }
    struct mt_error err = { 0 };
    mt_status status = web_serve(&options, &err);
    if (status == MT_EINVAL)
        return cli_bad_input(err.message);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    return EXIT_DONE;
}
