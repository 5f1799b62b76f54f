#!/usr/bin/python3
"""The architecture's rules, checked on the source tree (docs/architecture.md):

  layers.py [SRC_DIR]     (default: the repository's src/)

1. The command-line layer (src/cli/) and the web (src/web*.c, web_int.h)
   never touch the database: no sqlite3, no store_int.h, no SQL.
2. SQL only in the modules that own tables or read them for renderers
   (OWNERS below); store_int.h included only by those.
3. No source file over 1,000 lines.
4. No function over 120 lines.

Prints one "ok - ..." or "not ok - ..." line per rule (tests/run counts
them) and exits 1 if any failed.
"""
import os, re, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')

# The modules that own tables (or, for email_view, report and search, read
# them for every renderer), as docs/architecture.md's table lists them.
OWNERS = {
    'store', 'store_lists', 'store_schema', 'store_text', 'store_facets', 'email_view', 'index', 'index_rebuild', 'index_side', 'fts_tokens', 'stem', 'thread',
    'corroborate', 'corroborate_table', 'verify', 'verify_keys', 'verify_recover', 'org', 'source_ledger', 'search', 'search_range', 'rank',
    'query', 'report', 'report_dates', 'report_signatures', 'report_charts',
}
SQL = re.compile(r'"[^"\n]*\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE|PRAGMA)\b')
MAX_FILE, MAX_FUNCTION = 1000, 120


def sources():
    for root, _, files in os.walk(SRC):
        for name in sorted(files):
            if name.endswith(('.c', '.h')):
                path = os.path.join(root, name)
                yield os.path.relpath(path, SRC), open(path, encoding='utf-8', errors='replace').read()


def module(rel):
    return os.path.splitext(os.path.basename(rel))[0]


def is_interface_layer(rel):
    return rel.startswith('cli' + os.sep) or os.path.basename(rel).startswith('web')


def functions(text):
    """(name line, first line number, length) of each function whose body
    opens with '{' alone at column 0 and closes with '}' at column 0."""
    lines = text.split('\n')
    start = None
    for i, line in enumerate(lines):
        if line == '{' and start is None:
            j = i - 1
            while j > 0 and lines[j - 1].strip() and not lines[j - 1].startswith(('}', '/*', ' *', '#')) \
                    and lines[j].startswith((' ', '\t')):
                j -= 1
            start = j
        elif line.startswith('}') and start is not None:
            yield lines[start].strip(), start + 1, i - start + 1
            start = None


def main():
    problems = {1: [], 2: [], 3: [], 4: []}
    files = list(sources())
    if not files:
        print('not ok - no sources under %s' % SRC)
        return 1
    for rel, text in files:
        code = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
        if is_interface_layer(rel):
            for what, pattern in (('sqlite3', r'\bsqlite3'), ('store_int.h', r'store_int\.h'),
                                  ('store_db', r'\bstore_db\b'), ('SQL', SQL.pattern)):
                if re.search(pattern, code):
                    problems[1].append('%s uses %s' % (rel, what))
        elif rel.endswith('.c') and module(rel) not in OWNERS:
            if SQL.search(code):
                problems[2].append('%s has SQL but owns no table' % rel)
            if 'store_int.h' in code:
                problems[2].append('%s includes store_int.h but owns no table' % rel)
        n = text.count('\n')
        if n > MAX_FILE:
            problems[3].append('%s has %d lines' % (rel, n))
        if rel.endswith('.c'):
            for name, line, length in functions(text):
                if length > MAX_FUNCTION:
                    problems[4].append('%s:%d %s is %d lines' % (rel, line, name[:60], length))
    rules = {
        1: 'the command-line layer and the web never touch the database',
        2: 'SQL and store_int.h only in the modules that own tables',
        3: 'no source file over %d lines' % MAX_FILE,
        4: 'no function over %d lines' % MAX_FUNCTION,
    }
    failed = 0
    for k in sorted(rules):
        if problems[k]:
            failed += 1
            print('not ok - %s: %s' % (rules[k], '; '.join(problems[k])))
        else:
            print('ok - %s (%d files)' % (rules[k], len(files)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
