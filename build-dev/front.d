build-dev/front.o: src/front.c src/cli.h src/buf.h src/status.h \
 src/search.h src/json.h src/store.h
src/cli.h:
src/buf.h:
src/status.h:
src/search.h:
src/json.h:
src/store.h:
