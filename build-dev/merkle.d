build-dev/merkle.o: src/merkle.c src/merkle.h src/status.h
src/merkle.h:
src/status.h:
