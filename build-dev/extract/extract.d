build-dev/extract/extract.o: src/extract/extract.c \
 src/extract/extract_int.h src/extract/extract.h src/buf.h src/status.h \
 src/status.h src/fdio.h src/mime.h src/buf.h src/text.h
src/extract/extract_int.h:
src/extract/extract.h:
src/buf.h:
src/status.h:
src/status.h:
src/fdio.h:
src/mime.h:
src/buf.h:
src/text.h:
