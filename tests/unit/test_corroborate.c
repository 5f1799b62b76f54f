/* test_corroborate.c - how a body is cut into own and quoted words
 * (corroborate_split, docs/corroboration.md): quote marks, attributions,
 * forwarded and Outlook blocks in English and French, white space and
 * typographic quotes normalized. */
#include <stdlib.h>

#include "buf.h"
#include "corroborate.h"
#include "unit.h"

/* OWN and QUOTED of BODY, compared with the wanted ones. */
static void split_is(const char *body, const char *own, const char *quoted)
{
    struct buf o = BUF_INIT, q = BUF_INIT;
    CHECK(corroborate_split(body, &o, &q) == MT_OK);
    CHECK_STR(buf_cstr(&o), own);
    CHECK_STR(buf_cstr(&q), quoted);
    buf_free(&o);
    buf_free(&q);
}

int main(void)
{
    split_is("", "", "");
    split_is(NULL, "", "");
    /* words joined by one space each, a space after a line's last */
    split_is("Hello   there,\tall\n", "Hello there, all ", "");
    /* quoted lines, nested or not, indented or not; CRLF */
    split_is("Yes.\r\n> The budget is final.\r\n  >> Is it?\r\n", "Yes. ",
             "The budget is final. Is it? ");
    /* the attribution is neither the replier's text nor the quote */
    split_is("Agreed.\nOn Mon, 3 Apr 2017, Alice wrote:\n> We meet at nine.\n",
             "Agreed. ", "We meet at nine. ");
    split_is("D'accord.\nLe 14 mars 2017, Jean a \xc3\xa9" "crit :\n> Rendez-vous lundi.\n",
             "D'accord. ", "Rendez-vous lundi. ");
    /* an Outlook block: after the separator, header lines skipped and
     * everything quoted, even without '>' */
    split_is("See below.\n-----Original Message-----\nFrom: Bob\nSent: Monday\n"
             "Subject: Plan\nThe plan stands.\n", "See below. ", "The plan stands. ");
    split_is("Pour info.\n-------- Message transf\xc3\xa9r\xc3\xa9 --------\nDe : Marie\n"
             "Objet : Vote\nLe vote est jeudi.\n", "Pour info. ", "Le vote est jeudi. ");
    /* no-break and thin spaces are spaces; typographic quotes are ASCII */
    split_is("a\xc2\xa0" "b\xe2\x80\xaf" "c \xe2\x80\x9cquoted\xe2\x80\x9d it\xe2\x80\x99s\n",
             "a b c \"quoted\" it's ", "");
    /* a header-like line before any separator is the sender's own text */
    split_is("From: the start, we said no.\n", "From: the start, we said no. ", "");
    return unit_failures != 0;
}
