/* evidence.c - the evidence bundle: four members in a zip (libarchive). */
#include "evidence.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "verify.h"

/* Member times: fixed, so that one archive state gives one bundle, byte
 * for byte (2000-01-01T00:00:00Z; zip's DOS times start in 1980). */
#define MEMBER_TIME 946684800

static const char readme_text[] =
    "Evidence bundle of email %lld\n"
    "==============================\n"
    "\n"
    "Made by mailtrove from its archive.  Members:\n"
    "\n"
    "  message.eml  the email's bytes exactly as the archive stores them\n"
    "               (sha256 in report.json); the DKIM signatures are in its\n"
    "               DKIM-Signature header fields\n"
    "  keys.zone    the DKIM key records the archive checked those signatures\n"
    "               with, as DNS zone lines; each record's comment says where\n"
    "               the archive got it (a key file, DNS on a date, or \"recovered\n"
    "               from N signatures\") and when it was imported\n"
    "  report.json  the archive's report on the email (`mailtrove show --json`):\n"
    "               per signature its result, what it covers, its weaknesses\n"
    "  README.txt   this text\n"
    "\n"
    "What it proves\n"
    "--------------\n"
    "A signature whose result is \"pass\" proves that whoever held the private\n"
    "key of that key record signed the listed header fields and the body (all\n"
    "of it, or the first body_length_tag bytes) exactly as in message.eml.  It\n"
    "does not prove the key record is the domain's real one: that rests on\n"
    "the source named in keys.zone (check it against DNS history or other\n"
    "copies).  Dates in the email and in the signature's t= are claims of the\n"
    "sender and the signer.  \"weaknesses\" in report.json say what a pass does\n"
    "not cover (sha1, short keys, an unsigned From, a published private key).\n"
    "\n"
    "Re-verify it yourself, offline\n"
    "------------------------------\n"
    "On Debian or Ubuntu: apt install python3-dkim, then in this directory run\n"
    "/usr/bin/python3 with the program between the lines below.  It reads the\n"
    "keys from keys.zone instead of DNS, and prints one line per signature,\n"
    "topmost first, to compare with \"result\" in report.json (\"pass\", or\n"
    "\"fail\" when no key answers or the signature does not verify: report.json\n"
    "tells those apart as nokey, fail and permerror).\n"
    "\n"
    "----- 8< -----\n"
    "import re, dkim\n"
    "zone = {}\n"
    "for line in open(\"keys.zone\"):\n"
    "    line = line.strip()\n"
    "    if line and not line.startswith(\";\"):\n"
    "        name = line.split()[0].rstrip(\".\").lower()\n"
    "        text = \"\".join(re.findall(r'\"((?:[^\"\\\\]|\\\\.)*)\"', line))\n"
    "        zone[name] = re.sub(r'\\\\(.)', r'\\1', text).encode()\n"
    "def dnsfunc(name, timeout=5):\n"
    "    return zone.get(name.decode().rstrip(\".\").lower())\n"
    "# RFC 6376 5.3: a stored copy may have bare LF line ends; DKIM reads CRLF\n"
    "message = open(\"message.eml\", \"rb\").read()\n"
    "message = message.replace(b\"\\r\\n\", b\"\\n\").replace(b\"\\n\", b\"\\r\\n\")\n"
    "d = dkim.DKIM(message, minkey=512)\n"
    "count = sum(1 for h in d.headers if h[0].lower() == b\"dkim-signature\")\n"
    "for i in range(count):\n"
    "    try:\n"
    "        ok = d.verify(idx=i, dnsfunc=dnsfunc)\n"
    "    except dkim.DKIMException:\n"
    "        ok = False\n"
    "    print(i + 1, \"pass\" if ok else \"fail\")\n"
    "----- 8< -----\n"
    "\n"
    "Known differences: dkimpy fails a signature whose x= has passed, where\n"
    "report.json says pass with the weakness \"expired\"; keys under 512 bits\n"
    "are refused by the program above (minkey).\n"
    "\n"
    "That the email is in the archive as published: `mailtrove prove %lld`\n"
    "gives its RFC 6962 audit path to the archive's root (`mailtrove root`);\n"
    "the leaf is SHA-256(0x00 || sha256 of message.eml).\n";

struct zip_sink {
    struct buf *out;
    mt_status status;
};

static la_ssize_t sink_write(struct archive *a, void *data, const void *bytes, size_t len)
{
    (void)a;
    struct zip_sink *sink = data;
    if (buf_append(sink->out, bytes, len) != MT_OK) {
        sink->status = MT_ENOMEM;
        return -1;
    }
    return (la_ssize_t)len;
}

static mt_status add_member(struct archive *a, const char *name, const void *data, size_t len,
                            struct mt_error *err)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return MT_ENOMEM;
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, MEMBER_TIME, 0);
    mt_status status = MT_OK;
    if (archive_write_header(a, e) != ARCHIVE_OK
        || (len && archive_write_data(a, data, len) != (la_ssize_t)len))
        status = mt_error_set(err, MT_EIO, "writing the evidence zip: %s",
                              archive_error_string(a) ? archive_error_string(a) : "failed");
    archive_entry_free(e);
    return status;
}

/* The four members' contents, read from the store. */
static mt_status gather(struct store *st, int64_t id, struct buf *raw, struct buf *zone,
                        struct buf *report, struct buf *readme, struct mt_error *err)
{
    struct json_writer w;
    json_init(&w, report);
    mt_status status = report_email_json(st, id, &w, err);
    if (status == MT_OK)
        buf_append_char(report, '\n');
    if (status == MT_OK)
        status = store_get_raw(st, id, raw, err);
    if (status == MT_OK)
        status = verify_keys_zone(st, id, zone, err);
    if (status == MT_OK)
        status = buf_printf(readme, readme_text, (long long)id, (long long)id);
    return status;
}

mt_status evidence_bundle(struct store *st, int64_t id, struct buf *zip, struct mt_error *err)
{
    struct buf raw = BUF_INIT, zone = BUF_INIT, report = BUF_INIT, readme = BUF_INIT;
    mt_status status = gather(st, id, &raw, &zone, &report, &readme, err);
    struct archive *a = status == MT_OK ? archive_write_new() : NULL;
    struct zip_sink sink = { zip, MT_OK };
    if (status == MT_OK && !a)
        status = MT_ENOMEM;
    if (status == MT_OK
        && (archive_write_set_format_zip(a) != ARCHIVE_OK
            || archive_write_zip_set_compression_deflate(a) != ARCHIVE_OK
            /* deflate's fastest level: a static site writes one bundle an
             * email (zlib was an eighth of its time at the default, 6),
             * and mail compresses about as well at 1 */
            || archive_write_set_options(a, "zip:compression-level=1") != ARCHIVE_OK
            /* whole blocks would pad the zip with zeros */
            || archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK
            || archive_write_open2(a, &sink, NULL, sink_write, NULL, NULL) != ARCHIVE_OK))
        status = mt_error_set(err, MT_EIO, "starting the evidence zip: %s",
                              archive_error_string(a) ? archive_error_string(a) : "failed");
    if (status == MT_OK)
        status = add_member(a, "message.eml", raw.data, raw.len, err);
    if (status == MT_OK)
        status = add_member(a, "keys.zone", zone.data, zone.len, err);
    if (status == MT_OK)
        status = add_member(a, "report.json", report.data, report.len, err);
    if (status == MT_OK)
        status = add_member(a, "README.txt", readme.data, readme.len, err);
    if (status == MT_OK && archive_write_close(a) != ARCHIVE_OK)
        status = mt_error_set(err, MT_EIO, "finishing the evidence zip: %s",
                              archive_error_string(a) ? archive_error_string(a) : "failed");
    if (a)
        archive_write_free(a);
    if (status == MT_EIO && sink.status != MT_OK)
        status = sink.status;
    buf_free(&raw);
    buf_free(&zone);
    buf_free(&report);
    buf_free(&readme);
    return status;
}
