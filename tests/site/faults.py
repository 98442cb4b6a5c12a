"""Seeded, reproducible fault injection for the local test site.

A :class:`FaultySiteServer` is a :class:`~tests.site.server.SiteServer` (same
interface: context manager, ``base_url``, ``requests``, ``clear()``, ``root``)
that follows a :class:`FaultPlan`: which URL path gets which fault, and whether
the fault is **transient** (the first ``failures`` requests of that path fail,
then it is served normally, so the crawler's retries or a re-run recover it) or
**permanent** (every request of it). In a crawl test::

    plan = FaultPlan.for_site(site_dir, seed=7)  # every class, 30 % of the posts
    with FaultySiteServer(site_dir, plan, slow_seconds=3) as server:
        result = run_crawl("finews", tmp_path,
                           args={"base_url": server.base_url, "follow_share": "false"},
                           settings={"DOWNLOAD_TIMEOUT": "1"})
    archived = {record["id"] for record in result.records()}
    assert set(plan.recovered_ids) | set(plan.archived_ids) <= archived, plan.summary()
    assert not set(plan.reported_ids) & archived  # and each is in the run manifest's failed
    assert server.injected[FAULT_RESET] == K * len(plan.paths_with(FAULT_RESET))

Fault classes (constants below; :data:`ALL_FAULTS`):

- ``5xx_burst``: 503, 502, 500, 504 (in turn) for the first K requests; transient.
- ``reset``: the connection is reset (``SO_LINGER`` 0, then close) without an
  answer; transient. Logged in :attr:`FaultySiteServer.requests` with status 0.
- ``slow``: the answer comes after ``slow_seconds`` (3 s by default: past a
  crawler run with ``DOWNLOAD_TIMEOUT=1``); transient.
- ``truncated``: ``Content-Length`` of the whole page, half of it sent, then the
  connection is closed; transient.
- ``empty_200`` / ``garbage_200``: 200 with an empty body / with random binary
  bytes (seeded by the plan's seed, the path and the attempt); transient.
- ``429``: 429 with ``Retry-After`` (1 s by default); transient.
- ``redirect_loop``: 302 ``A`` -> ``A?_fault_loop=1`` -> ``A`` -> … (with
  ``redirect_style="self"``: 302 to the very URL requested; ``"chain"``:
  ``A?_fault_loop=N`` -> ``A?_fault_loop=N+1``, never a repeated URL, so only a
  redirect limit ends it); permanent: the crawler must give up and report it.
  (Scrapy's dupefilter drops a redirect back to a URL already requested.)
- ``gbk_header``: the page re-encoded in GBK (characters GBK lacks as
  character references), ``Content-Type: text/html; charset=gbk``, its
  ``<meta charset>`` removed; permanent, must be archived.
- ``gbk_sniff``: the page in GB18030 (GBK's superset: byte-identical for GBK's
  characters), ``Content-Type: text/html`` and no ``<meta charset>``: nothing
  declares the encoding; permanent, must be archived (by detection).
- ``huge``: the page padded to ``huge_bytes`` (10 MiB by default) with a hidden
  comment before ``</body>``, always sent uncompressed with its true
  ``Content-Length``; permanent: the crawler's size limit decides (reported).
- ``malformed``: the page with broken markup (a duplicated ``<body>``, stray end
  tags, an attribute missing its closing quote, unclosed elements, a truncated
  tag after ``</html>``) but the ``<section>`` content untouched; permanent,
  must be archived.

The plan is drawn by :meth:`FaultPlan.build` with ``random.Random(seed)`` over
the sorted post paths; listings may be faulted too, with transient classes only.
Faults of the share host are :mod:`tests.site.share_server`'s own (per id, see
its ``FAULT_MODES``); :func:`plan_share_faults` draws a seeded table for it.

Every fault served is counted per class in :attr:`FaultySiteServer.injected`
and logged in :attr:`FaultySiteServer.injections`.
"""

from __future__ import annotations

import hashlib
import random
import re
import socket
import struct
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from typing import Literal, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from tests.site.server import (
    CACHE_CONTROL,
    RequestRecord,
    SiteServer,
    _content_type,
    _Handler,
    _HTTPServer,
)
from tests.site.share_server import FAULT_MODES as SHARE_FAULT_MODES

__all__ = [
    "ALL_FAULTS",
    "ARCHIVED_FAULTS",
    "DEFAULT_HUGE_BYTES",
    "DEFAULT_SLOW_SECONDS",
    "FAULT_5XX_BURST",
    "FAULT_429",
    "FAULT_EMPTY_200",
    "FAULT_GARBAGE_200",
    "FAULT_GBK_HEADER",
    "FAULT_GBK_SNIFF",
    "FAULT_HUGE",
    "FAULT_MALFORMED",
    "FAULT_REDIRECT_LOOP",
    "FAULT_RESET",
    "FAULT_SLOW",
    "FAULT_TRUNCATED",
    "LOOP_MARKER",
    "PERMANENT_FAULTS",
    "REPORTED_FAULTS",
    "TRANSIENT_FAULTS",
    "Fault",
    "FaultPlan",
    "FaultySiteServer",
    "Injection",
    "listing_paths",
    "malform",
    "plan_share_faults",
    "post_id_of",
    "post_paths",
    "strip_meta_charset",
]

FAULT_5XX_BURST = "5xx_burst"
FAULT_RESET = "reset"
FAULT_SLOW = "slow"
FAULT_TRUNCATED = "truncated"
FAULT_EMPTY_200 = "empty_200"
FAULT_GARBAGE_200 = "garbage_200"
FAULT_429 = "429"
FAULT_REDIRECT_LOOP = "redirect_loop"
FAULT_GBK_HEADER = "gbk_header"
FAULT_GBK_SNIFF = "gbk_sniff"
FAULT_HUGE = "huge"
FAULT_MALFORMED = "malformed"

#: Fail the first K requests of a path, then serve it normally: every article recovers.
TRANSIENT_FAULTS = frozenset(
    {
        FAULT_5XX_BURST,
        FAULT_RESET,
        FAULT_SLOW,
        FAULT_TRUNCATED,
        FAULT_EMPTY_200,
        FAULT_GARBAGE_200,
        FAULT_429,
    }
)
#: Permanent faults whose article cannot be archived: the run must report it.
REPORTED_FAULTS = frozenset({FAULT_REDIRECT_LOOP, FAULT_HUGE})
#: Permanent faults whose article must still be archived, with the right text.
ARCHIVED_FAULTS = frozenset({FAULT_GBK_HEADER, FAULT_GBK_SNIFF, FAULT_MALFORMED})
PERMANENT_FAULTS = REPORTED_FAULTS | ARCHIVED_FAULTS
ALL_FAULTS = TRANSIENT_FAULTS | PERMANENT_FAULTS

DEFAULT_SLOW_SECONDS = 3.0
DEFAULT_HUGE_BYTES = 10 * 1024 * 1024
DEFAULT_RETRY_AFTER = 1
DEFAULT_GARBAGE_BYTES = 4096
#: Query parameter of the hops of a ``redirect_loop`` after the first.
LOOP_MARKER = "_fault_loop"

_BURST_STATUSES = (503, 502, 500, 504)
_POST_PATH = re.compile(r"/\d{4}/\d{2}/\d{2}/[^/]+\.html$")
_HTML_TYPE = "text/html; charset=utf-8"

_META_CHARSET = re.compile(
    r"[ \t]*<meta\s+charset\s*=\s*[\"']?[\w.:-]*[\"']?\s*/?>[ \t]*\r?\n?", re.I
)
_META_CONTENT_TYPE = re.compile(
    r"[ \t]*<meta\s[^>]*http-equiv\s*=\s*[\"']?content-type[\"']?[^>]*>[ \t]*\r?\n?", re.I
)
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.I)


# -- the site's paths -------------------------------------------------------------


def post_paths(root: Path) -> list[str]:
    """URL paths (unquoted, as the site links them) of every post page under ``root``, sorted.

    A post page is ``…/YYYY/MM/DD/NAME.html``.
    """
    root = Path(root)
    found = []
    for page in root.rglob("*.html"):
        path = "/" + page.relative_to(root).as_posix()
        if page.is_file() and _POST_PATH.search(path):
            found.append(path)
    return sorted(found)


def listing_paths(root: Path) -> list[str]:
    """URL paths of the listings under ``root``: ``/``, ``/emnews/``, ``/category/*.html``."""
    root = Path(root)
    found = []
    if (root / "index.html").is_file():
        found.append("/")
    for index in sorted(root.glob("*/index.html")):
        if index.parent.name not in {"category", "assets"}:
            found.append(f"/{index.parent.name}/")
    found.extend(f"/category/{page.name}" for page in sorted((root / "category").glob("*.html")))
    return sorted(found)


def post_id_of(path: str) -> str:
    """The post id of a post path: its file name without ``.html``."""
    return PurePosixPath(path).stem


def _request_key(target: str) -> str:
    """The unquoted path of a request target (origin- or absolute-form), query dropped."""
    target = target.partition("#")[0]
    raw_path = target.partition("?")[0] if target.startswith("/") else urlsplit(target).path
    return unquote(raw_path or "/", errors="replace")


def _key_candidates(key: str) -> Iterator[str]:
    """``key`` and the other spellings the site's server maps to the same page."""
    yield key
    if key.endswith("/index.html"):
        yield key.removesuffix("index.html")
    elif key.endswith("/"):
        yield key + "index.html"
    elif not key.endswith(".html"):
        yield key + ".html"
        yield key + "/"


# -- the plan ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One path's fault: ``failures`` is K for a transient fault, ``None`` for a permanent one."""

    path: str
    kind: str
    failures: int | None

    def __post_init__(self) -> None:
        if self.kind not in ALL_FAULTS:
            raise ValueError(f"unknown fault {self.kind!r}; expected one of {sorted(ALL_FAULTS)}")
        if self.failures is not None and self.failures < 1:
            raise ValueError(f"a transient fault fails at least once, not {self.failures}")

    @property
    def transient(self) -> bool:
        return self.failures is not None

    @property
    def post_id(self) -> str | None:
        """The post id, or ``None`` for a listing."""
        return post_id_of(self.path) if _POST_PATH.search(self.path) else None

    @property
    def outcome(self) -> Literal["recovered", "reported", "archived"]:
        """What a correct crawl does with the page: recover it, report it, or archive it."""
        if self.transient:
            return "recovered"
        return "reported" if self.kind in REPORTED_FAULTS else "archived"

    def active(self, attempt: int) -> bool:
        """Whether request number ``attempt`` (1-based) of the path is faulted."""
        return self.failures is None or attempt <= self.failures


@dataclass(frozen=True)
class FaultPlan:
    """Which path (unquoted URL path, as in :func:`post_paths`) gets which :class:`Fault`."""

    faults: Mapping[str, Fault] = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self) -> None:
        for path, fault in self.faults.items():
            if fault.path != path:
                raise ValueError(f"fault for {path!r} names {fault.path!r}")

    # -- construction ---------------------------------------------------------

    @classmethod
    def build(
        cls,
        paths: Iterable[str],
        seed: int,
        classes: Collection[str] = ALL_FAULTS,
        *,
        share: float = 0.3,
        transient_failures: int = 2,
        listings: Iterable[str] = (),
        listing_share: float = 0.3,
    ) -> FaultPlan:
        """Draw a plan with ``random.Random(seed)``.

        ``max(round(share * N), len(classes))`` of the ``N`` post ``paths`` (at
        most ``N``) are faulted, the enabled ``classes`` dealt out in turn (so
        each class gets a path when there are enough) in a seeded order.
        Transient classes fail ``transient_failures`` times, the others always.
        ``listings`` (optional) get ``round(listing_share * L)`` (at least one)
        faults of the transient classes among ``classes`` only. The same
        arguments always give the same plan.
        """
        kinds = sorted(set(classes))
        unknown = set(kinds) - ALL_FAULTS
        if unknown:
            raise ValueError(f"unknown fault classes {sorted(unknown)}")
        if not 0 <= share <= 1 or not 0 <= listing_share <= 1:
            raise ValueError("share and listing_share are fractions between 0 and 1")
        rng = random.Random(seed)
        faults: dict[str, Fault] = {}

        pool = sorted(set(paths))
        count = min(len(pool), max(round(share * len(pool)), len(kinds))) if kinds else 0
        chosen = rng.sample(pool, count)
        dealt = [kinds[i % len(kinds)] for i in range(count)]
        rng.shuffle(dealt)
        for path, kind in zip(chosen, dealt, strict=True):
            failures = transient_failures if kind in TRANSIENT_FAULTS else None
            faults[path] = Fault(path, kind, failures)

        listing_kinds = [kind for kind in kinds if kind in TRANSIENT_FAULTS]
        listing_pool = sorted(set(listings) - set(faults))
        if listing_pool and listing_kinds and listing_share > 0:
            count = min(len(listing_pool), max(1, round(listing_share * len(listing_pool))))
            for path in rng.sample(listing_pool, count):
                faults[path] = Fault(path, rng.choice(listing_kinds), transient_failures)
        return cls(dict(sorted(faults.items())), seed)

    @classmethod
    def for_site(
        cls,
        root: Path,
        seed: int,
        classes: Collection[str] = ALL_FAULTS,
        *,
        share: float = 0.3,
        transient_failures: int = 2,
        fault_listings: bool = False,
        listing_share: float = 0.3,
    ) -> FaultPlan:
        """:meth:`build` over the posts (and, with ``fault_listings``, listings) of a built site."""
        return cls.build(
            post_paths(root),
            seed,
            classes,
            share=share,
            transient_failures=transient_failures,
            listings=listing_paths(root) if fault_listings else (),
            listing_share=listing_share,
        )

    @classmethod
    def of(
        cls, faults: Mapping[str, str], *, transient_failures: int = 2, seed: int = 0
    ) -> FaultPlan:
        """A hand-made plan: path -> fault class (transient or permanent as the class is)."""
        return cls(
            {
                path: Fault(path, kind, transient_failures if kind in TRANSIENT_FAULTS else None)
                for path, kind in sorted(faults.items())
            },
            seed,
        )

    # -- queries ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.faults)

    def __iter__(self) -> Iterator[Fault]:
        return iter(self.faults.values())

    def fault_for(self, path: str) -> Fault | None:
        """The fault of a path (unquoted, any spelling the server maps to the same page)."""
        for key in _key_candidates(path):
            fault = self.faults.get(key)
            if fault is not None:
                return fault
        return None

    def paths_with(self, *kinds: str) -> list[str]:
        """Sorted paths with one of ``kinds`` (every faulted path without ``kinds``)."""
        return [f.path for f in self if not kinds or f.kind in kinds]

    def by_kind(self) -> dict[str, list[str]]:
        """Fault class -> sorted paths."""
        table: dict[str, list[str]] = {}
        for fault in self:
            table.setdefault(fault.kind, []).append(fault.path)
        return dict(sorted(table.items()))

    def ids(self, *kinds: str) -> list[str]:
        """Sorted post ids with one of ``kinds`` (every faulted post without ``kinds``)."""
        return sorted(
            f.post_id for f in self if f.post_id is not None and (not kinds or f.kind in kinds)
        )

    def _ids_by_outcome(self, outcome: str) -> list[str]:
        return sorted(f.post_id for f in self if f.post_id is not None and f.outcome == outcome)

    @property
    def reported_ids(self) -> list[str]:
        """Posts no correct crawl can archive (redirect loop, huge): they must be reported."""
        return self._ids_by_outcome("reported")

    @property
    def archived_ids(self) -> list[str]:
        """Posts with permanent faults that must still be archived (GBK, malformed)."""
        return self._ids_by_outcome("archived")

    @property
    def recovered_ids(self) -> list[str]:
        """Posts with transient faults: archived once the retries (or a re-run) get through."""
        return self._ids_by_outcome("recovered")

    @property
    def listings(self) -> list[str]:
        """Faulted paths that are not posts."""
        return [f.path for f in self if f.post_id is None]

    def summary(self) -> str:
        """One line per fault, for assertion messages and logs."""
        lines = [f"FaultPlan(seed={self.seed}, {len(self)} faults)"]
        for fault in self:
            how = f"first {fault.failures}" if fault.transient else "permanent"
            lines.append(f"  {fault.kind:<13} {how:<9} {fault.path}")
        return "\n".join(lines)


def plan_share_faults(
    ids: Iterable[str],
    seed: int,
    modes: Collection[str] = SHARE_FAULT_MODES,
    *,
    share: float = 0.3,
) -> dict[str, str]:
    """A seeded ``faults`` table for :class:`~tests.site.share_server.ShareServer`.

    Like :meth:`FaultPlan.build`: ``max(round(share * N), len(modes))`` ids (at
    most ``N``), the modes dealt out in turn in a seeded order. The share
    server's faults are its own (all permanent; ``slow`` waits its ``slow_seconds``).
    """
    chosen_modes = sorted(set(modes))
    unknown = set(chosen_modes) - SHARE_FAULT_MODES
    if unknown:
        raise ValueError(f"unknown share fault modes {sorted(unknown)}")
    pool = sorted(set(ids))
    if not pool or not chosen_modes:
        return {}
    rng = random.Random(f"share:{seed}")
    count = min(len(pool), max(round(share * len(pool)), len(chosen_modes)))
    chosen = rng.sample(pool, count)
    dealt = [chosen_modes[i % len(chosen_modes)] for i in range(count)]
    rng.shuffle(dealt)
    return dict(sorted(zip(chosen, dealt, strict=True)))


# -- page transformations ---------------------------------------------------------


def strip_meta_charset(html: str) -> str:
    """``html`` without ``<meta charset>`` and ``<meta http-equiv="Content-Type">``."""
    return _META_CONTENT_TYPE.sub("", _META_CHARSET.sub("", html))


def malform(html: str) -> str:
    """Break the markup around the content, leaving the ``<section>`` content as it is."""
    body = _BODY_TAG.search(html)
    broken = '\n</div></span></p><body class="duplicate-body">\n'
    at = body.end() if body is not None else 0
    html = html[:at] + broken + html[at:]
    # An attribute missing its closing quote: it runs on to the next quote.
    if '<p class="view">' in html:
        html = html.replace('<p class="view">', '<p class="view>', 1)
    else:
        html = html.replace("<section>", '<a class="broken title="x">x</a>\n<section>', 1)
    # Unclosed elements after the content, and a footer never closed.
    html = html.replace("</section>", '</section>\n<div class="unclosed"><p><b>', 1)
    html = html.replace("</footer>", "", 1)
    # A tag cut short after </html>.
    return html.rstrip("\n") + '\n<div class="after-html" title="trunc'


def _pad(page: bytes, size: int) -> bytes:
    """``page`` with a hidden comment before ``</body>`` (or at the end) to ``size`` bytes."""
    missing = max(0, size - len(page) - len(b"<!--  -->\n"))
    chunk = b"padding "
    comment = b"<!-- " + (chunk * (missing // len(chunk) + 1))[:missing] + b" -->\n"
    at = page.rfind(b"</body>")
    if at < 0:
        return page + comment
    return page[:at] + comment + page[at:]


# -- the server -------------------------------------------------------------------


class Injection(NamedTuple):
    """One fault served: the plan's path, its class, and which request of the path it was."""

    path: str
    kind: str
    attempt: int


class _FaultyHTTPServer(_HTTPServer):
    site: FaultySiteServer  # type: ignore[assignment]

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet about clients that went away (timed-out ``slow`` requests, size limits)."""
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _FaultyHandler(_Handler):
    server: _FaultyHTTPServer  # type: ignore[assignment]
    _fault: Fault | None = None
    _attempt = 0

    def _serve(self) -> None:
        site = self.server.site
        fault, attempt = site._next_request(_request_key(self.path))
        self._fault, self._attempt = fault, attempt
        try:
            if fault is None or fault.kind in _BODY_FAULTS:
                super()._serve()  # body faults are applied in _send_file
            else:
                _REQUEST_FAULTS[fault.kind](self, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _inject(self, fault: Fault) -> None:
        self.server.site._note_injection(Injection(fault.path, fault.kind, self._attempt))

    # -- request-level faults ---------------------------------------------------

    def _burst(self, fault: Fault) -> None:
        self._inject(fault)
        status = _BURST_STATUSES[(self._attempt - 1) % len(_BURST_STATUSES)]
        phrase = HTTPStatus(status).phrase
        self._send_identity(status, f"<h1>{status} {phrase}</h1>\n".encode(), _HTML_TYPE)

    def _reset(self, fault: Fault) -> None:
        self._inject(fault)
        self.server.site._record(RequestRecord(self.command or "", self.path or "", 0))
        self.close_connection = True
        connection = self.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The socket is only really closed (with an RST, by SO_LINGER 0) once its
        # file objects are: rfile holds a reference, wfile does not.
        self.rfile.close()
        connection.close()

    def _slow(self, fault: Fault) -> None:
        self._inject(fault)
        if self.server.site._stopping.wait(self.server.site.slow_seconds):
            self.close_connection = True  # the server is stopping: drop the request
            return
        super()._serve()

    def _empty(self, fault: Fault) -> None:
        self._inject(fault)
        self._send_identity(200, b"", _HTML_TYPE)

    def _garbage(self, fault: Fault) -> None:
        self._inject(fault)
        site = self.server.site
        rng = random.Random(f"{site.plan.seed}:{fault.path}:{self._attempt}")
        self._send_identity(200, rng.randbytes(site.garbage_bytes), "text/html")

    def _too_many(self, fault: Fault) -> None:
        self._inject(fault)
        self._send_identity(
            429,
            b"<h1>429 Too Many Requests</h1>\n",
            _HTML_TYPE,
            {"Retry-After": str(self.server.site.retry_after)},
        )

    def _redirect(self, fault: Fault) -> None:
        self._inject(fault)
        target = self.path.partition("#")[0]
        if not target.startswith("/"):
            split = urlsplit(target)
            target = (split.path or "/") + (f"?{split.query}" if split.query else "")
        raw_path, _, query = target.partition("?")
        hop = parse_qs(query).get(LOOP_MARKER, ["0"])[0]
        style = self.server.site.redirect_style
        if style == "self":
            location = target
        elif style == "chain":
            location = f"{raw_path}?{LOOP_MARKER}={int(hop) + 1 if hop.isdigit() else 1}"
        elif hop != "0":
            location = raw_path
        else:
            location = f"{raw_path}?{LOOP_MARKER}=1"
        self._send_identity(
            302, b"302 Found\n", "text/plain; charset=utf-8", {"Location": location}
        )

    # -- body-level faults --------------------------------------------------------

    def _send_file(self, path: Path) -> None:
        fault = self._fault
        if fault is None or fault.kind not in _BODY_FAULTS:
            return super()._send_file(path)
        try:
            original = path.read_bytes()
            mtime = path.stat().st_mtime
        except OSError:
            return self._not_found(self.server.site.root)
        content_type = _content_type(path)
        if not content_type.startswith("text/html"):
            return super()._send_file(path)  # only pages are faulted
        self._inject(fault)
        body = self.server.site._faulty_body(fault, original)
        if fault.kind == FAULT_GBK_HEADER:
            content_type = "text/html; charset=gbk"
        elif fault.kind == FAULT_GBK_SNIFF:
            content_type = "text/html"
        headers = {
            "ETag": '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"',
            "Last-Modified": formatdate(mtime, usegmt=True),
            "Cache-Control": CACHE_CONTROL,
        }
        if fault.kind not in {FAULT_TRUNCATED, FAULT_HUGE} and self._not_modified(
            headers["ETag"], mtime
        ):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return None
        if fault.kind == FAULT_TRUNCATED:
            self._send_identity(200, body, content_type, headers, send=len(body) // 2)
            self.close_connection = True
        elif fault.kind == FAULT_HUGE:
            self._send_identity(200, body, content_type, headers)
        else:
            self._send_body(200, body, content_type, headers)
        return None

    def _send_identity(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        send: int | None = None,
    ) -> None:
        """Answer uncompressed; ``send`` bytes of ``body`` only (all by default)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self._write(body if send is None else body[:send])


_REQUEST_FAULTS = {
    FAULT_5XX_BURST: _FaultyHandler._burst,
    FAULT_RESET: _FaultyHandler._reset,
    FAULT_SLOW: _FaultyHandler._slow,
    FAULT_EMPTY_200: _FaultyHandler._empty,
    FAULT_GARBAGE_200: _FaultyHandler._garbage,
    FAULT_429: _FaultyHandler._too_many,
    FAULT_REDIRECT_LOOP: _FaultyHandler._redirect,
}
_BODY_FAULTS = frozenset(
    {FAULT_TRUNCATED, FAULT_GBK_HEADER, FAULT_GBK_SNIFF, FAULT_HUGE, FAULT_MALFORMED}
)
assert set(_REQUEST_FAULTS) | _BODY_FAULTS == ALL_FAULTS


class FaultySiteServer(SiteServer):
    """A :class:`SiteServer` that injects the faults of ``plan`` (see the module docs).

    Requests are counted per planned path (:meth:`attempts`); a transient fault
    answers the first ``failures`` requests of its path. :attr:`injected`
    counts the faults served per class, :attr:`injections` lists them.
    :meth:`clear` empties the request log only; :meth:`rearm` resets the
    counts, so transient faults fire again (a fresh scenario on the same
    server). Assigning :attr:`plan` rearms too.
    """

    server_class = _FaultyHTTPServer
    handler_class = _FaultyHandler

    def __init__(
        self,
        root: Path,
        plan: FaultPlan | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
        huge_bytes: int = DEFAULT_HUGE_BYTES,
        retry_after: int = DEFAULT_RETRY_AFTER,
        garbage_bytes: int = DEFAULT_GARBAGE_BYTES,
        redirect_style: Literal["pair", "self", "chain"] = "pair",
    ) -> None:
        super().__init__(root, host=host, port=port)
        if redirect_style not in {"pair", "self", "chain"}:
            raise ValueError(f"redirect_style is pair, self or chain, not {redirect_style!r}")
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.retry_after = retry_after
        self.garbage_bytes = garbage_bytes
        self.redirect_style = redirect_style
        self._plan = plan or FaultPlan()
        self._attempts: Counter[str] = Counter()
        self._injected: Counter[str] = Counter()
        self._injections: list[Injection] = []

    # -- plan and counts ---------------------------------------------------------

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    @plan.setter
    def plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
        self.rearm()

    @property
    def injected(self) -> Counter[str]:
        """Faults served so far, per class (a snapshot)."""
        with self._lock:
            return Counter(self._injected)

    @property
    def injections(self) -> list[Injection]:
        """Every fault served, oldest first (a snapshot)."""
        with self._lock:
            return list(self._injections)

    def attempts(self, path: str) -> int:
        """Requests received so far for a planned path (any spelling of it)."""
        fault = self._plan.fault_for(path)
        with self._lock:
            return self._attempts[fault.path if fault else path]

    def rearm(self) -> None:
        """Forget request counts and injections: every transient fault fires again."""
        with self._lock:
            self._attempts.clear()
            self._injected.clear()
            self._injections.clear()

    def _next_request(self, key: str) -> tuple[Fault | None, int]:
        fault = self._plan.fault_for(key)
        if fault is None:
            return None, 0
        with self._lock:
            self._attempts[fault.path] += 1
            attempt = self._attempts[fault.path]
        return (fault if fault.active(attempt) else None), attempt

    def _note_injection(self, injection: Injection) -> None:
        with self._lock:
            self._injected[injection.kind] += 1
            self._injections.append(injection)

    def _faulty_body(self, fault: Fault, original: bytes) -> bytes:
        if fault.kind in {FAULT_TRUNCATED, FAULT_HUGE}:
            return _pad(original, self.huge_bytes) if fault.kind == FAULT_HUGE else original
        text = original.decode("utf-8", errors="replace")
        if fault.kind == FAULT_MALFORMED:
            return malform(text).encode("utf-8")
        if fault.kind == FAULT_GBK_HEADER:
            return strip_meta_charset(text).encode("gbk", errors="xmlcharrefreplace")
        return strip_meta_charset(text).encode("gb18030")  # FAULT_GBK_SNIFF
