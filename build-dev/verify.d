build-dev/verify.o: src/verify.c src/verify.h src/buf.h src/status.h \
 src/dkim.h src/store.h src/keys.h
src/verify.h:
src/buf.h:
src/status.h:
src/dkim.h:
src/store.h:
src/keys.h:
