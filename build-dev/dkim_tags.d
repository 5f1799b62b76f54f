build-dev/dkim_tags.o: src/dkim_tags.c src/dkim_int.h src/buf.h \
 src/status.h src/dkim.h
src/dkim_int.h:
src/buf.h:
src/status.h:
src/dkim.h:
