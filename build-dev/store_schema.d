build-dev/store_schema.o: src/store_schema.c src/store_schema.h \
 src/status.h src/recorded_path.h src/store.h src/buf.h
src/store_schema.h:
src/status.h:
src/recorded_path.h:
src/store.h:
src/buf.h:
