build-dev/mbox.o: src/mbox.c src/mbox.h src/buf.h src/status.h \
 src/reader.h
src/mbox.h:
src/buf.h:
src/status.h:
src/reader.h:
