build-dev/source_ledger.o: src/source_ledger.c src/source_ledger.h \
 src/status.h src/store.h src/buf.h
src/source_ledger.h:
src/status.h:
src/store.h:
src/buf.h:
