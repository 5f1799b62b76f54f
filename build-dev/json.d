build-dev/json.o: src/json.c src/json.h src/buf.h src/status.h src/text.h
src/json.h:
src/buf.h:
src/status.h:
src/text.h:
