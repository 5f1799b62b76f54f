build-dev/query_field.o: src/query_field.c src/query_field.h src/query.h \
 src/buf.h src/status.h
src/query_field.h:
src/query.h:
src/buf.h:
src/status.h:
