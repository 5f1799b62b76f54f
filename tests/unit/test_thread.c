/* test_thread.c - the pure linker of thread.h: JWZ links from References
 * and In-Reply-To, a missing parent's container, copies of one
 * Message-ID, the subject fallback and its limits, joins by mention,
 * thread ids as the smallest email id (docs/threads.md). */
#include <stdlib.h>

#include "thread.h"
#include "unit.h"

#define DAY 86400

struct result {
    int64_t thread, parent;
};

/* Link EMAILS (COUNT) and fill OUT, indexed by email id (ids < 32). */
static void link_all(const struct thread_email *emails, size_t count, struct result *out,
                     int64_t *threads, int64_t *by_subject)
{
    struct thread_linker *l = thread_linker_new();
    CHECK(l != NULL);
    for (size_t i = 0; i < count; i++)
        CHECK(thread_linker_add(l, &emails[i]) == MT_OK);
    CHECK(thread_linker_finish(l, threads, by_subject) == MT_OK);
    CHECK(thread_linker_count(l) == count);
    for (size_t i = 0; i < thread_linker_count(l); i++) {
        int64_t id, thread, parent;
        thread_linker_result(l, i, &id, &thread, &parent);
        CHECK(id == emails[i].id);
        out[id].thread = thread;
        out[id].parent = parent;
    }
    thread_linker_free(l);
}

static void test_references(void)
{
    /* 1 <- 2 <- 3 by References; 4 names only 3 in In-Reply-To; 5 names a
     * message not in the archive, as does 6: they share its container */
    const struct thread_email emails[] = {
        { .id = 1, .message_id = "a@x", .subject = "Budget" },
        { .id = 2, .message_id = "b@x", .refs = "<a@x>", .subject = "Re: Budget" },
        { .id = 3, .message_id = "c@x", .refs = "<a@x> <b@x>", .subject = "Re: Budget" },
        { .id = 4, .message_id = "d@x", .in_reply_to = "<c@x>", .subject = "Re: Budget" },
        { .id = 5, .message_id = "e@x", .refs = "<missing@x>", .subject = "Re: Other" },
        { .id = 6, .message_id = "f@x", .refs = "<missing@x>", .subject = "Re: Other" },
        { .id = 7, .message_id = "g@x", .subject = "Alone" },
    };
    struct result r[32] = { { 0 } };
    int64_t threads, by_subject;
    link_all(emails, 7, r, &threads, &by_subject);
    CHECK(threads == 3);
    CHECK(by_subject == 0);
    CHECK(r[1].thread == 1 && r[1].parent == -1);
    CHECK(r[2].thread == 1 && r[2].parent == 1);
    CHECK(r[3].thread == 1 && r[3].parent == 2);
    CHECK(r[4].thread == 1 && r[4].parent == 3);
    /* siblings under an empty container: one conversation, no parent */
    CHECK(r[5].thread == 5 && r[5].parent == -1);
    CHECK(r[6].thread == 5 && r[6].parent == -1);
    CHECK(r[7].thread == 7 && r[7].parent == -1);
}

static void test_reply_before_original(void)
{
    /* the reply has the smaller id: the thread id is still the smallest */
    const struct thread_email emails[] = {
        { .id = 1, .message_id = "r@x", .refs = "<o@x>", .subject = "Re: Plan" },
        { .id = 2, .message_id = "o@x", .subject = "Plan" },
    };
    struct result r[32] = { { 0 } };
    int64_t threads, by_subject;
    link_all(emails, 2, r, &threads, &by_subject);
    CHECK(threads == 1);
    CHECK(r[1].thread == 1 && r[1].parent == 2);
    CHECK(r[2].thread == 1 && r[2].parent == -1);
}

static void test_copies(void)
{
    /* two stored copies of one Message-ID (different bytes): the second
     * joins the first's conversation, under the first */
    const struct thread_email emails[] = {
        { .id = 1, .message_id = "m@x", .subject = "Minutes" },
        { .id = 2, .message_id = "m@x", .subject = "Minutes" },
    };
    struct result r[32] = { { 0 } };
    int64_t threads, by_subject;
    link_all(emails, 2, r, &threads, &by_subject);
    CHECK(threads == 1);
    CHECK(r[2].thread == 1 && r[2].parent == 1);
}

static void test_subject_fallback(void)
{
    const int64_t t0 = 1500000000;
    const struct thread_email emails[] = {
        /* a specific subject: the header-less reply joins the original */
        { .id = 1, .message_id = "s1@x", .subject = "Meeting with the county board",
          .has_date = true, .date = t0 },
        { .id = 2, .message_id = "s2@x", .subject = "RE: Meeting with the county board",
          .has_date = true, .date = t0 + DAY },
        /* too long after (over 60 days): stays alone */
        { .id = 3, .message_id = "s3@x", .subject = "Re: Meeting with the county board",
          .has_date = true, .date = t0 + 61 * DAY },
        /* too generic a subject: never joined */
        { .id = 4, .message_id = "s4@x", .subject = "hello", .has_date = true, .date = t0 },
        { .id = 5, .message_id = "s5@x", .subject = "Re: hello", .has_date = true,
          .date = t0 + DAY },
        /* a reply with reply headers is never moved by its subject */
        { .id = 6, .message_id = "s6@x", .refs = "<elsewhere@x>",
          .subject = "Re: Meeting with the county board", .has_date = true, .date = t0 + DAY },
        /* an undated one is not joined */
        { .id = 7, .message_id = "s7@x", .subject = "Re: Meeting with the county board" },
    };
    struct result r[32] = { { 0 } };
    int64_t threads, by_subject;
    link_all(emails, 7, r, &threads, &by_subject);
    CHECK(by_subject == 1);
    CHECK(r[2].thread == 1 && r[2].parent == 1);
    CHECK(r[3].thread == 3 && r[3].parent == -1);
    CHECK(r[5].thread == 5 && r[5].parent == -1);
    CHECK(r[6].thread == 6);
    CHECK(r[7].thread == 7 && r[7].parent == -1);
}

static void test_mentions_join(void)
{
    /* 3 names messages of two conversations: they become one */
    const struct thread_email emails[] = {
        { .id = 1, .message_id = "p@x", .subject = "First" },
        { .id = 2, .message_id = "q@x", .subject = "Second" },
        { .id = 3, .message_id = "r@x", .refs = "<p@x> <q@x>", .subject = "Re: both" },
        { .id = 4, .message_id = "s@x", .refs = "<q@x>", .subject = "Re: Second" },
    };
    struct result r[32] = { { 0 } };
    int64_t threads, by_subject;
    link_all(emails, 4, r, &threads, &by_subject);
    CHECK(threads == 1);
    for (int i = 1; i <= 4; i++)
        CHECK(r[i].thread == 1);
    CHECK(r[3].parent == 2);
    CHECK(r[4].parent == 2);
}

static void test_normalize(void)
{
    char out[64];
    bool reply;
    thread_normalize_subject("RE : Fwd: Re[2]:  The   Plan", out, sizeof out, &reply);
    CHECK(!strcmp(out, "the plan"));
    CHECK(reply);
    thread_normalize_subject("The plan", out, sizeof out, &reply);
    CHECK(!strcmp(out, "the plan"));
    CHECK(!reply);
}

int main(void)
{
    test_references();
    test_reply_before_original();
    test_copies();
    test_subject_fallback();
    test_mentions_join();
    test_normalize();
    return unit_failures != 0;
}
