"""``python -m tests.support.fake_cli ARGS``: the ``reader`` command with the fake backend registered, for
tests that need a real process (to kill it, or to run it beside another writer).

READER_MODEL names a fake model folder (``tests.support.models.fake_model_folder``) and
READER_BACKEND=fake, as the ``fake_model`` fixture sets them; FAKE_DELAY (seconds) makes every model
call take that long, so a kill lands while work is in flight; FAKE_LOG names a file that gets every sentence
the model is given, one a line; FAKE_READ_WHOLE=1 reads a long PDF whole before its first part, on a first
run and on a rerun (what both did before ``reader.library.parts.resume_article`` read it a window at a time).
``python -m tests.support.fake_cli --serve`` is ``python -m reader.serve``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from reader.models import folder
from reader.translate import registry
from reader.translate.base import Translation
from tests.support.fake import FakeTranslator


class SlowFake(FakeTranslator):
    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        time.sleep(float(os.environ.get("FAKE_DELAY", "0")))
        if os.environ.get("FAKE_LOG"):
            with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as log:
                log.writelines(f"{sentence}\n" for sentence in sentences)
        return super().translate_batch(sentences)


def main() -> None:
    from reader.cli import main as reader

    registry.register("fake", lambda model_dir, **_: SlowFake(model_fingerprint=folder.fingerprint(Path(model_dir))))
    if os.environ.get("FAKE_READ_WHOLE"):  # a long PDF read whole first, as before (the benchmark's baseline)
        from reader.library import parts

        parts.resume_article = lambda *_, **__: None
    if sys.argv[1:] == ["--serve"]:  # ``python -m reader.serve`` (tests/support/serve.py), on the fake backend
        from reader.serve.options import ServeOptions
        from reader.serve.run import serve

        serve(ServeOptions.from_env())
        return
    reader()


if __name__ == "__main__":
    main()
