build-dev/rank.o: src/rank.c src/rank.h src/status.h src/store.h \
 src/buf.h
src/rank.h:
src/status.h:
src/store.h:
src/buf.h:
