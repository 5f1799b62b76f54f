build-dev/dkim_canon.o: src/dkim_canon.c src/dkim_int.h src/buf.h \
 src/status.h src/dkim.h
src/dkim_int.h:
src/buf.h:
src/status.h:
src/dkim.h:
