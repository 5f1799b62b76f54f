build-dev/cli_options.o: src/cli_options.c src/cli_options.h src/cli.h \
 src/buf.h src/status.h src/search.h src/json.h src/store.h
src/cli_options.h:
src/cli.h:
src/buf.h:
src/status.h:
src/search.h:
src/json.h:
src/store.h:
