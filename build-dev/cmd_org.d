build-dev/cmd_org.o: src/cmd_org.c src/buf.h src/status.h src/cli.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/org.h \
 src/query.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/org.h:
src/query.h:
