build-dev/recorded_path.o: src/recorded_path.c src/recorded_path.h \
 src/status.h
src/recorded_path.h:
src/status.h:
