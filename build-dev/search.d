build-dev/search.o: src/search.c src/search.h src/buf.h src/status.h \
 src/json.h src/store.h src/query.h src/rank.h src/text.h
src/search.h:
src/buf.h:
src/status.h:
src/json.h:
src/store.h:
src/query.h:
src/rank.h:
src/text.h:
