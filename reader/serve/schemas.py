"""The shapes the server's OpenAPI document gives its requests and answers (pydantic models).

The interchange format itself is ``reader.document`` (docs/format.md); these models only describe it
to OpenAPI and to clients generated from it, and check what comes in.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_TEXT_CHARS = 1_000_000


class Error(BaseModel):
    error: str = Field(description="Why the request failed, in one line (LibreTranslate's error shape).")


class DetectedLanguage(BaseModel):
    language: str
    confidence: float = Field(ge=0, le=100)


class Language(BaseModel):
    code: str
    name: str
    targets: list[str]


class LtTranslation(BaseModel):
    translatedText: str | list[str]
    alternatives: list[str] | list[list[str]] | None = None
    detectedLanguage: DetectedLanguage | list[DetectedLanguage] | None = None


LT_TRANSLATE_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["q", "source", "target"],
    "properties": {
        "q": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "Text(s) to translate; an array is answered with an array",
        },
        "source": {"type": "string", "enum": ["ar", "auto"], "description": "Source language code"},
        "target": {"type": "string", "enum": ["en"], "description": "Target language code"},
        "format": {"type": "string", "enum": ["text", "html"], "default": "text"},
        "alternatives": {"type": "integer", "minimum": 0, "maximum": 3, "default": 0},
        "api_key": {"type": "string"},
    },
}
"""LibreTranslate's /translate body, sent as JSON or form-encoded (a repeated ``q`` field is an array)."""

LT_DETECT_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["q"],
    "properties": {"q": {"type": "string"}, "api_key": {"type": "string"}},
}


def body_of(schema: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` for an endpoint that reads the same fields as JSON or as a form."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
            },
        }
    }


class Edit(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: str
    alignment: list[list[int]] = []
    how: str = ""
    at: str = ""
    by: str = ""


class Sentence(BaseModel):
    model_config = ConfigDict(extra="allow")
    start: int
    end: int
    source: str
    translation: str
    alignment: list[list[int]] = Field(description="[source word, English word] pairs, words as str.split() gives")
    score: float | None
    flags: list[str]
    edit: Edit | None = None
    glossary: list[str] = []


class ParagraphOut(BaseModel):
    start: int
    end: int
    sentences: list[Sentence]


class DocumentOut(BaseModel):
    """A translated document in the interchange format (docs/format.md)."""

    model_config = ConfigDict(extra="allow")
    format: Literal["reader.document"]
    version: int
    meta: dict[str, str]
    text: str
    paragraphs: list[ParagraphOut]
    id: str | None = Field(None, description="The library id, when the document was saved")


class TextRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="Arabic text (plain, or an HTML page)")
    title: str = Field("", max_length=2000)
    save: bool = Field(False, description="Keep the translation in the library (needs a write key when keys exist)")


class UrlRequest(BaseModel):
    url: str = Field(min_length=1, max_length=4000, pattern=r"^https?://")
    save: bool = False


class Row(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    title_en: str
    source: str
    feed: str
    date: str
    translated: str
    sentences: int
    flagged: int
    model: str


class DocumentList(BaseModel):
    total: int
    documents: list[Row]


class HitOut(BaseModel):
    sentence: int | None
    source: str
    translation: str


class SearchResult(BaseModel):
    document: Row
    hits: list[HitOut]
    more: bool


class SearchPage(BaseModel):
    query: str
    total: int
    results: list[SearchResult]


class FeedOut(BaseModel):
    url: str
    title: str
    auto_translate: bool
    last_checked: float | None
    last_error: str


class FeedRequest(BaseModel):
    url: str = Field(min_length=1, max_length=4000, pattern=r"^https?://")
    title: str = Field("", max_length=2000)
    auto_translate: bool = True


class FeedLink(BaseModel):
    source: str = Field(description="The source feed's URL; empty for the whole library's feed")
    atom: str
    json_feed: str = Field(alias="json")


class EditOut(BaseModel):
    sentence: int
    source: str
    translation: str
    shown: str
    edit: Edit | None


class EditRequest(BaseModel):
    text: str = Field(max_length=20_000, description="The reader's version; empty reverts to the machine's")


class Health(BaseModel):
    status: Literal["ok"]
    model: str
    fingerprint: str
    process: int = Field(description="the id of the worker process that answered (one of --workers)")
    lone_sentence: Literal["every core", "one core"] = Field(
        description="where a request alone in the server is translated: the model's copy that runs on every core, "
        "or one worker (whichever translated a sentence faster when the server started)"
    )
    batcher: dict[str, int] = Field(
        description="batches, sentences, largest (sentences in one batch), most_requests (in one batch), waiting"
    )
