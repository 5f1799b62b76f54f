build-dev/cmd_ingest.o: src/cmd_ingest.c src/buf.h src/status.h src/cli.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/index.h \
 src/mime.h src/ingest.h src/dkim.h src/verify.h src/source_ledger.h \
 src/stem.h src/source.h src/corroborate.h src/thread.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/index.h:
src/mime.h:
src/ingest.h:
src/dkim.h:
src/verify.h:
src/source_ledger.h:
src/stem.h:
src/source.h:
src/corroborate.h:
src/thread.h:
