"""``lienthong search_index``: rebuild or update the document search index (issue #4, scope 7).

``--rebuild`` rebuilds the other registered collections too (the library of Party
documents, issue #9 scope 5), each with the same backend.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lienthong.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of documents from the database (--rebuild), or "
        "update it for some documents (--update ID …). The backend is LIENTHONG_SEARCH_BACKEND "
        "(tantivy: the index under DATA_DIR/search/; postgres: adds the stored search_vector "
        "column, its GIN index and an (id, unit_id) btree). --rebuild also rebuilds the other "
        "searched collections (the library of Party documents)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--rebuild", action="store_true", help="index every document again, from scratch"
        )
        action.add_argument(
            "--update",
            type=int,
            nargs="+",
            metavar="ID",
            help="index these documents again (or drop them from the index if deleted)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help='print one JSON line: {"backend", "action", "documents", "seconds"}',
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from lienthong.documents.search import collection_rebuild, collections, get_backend
        from lienthong.documents.search.tasks import update_document_index

        if not options["rebuild"] and not options["update"]:
            raise CommandError("say what to do: --rebuild or --update ID …")
        started = time.perf_counter()
        rebuilt: dict[str, int] = {}
        try:
            backend = get_backend()
            if options["rebuild"]:
                action = "rebuild"
                show = not options["json"] and not options["no_progress"]
                bar = tqdm(total=0, unit="doc", desc="search index", disable=not show)

                def progress(done: int, total: int) -> None:
                    if bar.total != total:
                        bar.total = total
                    bar.update(done - bar.n)

                try:
                    count = backend.rebuild(progress=progress)
                finally:
                    bar.close()
                for collection in collections():
                    rebuilt[collection.name] = collection_rebuild(collection.name, backend=backend)
            else:
                action = "update"
                count = 0
                for document_id in options["update"]:
                    update_document_index.call(document_id)
                    count += 1
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        seconds = round(time.perf_counter() - started, 2)
        if options["json"]:
            summary = {
                "backend": backend.name,
                "action": action,
                "documents": count,
                "collections": rebuilt,
                "seconds": seconds,
            }
            self.stdout.write(json.dumps(summary))
        else:
            others = "".join(f", {n} in {name}" for name, n in rebuilt.items())
            self.stdout.write(
                f"{backend.name}: {action}, {count} document(s){others} in {seconds} s"
            )
