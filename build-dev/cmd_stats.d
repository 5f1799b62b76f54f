build-dev/cmd_stats.o: src/cmd_stats.c src/buf.h src/status.h src/cli.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/report.h \
 src/text.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/report.h:
src/text.h:
