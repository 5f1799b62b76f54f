build-dev/attachment_text.o: src/attachment_text.c src/attachment_text.h \
 src/mime.h src/buf.h src/status.h src/extract/extract.h src/buf.h \
 src/status.h src/outlook/outlook.h src/outlook/outlook_msg.h \
 src/outlook/outlook.h
src/attachment_text.h:
src/mime.h:
src/buf.h:
src/status.h:
src/extract/extract.h:
src/buf.h:
src/status.h:
src/outlook/outlook.h:
src/outlook/outlook_msg.h:
src/outlook/outlook.h:
