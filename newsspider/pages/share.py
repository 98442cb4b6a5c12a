"""Parser of the outlet's article API (``…/NewsData/GetNewsText.do?id=<infoCode>``).

The real response shape is not public. The contract the project assumes (see the spec's
"Share links"): a JSON object with the body HTML under ``text`` (most feeds) or ``content``
(the rolling feed), optionally ``title``, ``showtime`` (``YYYY-MM-DD HH:MM:SS``, Beijing time)
and ``medianame``. The object may also come wrapped in a ``data``/``result`` envelope. Once the
real shape is known, it is a new parser version here and nowhere else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from lxml import etree
from lxml.html import fragment_fromstring
from w3lib.encoding import http_content_type_encoding


class ShareFailure(StrEnum):
    """The API's known failure forms; each is counted in stats under its value."""

    NOT_JSON = "not_json"
    NOT_AN_OBJECT = "not_an_object"
    ERROR = "error"  # 200 with an ``error`` key
    EMPTY_BODY = "empty_body"
    HTTP_ERROR = "http_error"  # 4xx/5xx, timeouts, refused connections


class ShareApiError(ValueError):
    def __init__(self, failure: ShareFailure, detail: str) -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ShareArticle:
    body_html: str
    title: str | None = None
    showtime: str | None = None
    medianame: str | None = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


#: Chinese servers often send GBK without saying so; GB18030 reads GBK and GB2312 too.
FALLBACK_ENCODING = "gb18030"


def decode_api_body(body: bytes, content_type: str | None) -> str:
    """The API's answer as text: in the Unicode encoding JSON's own rules detect (UTF-8, -16
    or -32, which JSON must be in), else in the charset its ``Content-Type`` names, else in
    :data:`FALLBACK_ENCODING`. Unicode goes first because servers often declare a charset
    their text is not in, and GBK's Chinese text does not pass for UTF-8."""
    declared = http_content_type_encoding(content_type) if content_type else None
    for encoding in (json.detect_encoding(body), declared, FALLBACK_ENCODING):
        if encoding is None:
            continue
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ShareApiError(
        ShareFailure.NOT_JSON,
        f"the body is not text in UTF-8, {declared or 'a declared charset'} or {FALLBACK_ENCODING}",
    )


class ShareArticleV1:
    """The assumed shape: ``{"title", "showtime", "medianame", "text" | "content"}``."""

    body_keys: ClassVar[tuple[str, ...]] = ("text", "content")
    envelope_keys: ClassVar[tuple[str, ...]] = ("data", "result")

    def parse(self, body: str | bytes) -> ShareArticle:
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ShareApiError(ShareFailure.NOT_JSON, f"the body is not JSON ({error})") from None
        if not isinstance(data, dict):
            raise ShareApiError(
                ShareFailure.NOT_AN_OBJECT, f"JSON {type(data).__name__}, not an object"
            )
        self._raise_error(data)
        # An envelope holds the article only when the top level does not: a ``data`` key
        # beside a top-level ``text`` is something else (counters, ads).
        if self._body(data) is None:
            for key in self.envelope_keys:
                if isinstance(data.get(key), dict):
                    data = data[key]
                    self._raise_error(data)
                    break
        body_html = self._body(data)
        if body_html is None:
            raise ShareApiError(
                ShareFailure.EMPTY_BODY, "no article text under 'text' or 'content'"
            )
        if not _shows_something(body_html):
            raise ShareApiError(
                ShareFailure.EMPTY_BODY, f"the article HTML shows no text: {body_html[:80]!r}"
            )
        return ShareArticle(
            body_html=body_html,
            title=_text(data.get("title")),
            showtime=_text(data.get("showtime")),
            medianame=_text(data.get("medianame")),
        )

    def _body(self, data: dict[str, Any]) -> str | None:
        return next((_text(data.get(key)) for key in self.body_keys if _text(data.get(key))), None)

    @staticmethod
    def _raise_error(data: dict[str, Any]) -> None:
        if data.get("error"):
            raise ShareApiError(ShareFailure.ERROR, f"the API says {str(data['error'])[:200]!r}")


def _shows_something(body_html: str) -> bool:
    """The HTML shows some text or an image (``<p></p>`` and ``<p>&nbsp;</p>`` do not)."""
    try:
        root = fragment_fromstring(body_html, create_parent="div")
    except (etree.LxmlError, ValueError):
        return True  # unparseable here: the cleaning decides
    return any(text.strip() for text in root.itertext()) or next(root.iter("img"), None) is not None
