build-dev/outlook/outlook_mime.o: src/outlook/outlook_mime.c \
 src/outlook/outlook.h src/buf.h src/status.h src/status.h
src/outlook/outlook.h:
src/buf.h:
src/status.h:
src/status.h:
