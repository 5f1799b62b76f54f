build-dev/cmd_verify.o: src/cmd_verify.c src/buf.h src/status.h src/cli.h \
 src/search.h src/json.h src/store.h src/cli_options.h src/corroborate.h \
 src/dns.h src/text.h src/verify.h src/dkim.h
src/buf.h:
src/status.h:
src/cli.h:
src/search.h:
src/json.h:
src/store.h:
src/cli_options.h:
src/corroborate.h:
src/dns.h:
src/text.h:
src/verify.h:
src/dkim.h:
