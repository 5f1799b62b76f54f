build-dev/corroborate.o: src/corroborate.c src/corroborate.h src/buf.h \
 src/status.h src/store.h
src/corroborate.h:
src/buf.h:
src/status.h:
src/store.h:
