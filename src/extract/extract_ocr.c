/*
 * extract_ocr.c - text from pictures of text (opt-in: `--ocr`): images
 * attached as files, and PDF pages without a text layer (extract_pdf.c
 * renders them), read by Debian's Tesseract with its English and French
 * data, one page at a time, each with its own deadline.  Leptonica, the
 * image library Tesseract is built on, decodes image files.  Runs in the
 * extraction helper like the other risky readers (extract.h).
 */
#include "extract/extract_int.h"

#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* capi.h declares some functions with () for (void) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <tesseract/capi.h>
#pragma GCC diagnostic pop

struct extract_ocr {
    TessBaseAPI *api;
};

struct extract_ocr *extract_ocr_new(char *why, size_t size)
{
    struct extract_ocr *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(why, size, "out of memory");
        return NULL;
    }
    setMsgSeverity(L_SEVERITY_NONE);    /* leptonica's complaints are ours to report */
    o->api = TessBaseAPICreate();
    /* NULL: Debian's tessdata directory, where tesseract-ocr-eng/-fra put
     * their models */
    if (!o->api || TessBaseAPIInit3(o->api, NULL, EXTRACT_OCR_LANGUAGES) != 0) {
        snprintf(why, size, "OCR needs Tesseract's English and French data (Debian "
                            "tesseract-ocr-eng, tesseract-ocr-fra)");
        extract_ocr_free(o);
        return NULL;
    }
    /* no debug files, no messages on stderr */
    TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
    return o;
}

void extract_ocr_free(struct extract_ocr *o)
{
    if (!o)
        return;
    if (o->api) {
        TessBaseAPIEnd(o->api);
        TessBaseAPIDelete(o->api);
    }
    free(o);
}

/* Recognize PIX (8-bit grey or 32-bit colour) and append its text. */
static bool ocr_pix(struct extract_ocr *o, PIX *pix, int ppi, struct extract_result *r)
{
    TessBaseAPISetImage2(o->api, pix);
    TessBaseAPISetSourceResolution(o->api, ppi);
    ETEXT_DESC *monitor = TessMonitorCreate();
    if (!monitor)
        return false;
    TessMonitorSetDeadlineMSecs(monitor, EXTRACT_OCR_PAGE_SECONDS * 1000);
    bool done = TessBaseAPIRecognize(o->api, monitor) == 0;
    TessMonitorDelete(monitor);
    if (!done) {
        TessBaseAPIClear(o->api);
        return false;           /* the deadline passed (or Tesseract gave up) */
    }
    char *text = TessBaseAPIGetUTF8Text(o->api);
    bool room = true;
    if (text) {
        room = extract_append(r, text, strlen(text)) && extract_append(r, "\n", 1);
        TessDeleteText(text);
    }
    TessBaseAPIClear(o->api);
    return room;
}

bool extract_ocr_gray(struct extract_ocr *o, const unsigned char *gray, int w, int h,
                      int stride, int ppi, struct extract_result *r)
{
    PIX *pix = pixCreate(w, h, 8);
    if (!pix)
        return false;
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;
        const unsigned char *row = gray + (size_t)y * (size_t)stride;
        for (int x = 0; x < w; x++)
            SET_DATA_BYTE(line, x, row[x]);
    }
    bool ok = ocr_pix(o, pix, ppi, r);
    pixDestroy(&pix);
    return ok;
}

void extract_image(const unsigned char *d, size_t len, struct extract_result *r)
{
    l_int32 format, w = 0, h = 0, bps, spp, cmap;
    setMsgSeverity(L_SEVERITY_NONE);
    if (pixReadHeaderMem(d, len, &format, &w, &h, &bps, &spp, &cmap) != 0 || w <= 0 || h <= 0) {
        extract_set(r, EXTRACT_FAILED, "an image leptonica cannot read (damaged, or a "
                                       "format it does not know)");
        return;
    }
    if ((size_t)w * (size_t)h > EXTRACT_OCR_MAX_PIXELS) {
        extract_set(r, EXTRACT_LIMIT, "an image of %d x %d pixels, over the %zu-pixel limit "
                                      "for OCR", w, h, (size_t)EXTRACT_OCR_MAX_PIXELS);
        return;
    }
    PIX *pix = pixReadMem(d, len);
    if (!pix) {
        extract_set(r, EXTRACT_FAILED, "a damaged image");
        return;
    }
    char why[160];
    struct extract_ocr *o = extract_ocr_new(why, sizeof why);
    if (!o) {
        extract_set(r, EXTRACT_UNSUPPORTED, "%s", why);
    } else {
        /* images say nothing of their resolution that can be trusted:
         * 300 ppi is what Tesseract assumes for a scan */
        int ppi = pixGetXRes(pix) >= 70 && pixGetXRes(pix) <= 1200 ? pixGetXRes(pix) : 300;
        if (!ocr_pix(o, pix, ppi, r) && r->outcome == EXTRACT_OK)
            extract_set(r, EXTRACT_LIMIT, "OCR ran past its %d s for the image",
                        EXTRACT_OCR_PAGE_SECONDS);
        extract_ocr_free(o);
    }
    pixDestroy(&pix);
}
