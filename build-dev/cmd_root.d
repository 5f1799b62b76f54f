build-dev/cmd_root.o: src/cmd_root.c src/buf.h src/status.h src/cli.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/merkle.h \
 src/text.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/merkle.h:
src/text.h:
