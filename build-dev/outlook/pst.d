build-dev/outlook/pst.o: src/outlook/pst.c src/outlook/outlook_store.h \
 src/buf.h src/status.h src/status.h \
 /usr/include/libpst-4/libpst/libpst.h \
 /usr/include/libpst-4/libpst/common.h \
 /usr/include/libpst-4/libpst/timeconv.h src/fdio.h src/outlook/outlook.h
src/outlook/outlook_store.h:
src/buf.h:
src/status.h:
src/status.h:
/usr/include/libpst-4/libpst/libpst.h:
/usr/include/libpst-4/libpst/common.h:
/usr/include/libpst-4/libpst/timeconv.h:
src/fdio.h:
src/outlook/outlook.h:
