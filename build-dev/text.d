build-dev/text.o: src/text.c src/text.h src/buf.h src/status.h
src/text.h:
src/buf.h:
src/status.h:
