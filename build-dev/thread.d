build-dev/thread.o: src/thread.c src/thread.h src/status.h src/store.h \
 src/buf.h src/text.h
src/thread.h:
src/status.h:
src/store.h:
src/buf.h:
src/text.h:
