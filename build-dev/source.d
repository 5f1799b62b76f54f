build-dev/source.o: src/source.c src/source.h src/buf.h src/status.h \
 src/mbox.h src/reader.h src/source_int.h src/outlook/outlook_store.h \
 src/buf.h src/status.h
src/source.h:
src/buf.h:
src/status.h:
src/mbox.h:
src/reader.h:
src/source_int.h:
src/outlook/outlook_store.h:
src/buf.h:
src/status.h:
