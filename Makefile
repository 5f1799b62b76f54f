# mailtrove - one plain Makefile.  `make` builds ./mailtrove (the light
# program: search and count), ./mailtrove-verify (verify) and
# ./mailtrove-full (everything; the light one hands other commands to
# them); `make check` builds and runs every test twice, plainly and under
# ASan+UBSan.
PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec/mailtrove
PKGS    = gmime-3.0 sqlite3 libcrypto libarchive libzstd libxml-2.0 libmicrohttpd libpst libgsf-1 poppler-glib uchardet gmp \
          cairo tesseract lept
LIGHT_PKGS = sqlite3 libzstd
VERIFY_PKGS = sqlite3 libzstd libcrypto
CC     ?= cc
OPT    ?= -O2 -g
WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
# CFLAGS/LDFLAGS given on the command line are added, never replace these.
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -Isrc -DMAILTROVE_LIBEXECDIR='"$(LIBEXECDIR)"' \
              $(OPT) $(WARN) $(SAN) $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
# libstemmer (Snowball) has no pkg-config file in Debian.
LIBS        = $(shell pkg-config --libs $(PKGS)) -lstemmer -lresolv -lpthread -lm $(LDLIBS)
LIGHT_LIBS  = $(shell pkg-config --libs $(LIGHT_PKGS)) -lm $(LDLIBS)
LIGHT_STATIC_LIBS = $(shell pkg-config --static --libs $(LIGHT_PKGS)) -lm $(LDLIBS)
VERIFY_LIBS = $(shell pkg-config --libs $(VERIFY_PKGS)) -lresolv -lpthread -lm $(LDLIBS)
VERIFY_STATIC_LIBS = $(shell pkg-config --static --libs $(VERIFY_PKGS)) -lresolv -lpthread \
                     -lm $(LDLIBS)
BUILD  ?= build

# src/outlook/: the Outlook backends (PST/OST through libpst, .msg through
# libgsf) and the MIME writer they share.
# src/extract/: attachment text, one backend a format family.
# src/cli/: the command-line layer (the three programs' entry points,
# option parsing, one cmd_*.c per command); everything else is the library.
SRC      = $(wildcard src/*.c src/outlook/*.c src/extract/*.c src/cli/*.c)
FULL_SRC = $(filter-out src/cli/mailtrove.c src/cli/mailtrove_verify.c,$(SRC))
LIB_SRC  = $(filter-out src/cli/%.c,$(SRC))
CLI      = src/cli/cli.c src/cli/cli_options.c
# The light program: only modules that need nothing beyond SQLite and zstd.
LIGHT_SRC = src/cli/mailtrove.c $(CLI) src/cli/cmd_search.c src/search.c src/search_range.c src/query.c \
            src/query_field.c src/rank.c \
            src/store.c src/store_schema.c src/store_text.c src/store_facets.c src/recorded_path.c \
            src/fts_tokens.c \
            src/text.c src/json.c \
            src/buf.c src/status.c
# verify, root and prove: DKIM, keys, corroboration, the Merkle root and the
# store; SQLite, zstd, OpenSSL.
VERIFY_SRC = src/cli/mailtrove_verify.c $(CLI) src/cli/cmd_verify.c src/verify.c src/verify_keys.c \
             src/dkim.c \
             src/cli/cmd_root.c src/merkle.c \
             src/dkim_tags.c src/dkim_canon.c \
             src/keys.c src/dns.c src/corroborate.c src/corroborate_table.c \
             src/store.c src/store_schema.c src/store_text.c \
             src/fts_tokens.c \
             src/store_facets.c \
             src/recorded_path.c \
             src/text.c src/json.c \
             src/buf.c src/status.c
OBJ      = $(FULL_SRC:src/%.c=$(BUILD)/%.o)
LIGHT_OBJ = $(LIGHT_SRC:src/%.c=$(BUILD)/%.o)
VERIFY_OBJ = $(VERIFY_SRC:src/%.c=$(BUILD)/%.o)
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: mailtrove mailtrove-verify mailtrove-full

mailtrove mailtrove-verify mailtrove-full: %: $(BUILD)/%
	cp $< $@.tmp && mv -f $@.tmp $@

# Building one program builds all three: the light one is useless alone.
# The light one is linked statically (Debian's libsqlite3.a, libzstd.a,
# libc.a) when it can be: loading and relocating shared libraries cost a
# search about 2 ms of its 8-10 (docs/search.md).  The linker's warning that
# SQLite's dlopen needs the same glibc at run time is not shown: mailtrove
# never loads SQLite extensions.  Sanitized builds (ASan cannot be static),
# LIGHT_STATIC=no, or a failed static link (shown) link it dynamically.
LIGHT_STATIC ?= $(if $(SAN),no,yes)
# static_or_dynamic OBJECTS STATIC_LIBS DYNAMIC_LIBS: link $@ statically
# when it can be, else dynamically (saying why when the static link failed).
static_or_dynamic = \
	if [ "$(LIGHT_STATIC)" = yes ] && $(CC) $(ALL_LDFLAGS) -static-pie -o $@ $(1) \
	        $(2) 2>$@.log; then \
	    echo "linked $@ statically"; \
	else \
	    [ "$(LIGHT_STATIC)" != yes ] || { sed 's/^/  /' $@.log; \
	        echo "static link failed (above): linking $@ dynamically"; }; \
	    echo "$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $(1) $(3)"; \
	    $(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $(1) $(3); \
	fi; status=$$?; rm -f $@.log; exit $$status

$(BUILD)/mailtrove: $(LIGHT_OBJ) $(BUILD)/mailtrove-verify $(BUILD)/mailtrove-full
	@$(call static_or_dynamic,$(LIGHT_OBJ),$(LIGHT_STATIC_LIBS),$(LIGHT_LIBS))

# The same for mailtrove-verify, with Debian's libcrypto.a: a verify rerun
# should not pay mailtrove-full's ~20 ms of loading libraries.  OpenSSL's
# warnings about dlopen and getaddrinfo in a static program are not shown:
# it loads no engines or modules and resolves no host names here.
$(BUILD)/mailtrove-verify: $(VERIFY_OBJ)
	@$(call static_or_dynamic,$(VERIFY_OBJ),$(VERIFY_STATIC_LIBS),$(VERIFY_LIBS))

$(BUILD)/mailtrove-full: $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Each unit test links only the modules it tests and what they call, not
# the whole library: the linker then checks the modules' boundaries (a new
# call across one must be named here).
UNIT_MODULES_test_corroborate = buf fts_tokens corroborate corroborate_table recorded_path status store store_facets store_schema store_text text
UNIT_MODULES_test_dkim = buf dkim_canon dkim_tags
UNIT_MODULES_test_extract_ole = buf encoded_word extract/extract extract/extract_ocr \
    extract/extract_ole extract/extract_pdf extract/extract_pool extract/extract_rtf \
    extract/extract_zip fdio mime mime_trim text
UNIT_MODULES_test_extract_pool = buf encoded_word extract/extract extract/extract_ocr \
    extract/extract_ole extract/extract_pdf extract/extract_pool extract/extract_rtf \
    extract/extract_zip fdio mime mime_trim text
UNIT_MODULES_test_fts_tokens = buf fts_tokens status
UNIT_MODULES_test_html = buf encoded_word html mime mime_trim text
UNIT_MODULES_test_key_recover = buf dkim dkim_canon dkim_tags key_recover
# the ingest pipeline calls every stage of it: the whole library
UNIT_MODULES_test_ingest = $(patsubst src/%.c,%,$(LIB_SRC))
UNIT_MODULES_test_keys = buf keys
UNIT_MODULES_test_mbox = buf mbox reader status
UNIT_MODULES_test_mime = buf encoded_word mime mime_trim text
UNIT_MODULES_test_mime_trim = buf encoded_word mime mime_trim text
UNIT_MODULES_test_outlook = buf encoded_word fdio mime mime_trim outlook/outlook outlook/outlook_mime \
    outlook/outlook_store status text
UNIT_MODULES_test_query = buf fts_tokens json query query_field rank recorded_path search search_range status \
    store store_facets \
    store_schema store_text text
UNIT_MODULES_test_rank = buf fts_tokens rank recorded_path status store store_facets store_schema store_text text
UNIT_MODULES_test_received = buf received
UNIT_MODULES_test_recorded_path = recorded_path
UNIT_MODULES_test_source = buf encoded_word fdio mbox mime mime_trim outlook/outlook outlook/outlook_mime \
    outlook/outlook_msg outlook/outlook_store reader source source_outlook status text
UNIT_MODULES_test_store = buf fts_tokens recorded_path source_ledger status store store_facets store_schema store_text text
UNIT_MODULES_test_text = buf json text
UNIT_MODULES_test_thread = buf fts_tokens recorded_path status store store_facets store_schema store_text text thread
.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $$(addprefix $(BUILD)/,$$(addsuffix .o,$$(UNIT_MODULES_$$*))) \
                  | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -o $@ $< $(filter %.o,$^) $(ALL_LDFLAGS) $(LIBS)

# bench/verify_loop: the verifier alone, timed as the references are
# (bench/verify runs it).
$(BUILD)/bench/%: bench/%.c $(LIB_OBJ) | $(BUILD)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -o $@ $< $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)

$(BUILD):
	mkdir -p $@

unit: $(UNIT_BIN)

deps:
	scripts/install-deps

# Every test, plain and then under sanitizers (separate build dirs, so the
# shipped ./mailtrove stays the optimized one).
check: deps
	$(MAKE) all unit build/bench/verify_loop
	tests/run --build build --label plain
	$(MAKE) BUILD=build-san SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' \
	    OPT='-O1 -g -fno-omit-frame-pointer' build-san/mailtrove unit build-san/bench/verify_loop
	tests/run --build build-san --label sanitized

demo: deps all
	SERVE=$(SERVE) scripts/demo

bench: all
	scripts/install-deps --bench
	bench/ingest
	bench/verify
	bench/search
	bench/web
	bench/corroborate

fuzz:
	$(MAKE) -C fuzz run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 mailtrove $(DESTDIR)$(PREFIX)/bin/mailtrove
	install -m 755 mailtrove-verify $(DESTDIR)$(LIBEXECDIR)/mailtrove-verify
	install -m 755 mailtrove-full $(DESTDIR)$(LIBEXECDIR)/mailtrove-full
	install -m 644 docs/mailtrove.1 $(DESTDIR)$(PREFIX)/share/man/man1/mailtrove.1

clean:
	rm -rf build build-san mailtrove mailtrove-verify mailtrove-full

-include $(OBJ:.o=.d) $(BUILD)/front.d $(BUILD)/verify_program.d
.PHONY: all unit deps check demo bench fuzz install clean
