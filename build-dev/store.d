build-dev/store.o: src/store.c src/store.h src/buf.h src/status.h \
 src/store_schema.h src/text.h
src/store.h:
src/buf.h:
src/status.h:
src/store_schema.h:
src/text.h:
