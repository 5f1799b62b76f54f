/* keys.c - zone-file style DKIM key records. */
#include "keys.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

static const char *word_end(const char *p, const char *end)
{
    while (p < end && !isspace((unsigned char)*p))
        p++;
    return p;
}

/* Parse one line; returns NULL on success or what is wrong. */
static const char *parse_line(const char *p, const char *end,
                              struct keys_record *rec, struct buf *record)
{
    const char *name_end = word_end(p, end);
    size_t name_len = (size_t)(name_end - p);
    if (name_len && p[name_len - 1] == '.')
        name_len--;
    if (!name_len)
        return "no record name";
    /* selector._domainkey.domain is a host name (RFC 6376 3.1); a NUL
     * or other byte would make the stored name differ from the file's */
    for (size_t i = 0; i < name_len; i++) {
        if (p[i] == '\0' || (!isalnum((unsigned char)p[i]) && !strchr("-_.", p[i])))
            return "record name holds a character a domain name cannot";
        if (p[i] == '.' && (i == 0 || i + 1 == name_len || p[i + 1] == '.'))
            return "record name has an empty label";
    }
    rec->name = malloc(name_len + 1);
    if (!rec->name)
        return "out of memory";
    for (size_t i = 0; i < name_len; i++)
        rec->name[i] = (char)tolower((unsigned char)p[i]);
    rec->name[name_len] = '\0';
    if (!strstr(rec->name, "._domainkey."))
        return "name is not selector._domainkey.domain";
    p = skip_space(name_end, end);
    /* optional TTL and class */
    if (p < end && isdigit((unsigned char)*p))
        p = skip_space(word_end(p, end), end);
    if (end - p >= 2 && !strncasecmp(p, "IN", 2) && (end - p == 2 || isspace((unsigned char)p[2])))
        p = skip_space(p + 2, end);
    if (!(end - p >= 3 && !strncasecmp(p, "TXT", 3) && (end - p == 3 || isspace((unsigned char)p[3]))))
        return "expected TXT after the name";
    p = skip_space(p + 3, end);
    buf_clear(record);
    int parts = 0;
    while (p < end) {
        if (*p == ';')
            break;   /* a trailing zone-file comment */
        if (*p != '"')
            return "expected a quoted string";
        p++;
        while (p < end && *p != '"') {
            if (*p == '\\' && p + 1 < end)
                p++;
            buf_append_char(record, *p++);
        }
        if (p >= end)
            return "unterminated quoted string";
        p = skip_space(p + 1, end);
        parts++;
    }
    if (!parts)
        return "TXT record has no quoted text";
    if (!strstr(buf_cstr(record), "p="))
        return "TXT record has no p= tag";
    rec->record = strdup(buf_cstr(record));
    return rec->record ? NULL : "out of memory";
}

mt_status keys_parse(const char *file_name, const char *text, size_t len,
                     struct keys_file *out)
{
    memset(out, 0, sizeof *out);
    size_t capacity = 0;
    struct buf record = BUF_INIT;
    const char *p = text, *end = text + len;
    int line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        line++;
        const char *s = skip_space(p, line_end);
        if (s < line_end && *s != ';' && *s != '#') {
            struct keys_record rec = { .line = line };
            const char *problem = parse_line(s, line_end, &rec, &record);
            if (problem) {
                free(rec.name);
                free(rec.record);
                buf_printf(&out->problems, "%s:%d: %s; line skipped\n",
                           file_name, line, problem);
            } else {
                if (out->count == capacity) {
                    size_t grown = capacity ? capacity * 2 : 16;
                    struct keys_record *bigger = realloc(out->records, grown * sizeof *bigger);
                    if (!bigger) {
                        free(rec.name);
                        free(rec.record);
                        buf_free(&record);
                        return MT_ENOMEM;
                    }
                    out->records = bigger;
                    capacity = grown;
                }
                out->records[out->count++] = rec;
            }
        }
        p = nl ? nl + 1 : end;
    }
    buf_free(&record);
    return MT_OK;
}

void keys_file_free(struct keys_file *file)
{
    if (!file)
        return;
    for (size_t i = 0; i < file->count; i++) {
        free(file->records[i].name);
        free(file->records[i].record);
    }
    free(file->records);
    buf_free(&file->problems);
    memset(file, 0, sizeof *file);
}
