build-dev/dkim.o: src/dkim.c src/dkim.h src/status.h src/buf.h \
 src/dkim_int.h
src/dkim.h:
src/status.h:
src/buf.h:
src/dkim_int.h:
