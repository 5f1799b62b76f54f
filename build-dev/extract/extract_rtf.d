build-dev/extract/extract_rtf.o: src/extract/extract_rtf.c \
 src/extract/extract_int.h src/extract/extract.h src/buf.h src/status.h \
 src/status.h src/text.h src/buf.h
src/extract/extract_int.h:
src/extract/extract.h:
src/buf.h:
src/status.h:
src/status.h:
src/text.h:
src/buf.h:
