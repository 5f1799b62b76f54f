build-dev/web.o: src/web.c src/web.h src/status.h src/web_int.h src/buf.h \
 src/store.h src/extract/extract.h src/buf.h src/status.h src/html.h \
 src/index.h src/mime.h src/json.h src/merkle.h src/org.h src/query.h \
 src/report.h src/text.h src/search.h src/stem.h
src/web.h:
src/status.h:
src/web_int.h:
src/buf.h:
src/store.h:
src/extract/extract.h:
src/buf.h:
src/status.h:
src/html.h:
src/index.h:
src/mime.h:
src/json.h:
src/merkle.h:
src/org.h:
src/query.h:
src/report.h:
src/text.h:
src/search.h:
src/stem.h:
