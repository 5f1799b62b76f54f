build-dev/encoded_word.o: src/encoded_word.c src/encoded_word.h src/buf.h \
 src/status.h
src/encoded_word.h:
src/buf.h:
src/status.h:
