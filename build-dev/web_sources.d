build-dev/web_sources.o: src/web_sources.c src/source_ledger.h \
 src/status.h src/store.h src/buf.h src/web_int.h
src/source_ledger.h:
src/status.h:
src/store.h:
src/buf.h:
src/web_int.h:
