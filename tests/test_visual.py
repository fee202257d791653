"""The report as a reader sees it: each example converted to PDF with LibreOffice (perfreport.word.pdf, so
with the 公文 fonts mapped) and read back with poppler (pdftotext, pdffonts, pdftoppm).

- no number or percentage of a table cell broken across lines, nor a heading of up to four characters;
- no page whose only content is a table's last rows or its repeated header;
- the 附件 list and the 落款 on the page of the body's last paragraph, never alone, and no page
  holding only its page number;
- the page count of each example in its expected range;
- the free fonts standing in for the 公文 fonts are the ones in the PDF.

PNGs of the first page and of the first attachment page of each example are left in
test-artefacts/visual/ (git-ignored) for people to look at.

Skipped only where LibreOffice or poppler-utils is not installed *and* this is not CI (CI=true).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter

import docx
import pytest
from lxml import etree

from perfreport.word import pdf

from conftest import EXAMPLES, ROOT

ARTEFACTS = ROOT / "test-artefacts" / "visual"
# Pages of each example: the body and one page per attachment table (laiyuan: 15 project tables).
PAGES = {"laiyuan-2023": range(28, 34), "shuren-2023": range(5, 8), "zhongfeng-2022": range(6, 9),
         "zhuxi-2023": range(3, 6), "ziyun-2023": range(11, 15)}
NUMBER = re.compile(r"[-+]?[\d,]*\.?\d+%?")
MEASURE = re.compile(r"[-+≥≤]?[\d,]*\.?\d+\s*\S{1,3}")   # 100次, ≥95%
PAGE_NUMBER = re.compile(r"^[—-]\s*\d+\s*[—-]$")
GAP = 0.35   # a gap wider than this many times the text height ends a piece of text
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def poppler(soffice):
    missing = [tool for tool in ("pdftotext", "pdffonts", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} not installed; .ci/run must install poppler-utils")
        pytest.skip("poppler-utils not installed (apt-get install poppler-utils)")


@pytest.fixture(scope="module")
def pdfs(poppler, rendered, tmp_path_factory):
    """{example: (its .docx read back, its PDF)}, converted in one LibreOffice run; the .docx beside it."""
    out = tmp_path_factory.mktemp("visual")
    documents = [rendered[p.stem] for p in EXAMPLES]
    written, problems = pdf.convert(documents, out)
    assert not [p for p in problems if p.level == "error"], problems
    for document in documents:
        shutil.copy(document, out)
    return {d.stem: (docx.Document(str(d)), out / f"{d.stem}.pdf") for d in documents}


def page_lines(path) -> list[list[str]]:
    """Each page's pieces of text: the words of a line, split where a gap is wider than a space
    (between table cells, whose margins and border make a wider gap)."""
    pages = []
    html = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], check=True, capture_output=True).stdout
    root = etree.fromstring(html, etree.XMLParser(recover=True))
    for page in root.iter(f"{XHTML}page", "page"):
        pieces = []
        for line in page.iter(f"{XHTML}line", "line"):
            piece, end = "", None
            for word in line.iter(f"{XHTML}word", "word"):
                x_min, x_max = float(word.get("xMin")), float(word.get("xMax"))
                height = float(word.get("yMax")) - float(word.get("yMin"))
                if end is not None and x_min - end > GAP * height:
                    pieces.append(piece)
                    piece = ""
                piece += word.text or ""
                end = x_max
            pieces.append(piece)
        pages.append(pieces)
    return pages


def _words(text: str) -> list[str]:
    """A text without its spaces, as one word (pdftotext puts a space between 100 and 次)."""
    return [re.sub(r"\s", "", text)]


def cell_texts(document):
    """Every table's rows as lists of cell texts (a merged cell once)."""
    for table in document.tables:
        rows, seen = [], set()
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell._tc not in seen:   # the element itself: kept alive, so never confused with another
                    seen.add(cell._tc)
                    cells.append(cell.text.strip())
            rows.append(cells)
        yield table, rows


def test_page_count_in_expected_range(pdfs):
    for name, (_document, path) in pdfs.items():
        count = len(page_lines(path))
        assert count in PAGES[name], f"{name}: {count} pages"


def test_no_number_or_short_heading_broken_in_a_table_cell(pdfs):
    """Each number, percentage or short heading of a cell is one word on one line of the PDF."""
    for name, (document, path) in pdfs.items():
        wanted = Counter()
        for _table, rows in cell_texts(document):
            for row in rows:
                wanted.update(w for t in row if NUMBER.fullmatch(t) or MEASURE.fullmatch(t) or 0 < len(t) <= 4
                              for w in _words(t))
        found = Counter(word for page in page_lines(path) for piece in page for word in _words(piece))
        missing = {text: count - found[text] for text, count in wanted.items() if found[text] < count}
        assert not missing, f"{name}: broken across lines in the PDF: {missing}"


def test_no_cell_leaves_its_last_character_alone_on_a_line(pdfs):
    """A cell's line of three or more characters that wraps never puts only its last character on the
    next line (服务对象满意度指\n标): the PDF never holds the line less its last character as a piece."""
    for name, (document, path) in pdfs.items():
        pieces = {word for page in page_lines(path) for piece in page for word in _words(piece)}
        lone = {line for _table, rows in cell_texts(document) for row in rows for text in row
                for part in text.split("\n") for line in _words(part) if len(line) >= 3 and line[:-1] in pieces and line not in pieces}
        assert not lone, f"{name}: a cell's last character alone on a line: {lone}"


def test_no_page_holds_only_a_tables_last_rows_or_its_header(pdfs):
    for name, (document, path) in pdfs.items():
        pages = ["".join(piece for piece in page if not PAGE_NUMBER.match(piece)) for page in page_lines(path)]
        for table, rows in cell_texts(document):
            header = [tr for tr, row in zip(table._tbl.tr_lst, rows) if tr.trPr is not None and
                      tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None]
            stray = [t for row in rows[:len(header)] + rows[-1:] for t in row if t]
            for number, text in enumerate(pages, start=1):
                left = re.sub(r"\s|—", "", text)
                for piece in sorted(stray, key=len, reverse=True):
                    left = left.replace(re.sub(r"\s", "", piece), "")
                assert left or not text, f"{name} page {number} holds only a table's header or last row: {text}"


def closing(document) -> tuple[str, list[str]]:
    """The text of the body's last paragraph and the lines after it before the attachment pages: the
    附件 list (from 「附件：」) and the 落款 (the right-aligned lines at the end)."""
    body = []
    for paragraph in document.paragraphs:
        if re.fullmatch(r"附件\d*", paragraph.text.strip()):
            break
        body.append(paragraph)
    start = next((i for i, p in enumerate(body) if p.text.startswith("附件：")), None)
    if start is None:
        start = len(body)
        while start and (not body[start - 1].text.strip() or body[start - 1].paragraph_format.alignment == 2):
            start -= 1
    last = next(p.text for p in reversed(body[:start]) if p.text.strip())
    return last, [p.text for p in body[start:] if p.text.strip()]


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_the_attachments_list_and_the_signature_stand_on_a_page_with_body_text(pdfs):
    """GB/T 9704: the 附件 list and the 落款 are never on a page without body text; the list keeps
    together; no page holds only its page number."""
    for name, (document, path) in pdfs.items():
        pages = [[piece for piece in page if not PAGE_NUMBER.match(piece)] for page in page_lines(path)]
        assert all(_bare("".join(page)) for page in pages), f"{name}: a page holds only its page number"
        last, lines = closing(document)
        if not lines:
            continue
        texts = [_bare("".join(page)) for page in pages]
        first_attachment = next((n for n, page in enumerate(pages) if page and re.fullmatch(r"附件\d*", page[0])), len(pages))
        end = texts[first_attachment - 1]
        assert all(_bare(line) in end for line in lines), f"{name}: the 附件 list or 落款 is split from its page: {lines}"
        assert _bare(last)[-8:] in end.split(_bare(lines[0]))[0], \
            f"{name}: page {first_attachment} holds the 附件 list or 落款 without body text: {pages[first_attachment - 1]}"


def test_the_pdf_uses_the_stand_ins_for_the_gongwen_fonts(pdfs):
    installed = pdf.installed_fonts()
    if installed is None:
        pytest.skip("fontconfig (fc-list) not found: LibreOffice chooses the fonts itself")
    for name, (_document, path) in pdfs.items():
        listed = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
        used = {_face(line.split()[0].partition("+")[2]) for line in listed.splitlines()[2:] if line.strip()}
        chosen = pdf.substitutions(pdf.documents_fonts([path.with_suffix(".docx")]), installed)
        for font, stand_in in chosen.items():
            if stand_in is None:
                continue
            face = _face(_postscript_name(stand_in))
            assert any(u.startswith(face) for u in used), f"{name}: {font} should be set in {stand_in}; the PDF has {used}"
        assert len([u for u in used if "cjk" in u or "kai" in u]) >= 3, f"{name}: title, body and headings look alike: {used}"


def _postscript_name(stand_in: str) -> str:
    family, _colon, weight = stand_in.partition(":")
    pattern = f"{family}:weight=bold" if weight == "bold" else family
    return subprocess.run(["fc-match", "-f", "%{postscriptname}", pattern], check=True, capture_output=True, text=True).stdout


def _face(postscript: str) -> str:
    """A face's PostScript name without the language of a Noto CJK collection member (LibreOffice
    embeds NotoSerifCJKjp-Regular for the collection fontconfig calls Noto Serif CJK SC)."""
    return re.sub(r"(CJK)(jp|sc|tc|kr|hk)", r"\1", postscript, flags=re.I).lower()


def test_png_pages_for_people_to_look_at(pdfs):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, (_document, path) in pdfs.items():
        pages = page_lines(path)
        attachment = next((n for n, page in enumerate(pages, start=1) if page and re.fullmatch(r"附件\d*", page[0])), None)
        wanted = {"first": 1, **({"attachment": attachment} if attachment else {})}
        for label, number in wanted.items():
            target = ARTEFACTS / f"{name}-{label}"
            subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", str(number), "-l", str(number),
                            str(path), str(target)], check=True, capture_output=True)
            assert target.with_suffix(".png").stat().st_size > 1000
