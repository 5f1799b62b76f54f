/*
 * text.h - UTF-8 checks and the charset fallbacks used for mail text,
 * and the plain-text forms of dates and addresses.
 * Pure functions over caller-owned bytes; reentrant.
 */
#ifndef MT_TEXT_H
#define MT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* True when the LEN bytes at S are well-formed UTF-8 (no overlongs,
 * no surrogates, nothing above U+10FFFF). */
bool text_is_utf8(const char *s, size_t len);

/*
 * Length of the valid UTF-8 sequence at S (at most LEN bytes), or 0 when
 * the bytes there do not start one.
 */
size_t text_utf8_sequence_length(const unsigned char *s, size_t len);

/*
 * Append S to OUT as UTF-8: valid UTF-8 is copied, anything else is read
 * as windows-1252 (the usual truth behind undeclared 8-bit mail).  NUL
 * bytes become U+FFFD so the result is a usable C string.
 */
mt_status text_append_utf8_or_cp1252(struct buf *out, const char *s,
                                     size_t len);

/*
 * Append S to OUT made safe for a terminal: control characters other
 * than newline and tab (C0, DEL, C1), bidirectional overrides and bytes
 * that are not UTF-8 become visible escapes ("\x1b", "\u202e"), so a
 * hostile name cannot move the cursor, recolour or reorder the screen.
 */
mt_status text_escape_controls(const char *s, size_t len, struct buf *out);

/* Append S to OUT decoding every byte as windows-1252. */
mt_status text_append_cp1252(struct buf *out, const char *s, size_t len);

/* Append code point CP encoded as UTF-8. */
mt_status text_append_codepoint(struct buf *out, unsigned cp);
/* CP encoded as UTF-8 into OUT; returns its length (1 to 4). */
size_t text_encode_codepoint(unsigned cp, char out[4]);
/* Byte C read as windows-1252 (NUL: U+FFFD; its five undefined bytes:
 * the C1 controls of the same value). */
unsigned text_cp1252_codepoint(unsigned char c);

/*
 * Append the LEN bytes of UTF-8 at S to OUT folded for matching the way
 * the full-text index does (unicode61, remove_diacritics 2): lower case,
 * Latin letters without their accents ("Élysée" -> "elysee").  Folds
 * ASCII, U+00C0..U+017F, Greek (capitals and tonos) and Cyrillic
 * capitals; other letters are copied as they are.
 */
mt_status text_fold(const char *s, size_t len, struct buf *out);

/* Whether S (LEN bytes of UTF-8), folded as text_fold folds, contains
 * NEEDLE (NEEDLE_LEN bytes, already folded).  No allocation for ASCII S. */
bool text_contains_folded(const char *s, size_t len, const char *needle, size_t needle_len);

/*
 * Find the next word of S (LEN bytes of UTF-8) at or after *POSITION: a
 * run of letters and digits (every non-ASCII character except common
 * punctuation and spaces counts as a letter).  Returns false when there
 * is none; else *START and *POSITION (its end) are set.
 */
bool text_next_word(const char *s, size_t len, size_t *position,
                    size_t *start);

/* YYYY, YYYY-MM or YYYY-MM-DD ('/' for '-' too; N bytes at S, UTC) as
 * the seconds [*FROM, *TO) it spans; false when it is none of them. */
bool text_parse_date(const char *s, size_t n, int64_t *from, int64_t *to);

/* "2017-04-24T18:03:11Z" into OUT (at least 32 bytes). */
void text_format_date(int64_t seconds, char *out, size_t size);

/* Append "Name <addr>", "addr" or "Name" to OUT. */
/* The N bytes at BYTES as lower-case hex into OUT (2 * N + 1 bytes). */
void text_hex(const unsigned char *bytes, size_t n, char *out);

/* The zone of a Date header ("Mon, 24 Apr 2017 18:03:11 +0200"): its
 * last numeric offset or RFC 5322 zone name, in minutes east of UTC, into
 * *OFFSET_MINUTES.  False when it names none (or only a comment). */
bool text_date_zone(const char *date_header, int *offset_minutes);

/* SECONDS (UTC) as the sender's clock read it: "2017-04-24 18:03:11 +0200". */
void text_format_local_date(int64_t seconds, int offset_minutes, char *out, size_t size);

mt_status text_format_address(struct buf *out, const char *name,
                              const char *address);

#endif
