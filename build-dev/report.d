build-dev/report.o: src/report.c src/report.h src/buf.h src/status.h \
 src/json.h src/store.h src/text.h src/query.h src/dkim.h src/mime.h \
 src/org.h
src/report.h:
src/buf.h:
src/status.h:
src/json.h:
src/store.h:
src/text.h:
src/query.h:
src/dkim.h:
src/mime.h:
src/org.h:
