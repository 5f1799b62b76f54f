build-dev/reader.o: src/reader.c src/reader.h src/status.h
src/reader.h:
src/status.h:
