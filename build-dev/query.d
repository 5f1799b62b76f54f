build-dev/query.o: src/query.c src/query.h src/buf.h src/status.h \
 src/query_field.h src/text.h
src/query.h:
src/buf.h:
src/status.h:
src/query_field.h:
src/text.h:
