build-dev/ingest.o: src/ingest.c src/ingest.h src/dkim.h src/status.h \
 src/store.h src/buf.h src/verify.h src/source_ledger.h \
 src/attachment_text.h src/mime.h src/extract/extract.h src/buf.h \
 src/status.h src/index.h src/source.h
src/ingest.h:
src/dkim.h:
src/status.h:
src/store.h:
src/buf.h:
src/verify.h:
src/source_ledger.h:
src/attachment_text.h:
src/mime.h:
src/extract/extract.h:
src/buf.h:
src/status.h:
src/index.h:
src/source.h:
