build-dev/cmd_serve.o: src/cmd_serve.c src/cli.h src/buf.h src/status.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/web.h
src/cli.h:
src/buf.h:
src/status.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/web.h:
