build-dev/web_pages.o: src/web_pages.c src/web_int.h src/buf.h \
 src/status.h src/store.h src/html.h src/index.h src/mime.h src/json.h \
 src/merkle.h src/org.h src/query.h src/report.h src/text.h src/search.h
src/web_int.h:
src/buf.h:
src/status.h:
src/store.h:
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
