build-dev/org.o: src/org.c src/org.h src/status.h src/query.h src/buf.h \
 src/store.h src/dkim.h
src/org.h:
src/status.h:
src/query.h:
src/buf.h:
src/store.h:
src/dkim.h:
