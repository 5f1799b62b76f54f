build-dev/cmd_sources.o: src/cmd_sources.c src/buf.h src/status.h \
 src/cli.h src/search.h src/json.h src/store.h src/cli_options.h \
 src/source_ledger.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/source_ledger.h:
