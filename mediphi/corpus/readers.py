"""Readers for the formats the five domains come in, as one Ray Data datasource.

Every file yields rows of one schema. A row is either a document or a reject: bad input (broken
XML or JSON, invalid UTF-8, an empty or binary file, an absurdly long line, a record without
text) never raises; it becomes a row whose `reason` says what was wrong and whose `source` and
`location` say where, so the stage can count it and write it to rejects/.
"""

from __future__ import annotations

import csv
import functools
import heapq
import io
import json
import os
import re
from collections.abc import Iterator
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from mediphi.config import SourceCfg

ROW_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("domain", pa.string()),
        ("source", pa.string()),
        ("location", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("meta", pa.string()),  # JSON: format-specific fields (journal, year, url, code system, ...)
        ("reason", pa.string()),  # '' for a document; the reject reason otherwise
        ("detail", pa.string()),
    ]
)
BLOCK_ROWS = 256
BINARY_SNIFF = 8192


class CorpusDatasource(Datasource):
    """Every input file of the recipe, each with its domain and source, as ONE Ray Data read.

    One read (not one per source, unioned) lets Ray Data fuse read -> process -> write into a
    single task per group of files: rows go from the file to the scratch parquet inside one
    worker, never through the object store, and the files of small sources share tasks instead
    of each source paying its own operator and tasks. A file listed by two sources (a glob of
    one domain matching another's file) is read once per source, as before.
    """

    def __init__(self, files: list[tuple[str, SourceCfg, str, int]], max_line_bytes: int, max_file_bytes: int,
                 block_rows: int = BLOCK_ROWS):
        super().__init__()
        self._files = files  # (domain, source, uri, size in bytes)
        self._max_line = max_line_bytes
        self._max_file = max_file_bytes
        self._block_rows = block_rows

    def estimate_inmemory_data_size(self) -> int:
        return sum(size for *_, size in self._files)

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                       data_context=None) -> list[ReadTask]:
        tasks = []
        for group in _balanced_groups(self._files, parallelism):
            meta = BlockMetadata(num_rows=None, size_bytes=sum(f[3] for f in group),
                                 input_files=[f[2] for f in group], exec_stats=None)
            read = functools.partial(_read_corpus_files, group, self._max_line, self._max_file, self._block_rows)
            tasks.append(ReadTask(_named(read), meta, schema=ROW_SCHEMA, per_task_row_limit=per_task_row_limit))
        return tasks


def _named(read: functools.partial) -> functools.partial:
    """A read function Ray Data can name: it logs `read_fn.__name__` for a large read task.

    The partial of a module function carries its own group of files only; a bound method would
    pickle the whole datasource, every file of the corpus, into every task (over 1 MiB per task
    at 100x the bundled corpus, where Ray Data then failed on the partial's missing name).
    """
    return functools.update_wrapper(read, read.func)


def _read_corpus_files(group: list[tuple[str, SourceCfg, str, int]], max_line: int, max_file: int,
                       block_rows: int) -> Iterator[pa.Table]:
    from mediphi import storage

    def file_rows(domain: str, src: SourceCfg, uri: str) -> Iterator[dict]:
        fs, path = storage.filesystem(uri)
        # compression="detect" (the default): .gz, .bz2, .zst inputs are decompressed by name.
        with fs.open_input_stream(path) as f:
            yield from read_file(f, path, domain, src, max_line, max_file)

    rows: list[dict] = []
    for domain, src, uri, _ in group:
        for r in _with_retries(functools.partial(file_rows, domain, src, uri), uri):
            rows.append(r)
            if len(rows) >= block_rows:
                yield pa.Table.from_pylist(rows, schema=ROW_SCHEMA)
                rows = []
    if rows:
        yield pa.Table.from_pylist(rows, schema=ROW_SCHEMA)


def _with_retries(factory, uri: str) -> Iterator:
    """Items of factory(), re-opened after a transient storage error (Ray Data's list: S3
    throttling, 503s, dropped connections), skipping the items already yielded: what Ray's
    own file datasources do for every file."""
    from ray.data import DataContext
    from ray.data._internal.util import iterate_with_retry

    return iterate_with_retry(factory, f"read {uri}", match=DataContext.get_current().retried_io_errors)


def _balanced_groups(files: list, n: int) -> list[list]:
    """`files` dealt into at most `n` groups of about equal bytes, largest file first to the
    lightest group; each group keeps the files' order.

    Dealt, not cut into consecutive runs: a run holds one domain, and domains differ in cost per
    byte (clinical notes are scrubbed, JATS is mostly markup), so with consecutive runs the last
    task (all clinical notes) ran alone for a second at the end of the 30x benchmark pass.
    """
    groups: list[list[int]] = [[] for _ in range(max(1, min(n, len(files))))]
    heap = [(0, g) for g in range(len(groups))]
    for i in sorted(range(len(files)), key=lambda i: -files[i][3]):
        size, g = heapq.heappop(heap)
        groups[g].append(i)
        heapq.heappush(heap, (size + files[i][3], g))
    return [[files[i] for i in sorted(g)] for g in groups if g]


class ParquetFilesDatasource(Datasource):
    """Some columns of the parquet files under a folder, in blocks of `block_rows` rows.

    For the stage's second pass over its own scratch files. Ray Data's read_parquet would do,
    but it lists files in a task of its own and reads footers in extra actors (each a worker
    process) before the first row: seconds of CPU on a small machine for files whose schema
    the stage wrote itself.
    """

    def __init__(self, uri: str, columns: list[str], block_rows: int = BLOCK_ROWS):
        from mediphi import storage

        super().__init__()
        fs, path = storage.filesystem(uri)
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=True, allow_not_found=True))
        base = uri.rstrip("/")
        self._files = sorted((f"{base}/{i.path[len(path):].lstrip('/')}", i.size) for i in infos
                             if i.type == pafs.FileType.File and i.path.endswith(".parquet"))
        self._columns = columns
        self._block_rows = block_rows

    def estimate_inmemory_data_size(self) -> int:
        return sum(size for _, size in self._files)

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                       data_context=None) -> list[ReadTask]:
        files = [(None, None, uri, size) for uri, size in self._files]
        tasks = []
        for group in _balanced_groups(files, parallelism):
            meta = BlockMetadata(num_rows=None, size_bytes=sum(f[3] for f in group),
                                 input_files=[f[2] for f in group], exec_stats=None)
            read = functools.partial(_read_parquet_files, [f[2] for f in group], self._columns, self._block_rows)
            tasks.append(ReadTask(_named(read), meta, per_task_row_limit=per_task_row_limit))
        return tasks


def _read_parquet_files(uris: list[str], columns: list[str], block_rows: int) -> Iterator[pa.Table]:
    from mediphi import storage

    def batches(uri: str) -> Iterator[pa.Table]:
        fs, path = storage.filesystem(uri)
        with fs.open_input_file(path) as f:
            for batch in pq.ParquetFile(f).iter_batches(batch_size=block_rows, columns=columns):
                yield pa.Table.from_batches([batch])

    for uri in uris:
        yield from _with_retries(functools.partial(batches, uri), uri)


def row(domain: str, source: str, location: str, *, id: str = "", title: str = "", text: str = "",
        meta: dict | None = None, reason: str = "", detail: str = "") -> dict:
    return {"id": id, "domain": domain, "source": source, "location": location, "title": title,
            "text": text, "meta": json.dumps(meta or {}, sort_keys=True), "reason": reason,
            "detail": detail[:500]}


def read_file(f, path: str, domain: str, src: SourceCfg, max_line: int, max_file: int) -> Iterator[dict]:
    """Rows of one file. `f` is a binary stream (a pyarrow NativeFile or any file object)."""
    head = f.read(BINARY_SNIFF)
    if not head.strip():
        rest = f.read(1)
        if not rest:
            yield row(domain, path, "file", reason="empty_file", detail="the file holds no data")
            return
        head += rest
    if b"\x00" in head:
        yield row(domain, path, "file", reason="binary_file", detail="NUL bytes in the first 8 KiB")
        return
    if src.format in ("jsonl", "code_csv", "icd10_order"):
        lines = _lines(head, f, max_line)
        parser = {"jsonl": _jsonl, "code_csv": _code_csv, "icd10_order": _icd10_order}[src.format]
        yield from parser(lines, path, domain, src)
        return
    if src.format == "parquet":
        yield from _parquet(head, f, path, domain, src)
        return
    data = head + f.read(max_file + 1 - len(head))
    if len(data) > max_file:
        yield row(domain, path, "file", reason="file_too_large", detail=f"over max_file_bytes={max_file}")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield row(domain, path, f"offset {exc.start}", reason="invalid_utf8", detail=str(exc))
        return
    yield from (_jats if src.format == "jats" else _text)(text, path, domain, src)


# --- line-oriented formats -------------------------------------------------------------------


def _lines(head: bytes, f, max_line: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) pairs with bounded memory; None for a line over `max_line` bytes."""
    buf, lineno, skipping = head, 0, False
    while True:
        nl = buf.find(b"\n")
        if nl < 0:
            if len(buf) > max_line:  # a line this long is not read into memory
                if not skipping:
                    lineno += 1
                    yield lineno, None
                buf, skipping = b"", True
            chunk = f.read(1 << 20)
            if not chunk:
                if buf and not skipping:
                    yield lineno + 1, buf
                return
            buf += chunk
            continue
        line, buf = buf[:nl], buf[nl + 1:]
        if skipping:
            skipping = False
            continue
        lineno += 1
        if len(line) > max_line:
            yield lineno, None
        else:
            yield lineno, line


def _decoded(lines, path: str, domain: str) -> Iterator[tuple[int, str] | dict]:
    """Decode lines; too-long or non-UTF-8 lines come out as reject rows."""
    for lineno, raw in lines:
        if raw is None:
            yield row(domain, path, f"line {lineno}", reason="line_too_long", detail="over max_line_bytes")
            continue
        try:
            yield lineno, raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            yield row(domain, path, f"line {lineno}", reason="invalid_utf8", detail=str(exc))


def _jsonl(lines, path: str, domain: str, src: SourceCfg) -> Iterator[dict]:
    stem = os.path.basename(path).split(".")[0]
    for item in _decoded(lines, path, domain):
        if isinstance(item, dict):
            yield item
            continue
        lineno, line = item
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield row(domain, path, where, reason="invalid_json", detail=f"{exc}: {line[:120]}")
            continue
        if not isinstance(rec, dict):
            yield row(domain, path, where, reason="invalid_json", detail=f"a {type(rec).__name__}, not an object")
            continue
        yield _record(rec, path, where, domain, src, default_id=f"{stem}-{lineno}")


def _record(rec: dict, path: str, where: str, domain: str, src: SourceCfg, default_id: str) -> dict:
    text = rec.get(src.text_field)
    rid = str(rec.get(src.id_field) or default_id)
    if not isinstance(text, str) or not text.strip():
        got = "missing" if text is None else f"{type(text).__name__} {str(text)[:40]!r}"
        return row(domain, path, where, id=rid, reason="missing_text",
                   detail=f"field {src.text_field!r} is {got}")
    title = rec.get(src.title_field)
    meta = {k: v for k, v in rec.items() if k not in (src.text_field, src.title_field, src.id_field)
            and isinstance(v, str | int | float | bool)}
    return row(domain, path, where, id=rid, title=title if isinstance(title, str) else "", text=text,
               meta=meta)


_CODE = re.compile(r"^[A-Z0-9]{3,7}$")


def _code_docs(entries, path: str, domain: str, src: SourceCfg) -> Iterator[dict]:
    """Group consecutive code lines by their 3-character category into one document each.

    Code tables are sorted by code, so a category's lines are adjacent and a document can be
    emitted as soon as the next category starts (bounded memory).
    """
    group: list[tuple[str, str, int]] = []

    def emit() -> dict:
        cat = group[0][0][:3]
        header = next((d for c, d, _ in group if c == cat), group[0][1])
        body = "\n".join(f"{_dotted(c, src)} {d}" for c, d, _ in group)
        text = f"{src.code_system} category {cat}: {header}\n{body}"
        return row(domain, path, f"line {group[0][2]}", id=f"{src.code_system}:{cat}",
                   title=f"{cat} {header}", text=text, meta={"code_system": src.code_system, "codes": len(group)})

    for item in entries:
        if isinstance(item, dict):
            yield item
            continue
        code, desc, lineno = item
        if group and code[:3] != group[0][0][:3]:
            yield emit()
            group = []
        group.append((code, desc, lineno))
    if group:
        yield emit()


def _dotted(code: str, src: SourceCfg) -> str:
    # ICD-10-CM writes a dot after the category; PCS and other systems do not.
    return f"{code[:3]}.{code[3:]}" if src.code_system == "ICD-10-CM" and len(code) > 3 else code


def _icd10_order(lines, path: str, domain: str, src: SourceCfg) -> Iterator[dict]:
    """CMS order files: order(1-5) code(7-13) billable(15) short(17-76) long(78-)."""

    def entries():
        for item in _decoded(lines, path, domain):
            if isinstance(item, dict):
                yield item
                continue
            lineno, line = item
            if not line.strip():
                continue
            code, flag, desc = line[6:13].strip(), line[14:15], line[77:].strip() or line[16:76].strip()
            if not (line[:5].isdigit() and _CODE.match(code) and flag in ("0", "1") and desc):
                yield row(domain, path, f"line {lineno}", reason="invalid_code_line",
                          detail=f"not a CMS order-file line: {line[:80]!r}")
                continue
            yield code, desc, lineno

    yield from _code_docs(entries(), path, domain, src)


def _code_csv(lines, path: str, domain: str, src: SourceCfg) -> Iterator[dict]:
    def entries():
        header: list[str] | None = None
        for item in _decoded(lines, path, domain):
            if isinstance(item, dict):
                yield item
                continue
            lineno, line = item
            if not line.strip():
                continue
            fields = next(csv.reader([line]))
            if header is None:
                header = fields
                missing = [c for c in (src.code_field, src.description_field) if c not in header]
                if missing:
                    yield row(domain, path, f"line {lineno}", reason="invalid_csv",
                              detail=f"header lacks column(s) {missing}: {header}")
                    return
                continue
            rec = dict(zip(header, fields, strict=False))
            code = rec.get(src.code_field, "").replace(".", "").strip().upper()
            desc = (rec.get(src.description_field) or "").strip()
            if len(fields) != len(header) or not _CODE.match(code) or not desc:
                yield row(domain, path, f"line {lineno}", reason="invalid_code_line",
                          detail=f"expected {len(header)} fields with a code and a description: {line[:80]!r}")
                continue
            yield code, desc, lineno

    yield from _code_docs(entries(), path, domain, src)


def _parquet(head: bytes, f, path: str, domain: str, src: SourceCfg) -> Iterator[dict]:
    try:
        pf = pq.ParquetFile(pa.BufferReader(head + f.read()))
    except (pa.ArrowInvalid, OSError) as exc:
        yield row(domain, path, "file", reason="invalid_parquet", detail=str(exc))
        return
    stem = os.path.basename(path).split(".")[0]
    n = 0
    for batch in pf.iter_batches(batch_size=BLOCK_ROWS):
        for rec in batch.to_pylist():
            yield _record(rec, path, f"row {n}", domain, src, default_id=f"{stem}-{n}")
            n += 1


# --- whole-file formats ----------------------------------------------------------------------


def _text(text: str, path: str, domain: str, src: SourceCfg) -> Iterator[dict]:
    stem = os.path.basename(path).rsplit(".", 1)[0]
    first = text.strip().split("\n", 1)[0][:200]
    yield row(domain, path, "file", id=stem, title=first, text=text)


# JATS elements whose text is not article prose: citations markers, figures, formulas, refs.
_JATS_SKIP = {"xref", "fig", "fig-group", "disp-formula", "inline-formula", "ref-list", "supplementary-material",
              "table-wrap-foot", "graphic", "media", "object-id", "label"}


def _jats(text: str, path: str, domain: str, src: SourceCfg) -> Iterator[dict]:
    # Entity declarations are refused before parsing: they are what XML bombs and external
    # references need, and JATS articles do not declare entities. Past that check the C parser
    # is safe (expat >= 2.4.1 also limits amplification) and about 2.5x faster than
    # defusedxml's, whose Python-level callbacks made XML parsing the stage's costliest read.
    if "<!ENTITY" in text:
        yield row(domain, path, "file", reason="invalid_xml",
                  detail="entity declarations are refused (entity expansion, external references)")
        return
    try:
        root = ElementTree.fromstring(text)
    except ParseError as exc:
        line, col = exc.position
        yield row(domain, path, f"line {line} col {col}", reason="invalid_xml", detail=str(exc))
        return
    root = _strip_ns(root)
    meta_el = root.find("front/article-meta")
    if meta_el is None:
        yield row(domain, path, "file", reason="invalid_xml", detail="no front/article-meta: not a JATS article")
        return
    title = _flat(meta_el.find("title-group/article-title"))
    ids = {el.get("pub-id-type", "id"): (el.text or "").strip() for el in meta_el.findall("article-id")}
    parts = [title] if title else []
    for abstract in meta_el.findall("abstract"):
        if abstract.get("abstract-type") in ("graphical", "teaser"):
            continue
        parts.append("Abstract")
        parts += _section_text(abstract)
    body = root.find("body")
    if body is not None:
        parts += _section_text(body)
    journal = _flat(root.find("front/journal-meta/journal-title-group/journal-title"))
    year = (meta_el.findtext("pub-date/year") or "").strip()
    rid = ids.get("pmc") or ids.get("pmid") or os.path.basename(path).rsplit(".", 1)[0]
    meta = {k: v for k, v in {"journal": journal, "year": year, **ids}.items() if v}
    yield row(domain, path, "file", id=rid, title=title, text="\n\n".join(p for p in parts if p), meta=meta)


def _strip_ns(el: Element) -> Element:
    for node in el.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]
    return el


def _flat(el: Element | None) -> str:
    """The element's prose: its text and its children's, without skipped elements."""
    if el is None:
        return ""
    out = [el.text or ""]
    for child in el:
        if child.tag not in _JATS_SKIP:
            out.append(_flat(child))
        out.append(child.tail or "")
    return " ".join("".join(out).split())  # runs of whitespace to one space, stripped


def _section_text(el: Element) -> list[str]:
    """Paragraphs and section titles in reading order; tables flattened to rows of cells."""
    out: list[str] = []
    for child in el:
        tag = child.tag
        if tag == "title":
            out.append(_flat(child))
        elif tag == "sec":
            out += _section_text(child)
        elif tag in ("p", "list", "def-list", "boxed-text", "disp-quote"):
            out.append(_flat(child))
        elif tag == "table-wrap":
            out.append(_table_text(child))
    return [p for p in out if p]


def _table_text(wrap: Element) -> str:
    caption = _flat(wrap.find("caption"))
    lines = [f"Table: {caption}"] if caption else []
    for tr in wrap.iter("tr"):
        cells = [_flat(c) for c in tr if c.tag in ("td", "th")]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def read_local(path: str, domain: str, src: SourceCfg, max_line: int = 4_000_000,
               max_file: int = 256_000_000) -> list[dict]:
    """All rows of one local file, without Ray (tests, debugging)."""
    with open(path, "rb") as f:
        return list(read_file(io.BufferedReader(f), path, domain, src, max_line, max_file))
