build-dev/outlook/outlook.o: src/outlook/outlook.c src/outlook/outlook.h \
 src/buf.h src/status.h src/status.h src/text.h src/buf.h
src/outlook/outlook.h:
src/buf.h:
src/status.h:
src/status.h:
src/text.h:
src/buf.h:
