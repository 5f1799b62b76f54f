build-dev/cmd_thread.o: src/cmd_thread.c src/buf.h src/status.h src/cli.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/corroborate.h \
 src/thread.h src/report.h src/text.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/corroborate.h:
src/thread.h:
src/report.h:
src/text.h:
