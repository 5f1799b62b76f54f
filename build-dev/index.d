build-dev/index.o: src/index.c src/index.h src/mime.h src/buf.h \
 src/status.h src/store.h src/attachment_text.h src/extract/extract.h \
 src/buf.h src/status.h src/rank.h src/stem.h
src/index.h:
src/mime.h:
src/buf.h:
src/status.h:
src/store.h:
src/attachment_text.h:
src/extract/extract.h:
src/buf.h:
src/status.h:
src/rank.h:
src/stem.h:
