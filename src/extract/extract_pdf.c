/* extract_pdf.c - the text layer of a PDF, page by page, through Debian's
 * poppler-glib (the library behind pdftotext).  An encrypted PDF is
 * opened with the empty user password when that works (many are
 * "encrypted" only against printing); else the outcome is encrypted. */
#include "extract/extract_int.h"

#include <poppler.h>
#include <string.h>

#define MAX_PAGES 10000

void extract_pdf(const unsigned char *d, size_t len, struct extract_result *r)
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
    int pages = poppler_document_get_n_pages(doc);
    for (int i = 0; i < pages && i < MAX_PAGES; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (page == NULL)
            continue;
        char *text = poppler_page_get_text(page);
        bool more = true;
        if (text) {
            more = extract_append(r, text, strlen(text)) && extract_append(r, "\n", 1);
            g_free(text);
        }
        g_object_unref(page);
        if (!more)
            break;
    }
    if (pages > MAX_PAGES && r->outcome == EXTRACT_OK)
        extract_set(r, EXTRACT_LIMIT, "%d pages: the first %d read", pages, MAX_PAGES);
    g_object_unref(doc);
    g_bytes_unref(bytes);
}
