build-dev/source_outlook.o: src/source_outlook.c src/fdio.h \
 src/outlook/outlook.h src/buf.h src/status.h src/status.h \
 src/outlook/outlook_msg.h src/outlook/outlook.h \
 src/outlook/outlook_store.h src/source_int.h src/reader.h src/source.h \
 src/buf.h
src/fdio.h:
src/outlook/outlook.h:
src/buf.h:
src/status.h:
src/status.h:
src/outlook/outlook_msg.h:
src/outlook/outlook.h:
src/outlook/outlook_store.h:
src/source_int.h:
src/reader.h:
src/source.h:
src/buf.h:
