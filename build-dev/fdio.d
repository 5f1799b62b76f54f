build-dev/fdio.o: src/fdio.c src/fdio.h
src/fdio.h:
