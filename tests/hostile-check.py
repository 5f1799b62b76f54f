#!/usr/bin/python3
"""Runs mailtrove over every case of a hostile dump made by
tests/data/make-hostile-dump.py and checks each against cases.json:
the counts, the reasons, a time and memory bound, stored bytes equal to
the input, and every JSON output valid UTF-8 JSON.  Prints one
"ok - " / "not ok - " line per check.

  hostile-check.py MAILTROVE DUMP_DIR WORK_DIR [SCALE]

SCALE multiplies the time and memory bounds (sanitizer builds are slower
and bigger).
"""
import hashlib, json, os, re, subprocess, sys, time

mailtrove, dump, work = sys.argv[1:4]
scale = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
cases = json.load(open(os.path.join(dump, "cases.json")))
failures = 0


def ok(good, what, detail=""):
    global failures
    if good:
        print("ok - " + what)
    else:
        failures += 1
        print("not ok - %s%s" % (what, ": " + detail if detail else ""))


def run(archive, *args, timeout=300):
    """(exit status, stdout bytes, stderr bytes, seconds, peak RSS in MiB).
    GNU time measures the peak: a child of this (large) Python process
    would report Python's own peak too, as Linux carries it across exec."""
    start = time.monotonic()
    peak_file = os.path.join(work, "peak-rss")
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak_file,
                          mailtrove, "--archive", archive] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        stdout, stderr = p.communicate()
        return -1, stdout, stderr + b"\n(timed out)", timeout, 0
    try:
        rss = int(open(peak_file).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        rss = float("inf")
    return p.returncode, stdout, stderr, time.monotonic() - start, rss


def strict_json(data, what, lines=False):
    """Parsed JSON, or None after a failed check: strict UTF-8 first."""
    try:
        text = data.decode("utf-8")
        if lines:
            return [json.loads(line) for line in text.splitlines()]
        return json.loads(text)
    except (UnicodeDecodeError, ValueError) as e:
        ok(False, what + " is valid UTF-8 JSON", str(e)[:200])
        return None


def input_digests(path):
    """SHA-256 of a plain single-message file, else None."""
    if os.path.isfile(path) and path.endswith(".eml"):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()
    return None


def no_terminal_controls(data, what):
    """Text meant for a terminal: no control byte but newline and tab."""
    bad = [b for b in set(data) if (b < 0x20 and b not in (9, 10)) or b == 0x7F]
    ok(not bad, what + " has no terminal control bytes", "found %s" % sorted(bad)[:5])


def check_case(c):
    name = c["name"]
    path = os.path.join(dump, name)
    archive = os.path.join(work, name.replace("/", "_") + ".db")
    rc, out, err, seconds, rss = run(archive, "ingest", "--json", path)
    ok(rc == 0, "%s: ingest exits 0" % name, err.decode("utf-8", "replace")[-300:])
    counts = strict_json(out, "%s: ingest --json" % name) or {}
    if c["read"] is not None:
        want = {"read": c["read"], "stored": c["stored"], "duplicates": 0,
                "rejected": c["rejected"]}
        ok(counts == want, "%s: counts (%s)" % (name, c["why"]), "got %s, want %s" % (counts, want))
    else:
        ok(counts.get("read") == counts.get("stored", 0) + counts.get("duplicates", 0)
           + counts.get("rejected", 0) and counts.get("rejected", 0) >= 1,
           "%s: counts add up and the damage is rejected (%s)" % (name, c["why"]), str(counts))
    limit = c["seconds"] * scale
    ok(seconds <= limit, "%s: ingest within %.0f s (took %.1f s)" % (name, limit, seconds))
    if scale == 1.0:
        ok(rss <= c["rss_mb"], "%s: peak memory within %d MiB (peak %.0f MiB)"
           % (name, c["rss_mb"], rss))

    rc, out, err, _, _ = run(archive, "rejected", "--json")
    rejected = strict_json(out, "%s: rejected --json" % name)
    if rejected is not None:
        ok(len(rejected) == counts.get("rejected"), "%s: every rejection is listed" % name,
           "%d listed" % len(rejected))
        if c["reason"]:
            bad = [r["reason"] for r in rejected if not re.search(c["reason"], r["reason"])]
            ok(not bad, "%s: rejection reasons match /%s/" % (name, c["reason"]), str(bad[:3]))
    rc, out, err, _, _ = run(archive, "rejected")
    no_terminal_controls(out, "%s: rejected" % name)
    rc, out, err, _, _ = run(archive, "stats", "--json")
    stats = strict_json(out, "%s: stats --json" % name)
    if stats is not None:
        ok(stats["emails"] == counts.get("stored"), "%s: stats agrees with ingest" % name)
    rc, out, err, _, _ = run(archive, "export", "--format", "jsonl")
    exported = strict_json(out, "%s: export --format jsonl" % name, lines=True)
    digest = input_digests(path)
    for i in range(1, (counts.get("stored") or 0) + 1):
        if i > 50:
            break
        rc, out, err, _, _ = run(archive, "show", "--json", str(i))
        shown = strict_json(out, "%s: show --json %d" % (name, i))
        if shown is None:
            continue
        rc, raw, err, _, _ = run(archive, "show", "--raw", str(i))
        ok(hashlib.sha256(raw).hexdigest() == shown["sha256"],
           "%s: email %d's raw bytes match its sha256" % (name, i))
        if digest and i == 1:
            ok(shown["sha256"] == digest, "%s: stored byte for byte" % name)
        rc, out, err, _, _ = run(archive, "thread", "--json", str(i))
        strict_json(out, "%s: thread --json %d" % (name, i))
        rc, out, err, _, _ = run(archive, "show", str(i))
        ok(rc == 0, "%s: show %d" % (name, i))
        no_terminal_controls(out, "%s: show %d" % (name, i))
    rc, out, err, _, _ = run(archive, "search", "--json", "body OR inside OR words")
    strict_json(out, "%s: search --json" % name)
    rc, out, err, _, _ = run(archive, "search", "body OR inside OR words OR names")
    no_terminal_controls(out, "%s: search" % name)


for c in cases:
    check_case(c)
print("# %d cases, %d failures" % (len(cases), failures), file=sys.stderr)
