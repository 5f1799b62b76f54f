build-dev/buf.o: src/buf.c src/buf.h src/status.h
src/buf.h:
src/status.h:
