build-dev/outlook/outlook_store.o: src/outlook/outlook_store.c \
 src/outlook/outlook_store.h src/buf.h src/status.h src/status.h \
 src/fdio.h
src/outlook/outlook_store.h:
src/buf.h:
src/status.h:
src/status.h:
src/fdio.h:
