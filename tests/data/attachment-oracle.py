#!/usr/bin/python3
"""Distinctive words of each text-bearing file in ../shared/corpora/
attachments, found without mailtrove: pdftotext (poppler-utils) for PDF,
Python's zipfile and xml.etree for OOXML and ODF, html.parser for HTML,
Python's codecs (with the charset MANIFEST.tsv names) for plain text, and
for RTF and the legacy Office binaries (.doc, .xls) the words Tika's own
tests look for (TestWordExtractor, TestExcelExtractor).  Prints 'FILE<TAB>WORD' lines,
at most three words a file: the longest words of letters only (5 to 40
letters: Latin, Cyrillic, Arabic; a word is all its letters), which a word search must find.

Usage: attachment-oracle.py ATTACHMENTS_DIR"""
import html.parser, io, os, re, subprocess, sys, xml.etree.ElementTree as ET, zipfile

root = sys.argv[1]

def pdf(path):
    return subprocess.run(["pdftotext", "-q", path, "-"], capture_output=True).stdout.decode("utf-8", "replace")

def office(path):
    z = zipfile.ZipFile(path)
    parts = [n for n in z.namelist() if n == "content.xml" or re.fullmatch(
        r"word/document\.xml|xl/sharedStrings\.xml|ppt/slides/slide\d+\.xml", n)]
    out = []
    for n in parts:
        out.extend(t for t in ET.fromstring(z.read(n)).itertext())
    return " ".join(out)

class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.words, self.skip = [], 0
    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style", "title")
    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style", "title") and self.skip > 0
    def handle_data(self, data):
        if not self.skip:
            self.words.append(data)

def page(path, charset):
    p = Text()
    p.feed(open(path, "rb").read().decode(charset, "replace"))
    return " ".join(p.words)

RTF_WORDS = {"tika-testRTF.rtf": ["indexation"], "tika-testRTFUmlautSpaces.rtf": ["Übersicht"],
             "tika-testRTFHexEscapeInsideWord.rtf": ["ESPÍRITO", "GOVERNO"],
             "tika-testRTFWord2010CzechCharacters.rtf": ["Článek", "starověké"],
             "tika-testRTF-ms932.rtf": ["Hello"]}
LEGACY_WORDS = {"tika-testWORD.doc": ["Microsoft", "subtitle", "Heading"],
                "tika-testEXCEL.xls": ["Squares", "Worksheet"]}
TEXT_CHARSETS = {"tika-english.cp500.txt": "cp500", "tika-russian.cp866.txt": "cp866",
                 "tika-testTXT_win-1252.txt": "cp1252"}
HTML_CHARSETS = {"tika-testHTML_charset_utf16le.html": "utf-16",
                 "tika-testArabicMisleadingCharset.html": "cp1256", "tika-resume.html": "cp1251"}

def words(text):
    found = sorted(set(w for w in re.findall(r"[A-Za-zÀ-ÿĀ-žА-яء-ي]+", text) if 5 <= len(w) <= 40),
                   key=lambda w: (-len(w), w))
    return found[:3]

for sub in ("pdf", "office", "rtf", "html", "text"):
    for f in sorted(os.listdir(os.path.join(root, sub))):
        path = os.path.join(root, sub, f)
        if sub == "pdf":
            text = pdf(path)
        elif sub == "office":
            # an OLE2 compound file (zipfile.is_zipfile says yes to this .doc)
            if open(path, "rb").read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
                for w in LEGACY_WORDS.get(f, []):
                    print("%s/%s\t%s" % (sub, f, w))
                continue
            text = office(path)
        elif sub == "rtf":
            if f not in RTF_WORDS:
                continue
            for w in RTF_WORDS[f]:
                print("%s/%s\t%s" % (sub, f, w))
            continue
        elif sub == "html":
            text = page(path, HTML_CHARSETS.get(f, "utf-8"))
        else:
            text = open(path, "rb").read().decode(TEXT_CHARSETS.get(f, "utf-8"), "replace")
        for w in words(text):
            print("%s/%s\t%s" % (sub, f, w))
