build-dev/cmd_keys.o: src/cmd_keys.c src/buf.h src/status.h src/cli.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/verify.h \
 src/dkim.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/verify.h:
src/dkim.h:
