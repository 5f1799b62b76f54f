build-dev/keys.o: src/keys.c src/keys.h src/buf.h src/status.h
src/keys.h:
src/buf.h:
src/status.h:
