/*
 * extract_int.h - what the extraction backends share (internal to
 * src/extract/): each reads one format and fills a result.
 */
#ifndef MT_EXTRACT_INT_H
#define MT_EXTRACT_INT_H

#include "extract/extract.h"

/* Set R's outcome and reason (printf-style). */
void extract_set(struct extract_result *r, enum extract_outcome outcome,
                 const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Append LEN bytes of UTF-8 to R's text, up to the output limit (past it
 * the outcome becomes limit, the text so far kept).  False when full. */
bool extract_append(struct extract_result *r, const char *s, size_t len);

/* The backends.  Each fills R (outcome ok or empty when it read the
 * document, else why not). */
/* With OCR, pages without a text layer are read by OCR (extract_ocr.c). */
void extract_pdf(const unsigned char *d, size_t len, bool ocr, struct extract_result *r);

/* OCR (Tesseract, leptonica): an engine for one document's pages.
 * extract_ocr_new returns NULL, WHY (SIZE bytes) saying why, when
 * Tesseract or its language data is missing. */
struct extract_ocr;
struct extract_ocr *extract_ocr_new(char *why, size_t size);
void extract_ocr_free(struct extract_ocr *o);
/* The text of a W x H 8-bit grey image (STRIDE bytes a row, at PPI)
 * appended to R; false when the page's deadline passed or R is full. */
bool extract_ocr_gray(struct extract_ocr *o, const unsigned char *gray, int w, int h,
                      int stride, int ppi, struct extract_result *r);
/* An image file (PNG, JPEG, GIF, TIFF, BMP, WebP) read by OCR. */
void extract_image(const unsigned char *d, size_t len, struct extract_result *r);
void extract_rtf(const unsigned char *d, size_t len, struct extract_result *r);
/* Word, Excel and PowerPoint 97-2003 (OLE2 compound files). */
void extract_ole(const unsigned char *d, size_t len, struct extract_result *r);
/* A zip: OOXML, ODF, or a plain zip whose members are extracted in turn
 * (DEPTH: zips around this one). */
void extract_zip(const unsigned char *d, size_t len, int depth,
                 const struct extract_options *options, struct extract_result *r);
/* Text of an XML part: every text node, a line end after paragraph-like
 * elements; no DTD, no entities, no network. */
void extract_xml_text(const unsigned char *d, size_t len, struct extract_result *r);

/* Text in CHARSET (or undeclared: UTF-8, UTF-16 by BOM, else
 * windows-1252) appended as UTF-8. */
void extract_plain(const unsigned char *d, size_t len, const char *charset,
                   struct extract_result *r);
void extract_html(const unsigned char *d, size_t len, const char *charset,
                  struct extract_result *r);

/* D (LEN bytes) extracted by POOL's helper (extract_pool.c). */
void extract_in_pool(struct extract_pool *pool, const unsigned char *d, size_t len, bool ocr,
                     struct extract_result *r);

/* Dispatch on content (shared by extract_text and the zip walk). */
void extract_any(const unsigned char *d, size_t len, const char *content_type,
                 const char *filename, const char *charset, int depth,
                 const struct extract_options *options, struct extract_result *r);

#endif
