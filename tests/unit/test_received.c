/* test_received.c - the Received fields' hosts and dates. */
#include <stdlib.h>

#include "received.h"
#include "unit.h"

int main(void)
{
    static const char message[] =
        "Received: from relay.example (relay.example [192.0.2.1])\r\n"
        "\tby mx.news.example (Postfix) with ESMTPS id 1;\r\n"
        "\tWed, 1 Jun 2016 12:00:05 +0200 (CEST)\r\n"
        "Subject: hello\r\n"
        "received: from sender.example by relay.example; Wed, 01 Jun 2016 09:59:58 +0000\r\n"
        "Received: by nodate.example with local\r\n"
        "Received: from a by b; not a date\r\n"
        "\r\n"
        "Received: in the body is not a header\r\n";
    struct received_hop *hops;
    size_t count;
    CHECK(received_hops((const unsigned char *)message, sizeof message - 1, &hops, &count)
          == MT_OK);
    CHECK(count == 4);
    if (count == 4) {
        CHECK_STR(hops[0].by, "mx.news.example");
        CHECK(hops[0].dated && hops[0].date == 1464775205);   /* 10:00:05Z */
        CHECK_STR(hops[1].by, "relay.example");
        CHECK(hops[1].dated && hops[1].date == 1464775198);
        CHECK_STR(hops[2].by, "nodate.example");
        CHECK(!hops[2].dated);
        CHECK_STR(hops[3].by, "b");
        CHECK(!hops[3].dated);
    }
    received_hops_free(hops, count);

    /* bare LF, a field that ends the input, no header at all */
    static const char lf[] = "Received: by x.example; Thu, 2 Jun 2016 00:00:00 +0000";
    CHECK(received_hops((const unsigned char *)lf, sizeof lf - 1, &hops, &count) == MT_OK);
    CHECK(count == 1 && hops[0].dated && hops[0].date == 1464825600);
    received_hops_free(hops, count);
    CHECK(received_hops((const unsigned char *)"\n\nbody", 6, &hops, &count) == MT_OK);
    CHECK(count == 0);
    received_hops_free(hops, count);

    /* a relay loop: only the first RECEIVED_MAX_HOPS are read */
    size_t n = 200, one = sizeof "Received: by loop.example; Thu, 2 Jun 2016 00:00:00 +0000\n" - 1;
    char *loop = malloc(n * one + 1);
    for (size_t i = 0; loop && i < n; i++)
        memcpy(loop + i * one, "Received: by loop.example; Thu, 2 Jun 2016 00:00:00 +0000\n", one);
    CHECK(loop && received_hops((const unsigned char *)loop, n * one, &hops, &count) == MT_OK);
    CHECK(count == RECEIVED_MAX_HOPS);
    received_hops_free(hops, count);
    free(loop);
    return unit_failures != 0;
}
