/*
 * encoded_word.h - a repair of the header block handed to GMime, for
 * RFC 2047 encoded words in base64 ("B") that end in padding.
 *
 * GMime 3.2 joins the payloads of adjacent encoded words of one charset
 * before decoding them (a kindness to mailers that split a character
 * across words), and its base64 decoder stops at the first word's '='
 * padding: "=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=" reads as "é", not "éé".
 * Python's email package and many mailers write such pairs, so subjects
 * and names lost words.  Rewriting each padded B word as the same bytes
 * in Q encoding (which has no padding) gives GMime something it joins
 * correctly.  Only the copy GMime parses changes: the stored bytes, and
 * DKIM's view of them, are untouched.  Pure; reentrant.
 */
#ifndef MT_ENCODED_WORD_H
#define MT_ENCODED_WORD_H

#include <stddef.h>

/* When the header block of RAW (LEN bytes; it ends at the first empty
 * line) holds a B-encoded word ending in padding, a malloc'd copy of RAW
 * with every B-encoded word of that block rewritten in Q encoding, its
 * length in *OUT_LEN; else NULL (nothing to repair, or ENOMEM: the caller
 * then parses RAW as it is). */
unsigned char *encoded_word_requote(const unsigned char *raw, size_t len, size_t *out_len);

#endif
