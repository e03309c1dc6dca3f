"""presswash inside datatrove pipelines (`pip install 'presswash[datatrove]'`), so an archive of WARC files can
be cleaned by datatrove's local, Slurm or Ray executors:

    LocalPipelineExecutor(pipeline=[PresswashWarcReader("warcs/"), PresswashStep(),
                                    JsonlWriter("out/", adapter=presswash_record)], tasks=2)

- ``PresswashWarcReader`` is a datatrove disk reader, like its WarcReader (the same file listing, sharding
  across tasks, fsspec file systems, limit and skip), reading each file with presswash's own WARC source
  (scraper/offline/sources/warc.py): the same Pages as `presswash clean` builds, with the raw bytes and the
  HTTP headers (charset, Content-Language), the same choice of records and the same errors for damaged
  files. The stock WarcReader decodes the HTML itself and keeps no HTTP headers, so a record made from its
  Documents can differ from clean's (``page_of``); it also needs cchardet and libmagic, which this one does not.
- ``PresswashStep`` runs the same ``Page -> Article | Failure`` flow as `presswash clean`
  (scraper/offline/batch.py process_pages: the Processor under the time limit, in worker processes). Each
  outcome leaves as a Document whose text is the clean text and whose metadata is the rest of the record;
  a failure is a Document too, with the reason in ``metadata["error"]``.
- ``presswash_record``, a writer adapter, writes the record as `presswash clean` does, key for key.

A record's ``source`` is ``PATH#N``, PATH being the file's path inside the reader's folder: `presswash clean`
run from that folder on the same paths writes the same records (same ids, too).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.readers.base import BaseDiskReader

from scraper.core.document import RECORD_FIELDS, Page
from scraper.core.process import DEFAULT_MAX_BYTES, Options
from scraper.offline.batch import process_pages
from scraper.offline.stories import placed
from scraper.offline.sources.warc import warc_pages

PAGE_KEY = "presswash_page"  # the Page a PresswashWarcReader Document was read as, in its metadata


class PresswashWarcReader(BaseDiskReader):
    """WARC files read by presswash's WARC source. ``max_bytes`` is `clean --max-size` (a record over it
    becomes an error record); the other arguments are those of datatrove's disk readers (``glob_pattern``,
    ``paths_file``, ``limit``, ...). A gzipped WARC file is read as it is, member by member, by warcio."""

    name = "🕷 Warc (presswash)"
    _requires_dependencies = ["warcio"]

    def __init__(self, data_folder: Any, max_bytes: int = DEFAULT_MAX_BYTES, **kwargs: Any):
        super().__init__(data_folder, **kwargs)
        self.max_bytes = max_bytes

    def read_file(self, filepath: str) -> Iterator[Document]:
        stream = self.data_folder.open(filepath, "rb")
        for page in warc_pages(stream, filepath, self.max_bytes):
            metadata = {"url": page.url, "date": page.fetched_at, PAGE_KEY: page}
            if self.add_file_path:
                metadata["file_path"] = self.data_folder.resolve_paths(filepath)
            # The text is for datatrove's statistics and for a person looking; the step reads the bytes.
            yield Document(text=page.body.decode("utf-8", "replace"), id=page.source, metadata=metadata)


def page_of(document: Document) -> Page:
    """The Page a Document stands for: the one PresswashWarcReader read, else one made from what any
    datatrove reader gives (the stock WarcReader: the HTML as text, its URL and date). Such a page has lost
    its bytes and HTTP headers, so its charset and language may be decided otherwise than by `clean`."""
    page = document.metadata.get(PAGE_KEY)
    if isinstance(page, Page):
        return page
    return Page(body=document.text.encode("utf-8", "surrogatepass"), source=str(document.id),
                url=document.metadata.get("url"), fetched_at=document.metadata.get("date"),
                headers={"content-type": "text/html; charset=utf-8"})


class PresswashStep(PipelineStep):
    """`presswash clean` as a datatrove step: Documents in, one Document per record out (errors included).
    ``options`` are clean's options (scraper.core.process.Options); ``jobs`` worker processes per task.
    Each task places its documents among its own earlier ones, as `presswash clean` does within its run
    (docs/stories.md): tasks are not compared with each other."""

    name = "🧼 presswash"
    type = "🛢 - EXTRAC"

    def __init__(self, options: Options | None = None, jobs: int = 1):
        super().__init__()
        self.options = options or Options()
        self.jobs = jobs

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        for outcome in placed(process_pages((page_of(document) for document in data), self.options, self.jobs)):
            record = outcome.to_record()
            self.stat_update("articles" if outcome.ok else "errors")
            document = Document(text=record.pop("text") or "", id=record["id"], metadata=record)
            self.update_doc_stats(document)
            yield document


def presswash_record(writer: Any, document: Document) -> dict[str, Any]:
    """A writer adapter (``JsonlWriter(..., adapter=presswash_record)``): the Document of a PresswashStep as
    the record `presswash clean` writes, its keys in the same order."""
    record = {name: document.metadata.get(name) for name in RECORD_FIELDS}
    record["text"] = document.text if record["error"] is None else None
    return record
