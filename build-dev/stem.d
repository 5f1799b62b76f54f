build-dev/stem.o: src/stem.c src/stem.h src/status.h src/store.h \
 src/buf.h src/text.h
src/stem.h:
src/status.h:
src/store.h:
src/buf.h:
src/text.h:
