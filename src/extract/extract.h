/*
 * extract.h - the text of an attachment, for search: PDF (poppler),
 * Word, Excel and PowerPoint 97-2003 (libgsf and our record walks),
 * DOCX/XLSX/PPTX and ODT/ODS/ODP (libarchive + libxml2), RTF (our own
 * reader), HTML, plain text in its charset, and the documents inside a
 * zip attachment.  What a file is is decided by its bytes first; the
 * declared type and the file name only break ties.
 *
 * Every extraction is bounded (docs/limits.md): output bytes, zip
 * members, nesting, decompression ratio; PDF, Office XML and legacy Office, whose
 * libraries are large and meet hostile files, run in a helper process
 * (the same program as `__extract`, fork + exec, CPU time and memory
 * limited) when the caller names a helper: a crash or a hang there is
 * the outcome `failed` or `limit` with a reason, never the caller's end.
 *
 * Reentrant: no state outside the call.  The result's text is owned by
 * the result (extract_result_free).
 */
#ifndef MT_EXTRACT_H
#define MT_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "status.h"

enum extract_outcome {
    EXTRACT_OK,          /* text found */
    EXTRACT_EMPTY,       /* a document we read, with no text (a scan) */
    EXTRACT_ENCRYPTED,   /* needs a password we do not have */
    EXTRACT_UNSUPPORTED, /* a format we do not read (images, Word 95) */
    EXTRACT_FAILED,      /* damaged, or the reader failed */
    EXTRACT_LIMIT,       /* over a limit (time, memory, size, ratio, depth) */
};

/* Defaults; docs/limits.md says why. */
#define EXTRACT_MAX_TEXT_BYTES ((size_t)1 << 20)   /* per attachment */
#define EXTRACT_MAX_INPUT_BYTES ((size_t)64 << 20) /* documents larger are not read */
#define EXTRACT_MAX_ZIP_MEMBERS 1000
#define EXTRACT_MAX_UNZIPPED ((size_t)256 << 20)   /* in all, per attachment */
#define EXTRACT_MAX_RATIO 100                      /* unzipped / zipped, past 1 MiB */
#define EXTRACT_MAX_DEPTH 3                        /* zips in zips */
#define EXTRACT_HELPER_SECONDS 20                  /* CPU time in the helper */
#define EXTRACT_HELPER_MEMORY ((size_t)1 << 30)    /* address space in the helper */
/* OCR (opt-in, extract_options.ocr): pages of scans and images, one at a
 * time, each with its own deadline; the helper's CPU time grows to fit. */
#define EXTRACT_OCR_PAGE_SECONDS 30                /* Tesseract's deadline per page */
#define EXTRACT_OCR_MAX_PAGES 50                   /* pages of one PDF read by OCR */
#define EXTRACT_OCR_DPI 200                        /* pages rendered at */
#define EXTRACT_OCR_MAX_PIXELS ((size_t)40 << 20)  /* a page or an image, larger refused */
#define EXTRACT_OCR_HELPER_SECONDS 600             /* CPU time in a helper that OCRs */
#define EXTRACT_OCR_LANGUAGES "eng+fra"            /* Debian tesseract-ocr-eng, -fra */

struct extract_result {
    enum extract_outcome outcome;
    char reason[256];    /* "" for ok; else why, in words */
    struct buf text;     /* UTF-8, at most EXTRACT_MAX_TEXT_BYTES */
};

/* This program, run as a helper: mailtrove-full answers `__extract` and
 * `__outlook-store` (cli/mailtrove_full.c); so does any program that calls the helper
 * mains.  Linux's name for the running executable. */
#define EXTRACT_SELF "/proc/self/exe"

struct extract_options {
    /* The program to run PDF, Office XML and legacy Office extraction in (it takes
     * `__extract`); NULL: in this process (tests, fuzzing, the helper). */
    const char *helper;
    /* Read images, and PDF pages without a text layer, by OCR (Tesseract):
     * opt-in (`ingest --ocr`), slow, and run in the helper too. */
    bool ocr;
    /* A long-lived helper to use instead of one process per document
     * (extract_pool_new); NULL: a helper for each document.  One thread's. */
    struct extract_pool *pool;
};

/*
 * A long-lived helper (extract_pool.c): HELPER run as `__extract`,
 * started at the first document, kept for the next ones, and
 * replaced after a crash, a timeout or 500 documents, each document
 * limited as a helper of its own is.  For a thread that extracts many
 * documents (an ingest worker); belongs to that thread.  NULL on ENOMEM.
 */
struct extract_pool;
struct extract_pool *extract_pool_new(const char *helper);
/* Ends the helper (closing its socket) and frees; NULL is a no-op. */
void extract_pool_free(struct extract_pool *pool);
/* The helper's side of a pool, on the socket FD: documents until the
 * socket closes.  Returns the exit code.  `__extract`. */
int extract_helper_serve(int fd);

/* "ok", "empty", "encrypted", "unsupported", "failed", "limit". */
const char *extract_outcome_name(enum extract_outcome outcome);

/*
 * Extract the text of DATA (LEN bytes) into OUT (initialised here).
 * CONTENT_TYPE ("application/pdf", lower case) and FILENAME may be NULL.
 * CHARSET is the declared charset of a text part, or NULL.  Always fills
 * OUT; returns MT_ENOMEM only when memory ran out.
 */
mt_status extract_text(const unsigned char *data, size_t len, const char *content_type,
                       const char *filename, const char *charset,
                       const struct extract_options *options, struct extract_result *out);

void extract_result_free(struct extract_result *r);


#endif
