build-dev/dns.o: src/dns.c src/dns.h src/buf.h src/status.h
src/dns.h:
src/buf.h:
src/status.h:
