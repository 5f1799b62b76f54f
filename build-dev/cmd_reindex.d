build-dev/cmd_reindex.o: src/cmd_reindex.c src/cli.h src/buf.h \
 src/status.h src/search.h src/json.h src/store.h src/cli_options.h \
 src/index.h src/mime.h src/stem.h
src/cli.h:
src/buf.h:
src/status.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/index.h:
src/mime.h:
src/stem.h:
