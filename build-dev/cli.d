build-dev/cli.o: src/cli.c src/cli.h src/buf.h src/status.h src/search.h \
 src/json.h src/store.h src/cli_options.h src/text.h
src/cli.h:
src/buf.h:
src/status.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/text.h:
