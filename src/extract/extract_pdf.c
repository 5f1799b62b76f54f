/* extract_pdf.c - the text layer of a PDF, page by page, through Debian's
 * poppler-glib (the library behind pdftotext).  An encrypted PDF is
 * opened with the empty user password when that works (many are
 * "encrypted" only against printing); else the outcome is encrypted.
 * With OCR, a page without a text layer (a scan) is rendered in grey and
 * read by Tesseract (extract_ocr.c). */
#include "extract/extract_int.h"

#include <cairo.h>
#include <poppler.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAGES 10000

static bool blank(const char *text)
{
    for (; text && *text; text++)
        if ((unsigned char)*text > ' ')
            return false;
    return true;
}

/* PAGE rendered at EXTRACT_OCR_DPI on white, in grey, read by O.  False
 * when it could not be (too large, out of memory) or OCR ran out of time;
 * *WHY then says which. */
static bool ocr_page(struct extract_ocr *o, PopplerPage *page, struct extract_result *r,
                     const char **why)
{
    double pw, ph, scale = EXTRACT_OCR_DPI / 72.0;
    poppler_page_get_size(page, &pw, &ph);
    double w = pw * scale, h = ph * scale;
    if (!(w >= 1 && h >= 1) || w * h > (double)EXTRACT_OCR_MAX_PIXELS) {
        *why = "a page too large to read by OCR";
        return false;
    }
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        *why = "out of memory rendering a page";
        return false;
    }
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    poppler_page_render_for_printing(page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    int width = cairo_image_surface_get_width(surface);
    int height = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *argb = cairo_image_surface_get_data(surface);
    unsigned char *gray = malloc((size_t)width * (size_t)height);
    bool ok = gray != NULL;
    for (int y = 0; ok && y < height; y++) {
        const uint32_t *row = (const uint32_t *)(argb + (size_t)y * (size_t)stride);
        for (int x = 0; x < width; x++) {
            uint32_t p = row[x];
            gray[(size_t)y * (size_t)width + (size_t)x] =
                (unsigned char)((((p >> 16) & 0xFF) * 77 + ((p >> 8) & 0xFF) * 151
                                 + (p & 0xFF) * 28) >> 8);
        }
    }
    cairo_surface_destroy(surface);
    if (!ok) {
        *why = "out of memory rendering a page";
        return false;
    }
    ok = extract_ocr_gray(o, gray, width, height, width, EXTRACT_OCR_DPI, r);
    free(gray);
    if (!ok)
        *why = "OCR ran past its time for a page";
    return ok;
}

/* OCR for the pages without text: started at the first such page. */
struct page_ocr {
    bool wanted;
    struct extract_ocr *engine;
    bool unavailable;
    char why[160];
    int pages;          /* read by OCR */
    const char *stopped;
};

static void ocr_blank_page(struct page_ocr *ocr, PopplerPage *page, struct extract_result *r)
{
    if (!ocr->wanted || ocr->unavailable || ocr->stopped)
        return;
    if (!ocr->engine && !(ocr->engine = extract_ocr_new(ocr->why, sizeof ocr->why))) {
        ocr->unavailable = true;
        return;
    }
    if (ocr->pages >= EXTRACT_OCR_MAX_PAGES) {
        ocr->stopped = "more pages without text than OCR reads";
        return;
    }
    ocr->pages++;
    const char *why = NULL;
    if (!ocr_page(ocr->engine, page, r, &why))
        ocr->stopped = why;
}

void extract_pdf(const unsigned char *d, size_t len, bool ocr, struct extract_result *r)
{
    GBytes *bytes = g_bytes_new_static(d, len);
    GError *error = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &error);
    if (doc == NULL) {
        if (error && error->domain == POPPLER_ERROR && error->code == POPPLER_ERROR_ENCRYPTED)
            extract_set(r, EXTRACT_ENCRYPTED, "an encrypted PDF that needs a password");
        else
            extract_set(r, EXTRACT_FAILED, "a damaged PDF: %s",
                        error && error->message ? error->message : "poppler cannot open it");
        if (error)
            g_error_free(error);
        g_bytes_unref(bytes);
        return;
    }
    struct page_ocr page_ocr = { .wanted = ocr };
    int pages = poppler_document_get_n_pages(doc);
    for (int i = 0; i < pages && i < MAX_PAGES; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (page == NULL)
            continue;
        char *text = poppler_page_get_text(page);
        bool more = true;
        if (!blank(text))
            more = extract_append(r, text, strlen(text)) && extract_append(r, "\n", 1);
        else
            ocr_blank_page(&page_ocr, page, r);
        g_free(text);
        g_object_unref(page);
        if (!more || r->outcome == EXTRACT_LIMIT)
            break;
    }
    if (pages > MAX_PAGES && r->outcome == EXTRACT_OK)
        extract_set(r, EXTRACT_LIMIT, "%d pages: the first %d read", pages, MAX_PAGES);
    else if (page_ocr.stopped && r->outcome == EXTRACT_OK)
        extract_set(r, EXTRACT_LIMIT, "%s (%d pages read by OCR)", page_ocr.stopped,
                    page_ocr.pages);
    else if (page_ocr.unavailable && blank(buf_cstr(&r->text)))
        extract_set(r, EXTRACT_EMPTY, "no text layer, and %s", page_ocr.why);
    extract_ocr_free(page_ocr.engine);
    g_object_unref(doc);
    g_bytes_unref(bytes);
}
