"""Tests of the fault-injecting site server itself (raw sockets and http.client, no crawler).

Served from the bundled sample site (read-only, no Jekyll needed).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import re
import socket
import time
import urllib.error
import urllib.request
from collections import Counter
from urllib.parse import quote

import pytest
from lxml.html import document_fromstring

from tests.site.faults import (
    ALL_FAULTS,
    ARCHIVED_FAULTS,
    FAULT_5XX_BURST,
    FAULT_429,
    FAULT_EMPTY_200,
    FAULT_GARBAGE_200,
    FAULT_GBK_HEADER,
    FAULT_GBK_SNIFF,
    FAULT_HUGE,
    FAULT_MALFORMED,
    FAULT_REDIRECT_LOOP,
    FAULT_RESET,
    FAULT_SLOW,
    FAULT_TRUNCATED,
    LOOP_MARKER,
    PERMANENT_FAULTS,
    REPORTED_FAULTS,
    TRANSIENT_FAULTS,
    Fault,
    FaultPlan,
    FaultySiteServer,
    listing_paths,
    plan_share_faults,
    post_id_of,
    post_paths,
    strip_meta_charset,
)
from tests.site.fixtures import REPO_ROOT
from tests.site.server import RequestRecord
from tests.site.share_server import FAULT_MODES as SHARE_FAULT_MODES

SITE = REPO_ROOT / "newsspider" / "sample_site" / "site"
K = 2  # transient failures per path
MAX_READS = 10_000  # bound on recv() calls per raw request (10 MiB / 64 KiB is 160)


@pytest.fixture(scope="module")
def posts() -> list[str]:
    paths = post_paths(SITE)
    assert len(paths) >= len(ALL_FAULTS), "the sample site has too few posts for these tests"
    return paths


@pytest.fixture(scope="module")
def post(posts: list[str]) -> str:
    """A post whose page GBK can encode as is (the sample's are Chinese and ASCII)."""
    for path in posts:
        try:
            page(path).decode("utf-8").encode("gbk")
        except UnicodeEncodeError:
            continue
        return path
    pytest.fail("no sample post is GBK-encodable")


# -- helpers ---------------------------------------------------------------------------


def page(path: str) -> bytes:
    return (SITE / path.lstrip("/")).read_bytes()


def target(path: str) -> str:
    return quote(path, safe="/()?=&")


def get(
    server: FaultySiteServer,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 5,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request("GET", target(path), headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def raw_get(server: FaultySiteServer, path: str, *, timeout: float = 5) -> bytes:
    """Everything the server sends for one request, up to its close (or a raised error)."""
    request = f"GET {target(path)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(request.encode("ascii"))
        chunks = []
        for _ in range(MAX_READS):
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def split_raw(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def section_text(html: str | bytes) -> str:
    return str(document_fromstring(html).xpath("//section")[-1].text_content())


def serve(path: str, kind: str, **options: object) -> FaultySiteServer:
    return FaultySiteServer(SITE, FaultPlan.of({path: kind}, transient_failures=K), **options)  # type: ignore[arg-type]


# -- the plan --------------------------------------------------------------------------


def test_site_paths(posts: list[str]) -> None:
    assert posts == sorted(posts)
    assert all(re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+\.html$", path) for path in posts)
    assert "/emnews/2026/11/26/202611263036602218.html" in posts
    assert post_id_of("/emnews/2026/11/26/202611263036602218.html") == "202611263036602218"
    listings = listing_paths(SITE)
    assert {"/", "/emnews/", "/category/21shijijingjibaodao 21caijingAPP.html"} <= set(listings)
    assert not set(listings) & set(posts)


def test_same_seed_same_plan(posts: list[str]) -> None:
    plan = FaultPlan.build(posts, seed=7, listings=listing_paths(SITE))
    assert plan == FaultPlan.build(list(reversed(posts)), 7, listings=listing_paths(SITE))
    assert plan.summary() == FaultPlan.for_site(SITE, 7, fault_listings=True).summary()
    assert plan != FaultPlan.build(posts, seed=8, listings=listing_paths(SITE))


def test_plan_deals_every_class_and_respects_share(posts: list[str]) -> None:
    plan = FaultPlan.build(posts, seed=1)
    assert sorted(plan.by_kind()) == sorted(ALL_FAULTS)  # 15 posts, 12 classes: one each
    many = [f"/emnews/2026/11/{day:02d}/{n}.html" for day in range(1, 11) for n in range(10)]
    plan = FaultPlan.build(many, seed=1, share=0.3)
    assert len(plan) == 30
    assert all(len(paths) >= 2 for paths in plan.by_kind().values())
    assert set(plan.by_kind()) == ALL_FAULTS


def test_classes_enabled_separately(posts: list[str]) -> None:
    plan = FaultPlan.build(posts, seed=3, classes=[FAULT_RESET], share=0.3)
    assert len(plan) == round(0.3 * len(posts))
    assert {fault.kind for fault in plan} == {FAULT_RESET}
    assert len(FaultPlan.build(posts, seed=3, classes=[])) == 0
    with pytest.raises(ValueError, match="unknown"):
        FaultPlan.build(posts, seed=3, classes=["teapot"])


def test_transient_and_permanent(posts: list[str]) -> None:
    plan = FaultPlan.build(posts, seed=5, transient_failures=3)
    for fault in plan:
        if fault.kind in TRANSIENT_FAULTS:
            assert fault.transient and fault.failures == 3 and fault.outcome == "recovered"
            assert fault.active(3) and not fault.active(4)
        else:
            assert fault.kind in PERMANENT_FAULTS
            assert not fault.transient and fault.failures is None and fault.active(1000)
    assert plan.reported_ids == plan.ids(*REPORTED_FAULTS)
    assert plan.archived_ids == plan.ids(*ARCHIVED_FAULTS)
    assert plan.recovered_ids == plan.ids(*TRANSIENT_FAULTS)
    assert len(plan.reported_ids) == 2 and len(plan.archived_ids) == 3
    assert sorted(plan.reported_ids + plan.archived_ids + plan.recovered_ids) == plan.ids()


def test_listings_only_transient(posts: list[str]) -> None:
    listings = listing_paths(SITE)
    plan = FaultPlan.build(posts, seed=11, listings=listings, listing_share=1.0)
    assert set(plan.listings) == set(listings)
    for path in plan.listings:
        fault = plan.faults[path]
        assert fault.transient and fault.kind in TRANSIENT_FAULTS and fault.post_id is None
    only_permanent = FaultPlan.build(posts, 11, PERMANENT_FAULTS, listings=listings)
    assert not only_permanent.listings


def test_fault_for_spellings() -> None:
    plan = FaultPlan.of({"/emnews/": FAULT_RESET, "/category/Wind.html": FAULT_429})
    assert plan.fault_for("/emnews/index.html") == plan.faults["/emnews/"]
    assert plan.fault_for("/emnews") == plan.faults["/emnews/"]
    assert plan.fault_for("/category/Wind") == plan.faults["/category/Wind.html"]
    assert plan.fault_for("/category/tianjinribao.html") is None
    with pytest.raises(ValueError, match="unknown fault"):
        Fault("/x.html", "teapot", None)


def test_share_faults_table() -> None:
    ids = [f"NW2026112{n:011d}" for n in range(40)]
    table = plan_share_faults(ids, seed=4)
    assert table == plan_share_faults(list(reversed(ids)), seed=4)
    assert table != plan_share_faults(ids, seed=5)
    assert len(table) == 12 and set(table.values()) == SHARE_FAULT_MODES
    assert set(plan_share_faults(ids, 4, ["5xx"]).values()) == {"5xx"}


# -- each fault class ------------------------------------------------------------------


def test_unplanned_paths_served_normally(posts: list[str]) -> None:
    with serve(posts[0], FAULT_5XX_BURST) as server:
        status, headers, body = get(server, posts[1])
        assert (status, body) == (200, page(posts[1]))
        assert headers["ETag"]
        assert get(server, "/no/such/page.html")[0] == 404
        assert not server.injected and not server.injections


def test_5xx_burst_heals(post: str) -> None:
    with serve(post, FAULT_5XX_BURST) as server:
        statuses = [get(server, post)[0] for _ in range(K)]
        assert all(status in {500, 502, 503, 504} for status in statuses)
        assert get(server, post)[:1] == (200,)
        assert get(server, post)[2] == page(post)
        assert server.injected == Counter({FAULT_5XX_BURST: K})
        assert [r.status for r in server.requests] == [*statuses, 200, 200]
        assert server.attempts(post) == K + 2


def test_reset_heals(post: str) -> None:
    with serve(post, FAULT_RESET) as server:
        for _ in range(K):
            with pytest.raises(ConnectionResetError):
                raw_get(server, post)
        status, _, body = split_raw(raw_get(server, post))
        assert (status, body) == (200, page(post))
        assert server.injected == Counter({FAULT_RESET: K})
        assert server.requests[0] == RequestRecord("GET", target(post), 0)


def test_slow_answers_after_the_delay_then_heals(post: str) -> None:
    with serve(post, FAULT_SLOW, slow_seconds=1.0) as server:
        with pytest.raises(TimeoutError):
            get(server, post, timeout=0.2)  # a client timeout shorter than the delay
        started = time.monotonic()
        status, _, body = get(server, post, timeout=10)  # answered, late
        assert time.monotonic() - started >= 0.9
        assert (status, body) == (200, page(post))
        started = time.monotonic()
        assert get(server, post, timeout=10)[0] == 200  # healed: no delay
        assert time.monotonic() - started < 0.9
        assert server.injected == Counter({FAULT_SLOW: K})


def test_truncated_heals(post: str) -> None:
    with serve(post, FAULT_TRUNCATED) as server:
        status, headers, body = split_raw(raw_get(server, post))
        assert status == 200
        assert int(headers["content-length"]) == len(page(post)) > len(body) > 0
        assert page(post).startswith(body)
        with pytest.raises(http.client.IncompleteRead):
            get(server, post, headers={"Accept-Encoding": "gzip"})
        assert get(server, post)[2] == page(post)
        assert server.injected == Counter({FAULT_TRUNCATED: K})


def test_empty_200_heals(post: str) -> None:
    with serve(post, FAULT_EMPTY_200) as server:
        for _ in range(K):
            status, headers, body = get(server, post)
            assert (status, body, headers["Content-Length"]) == (200, b"", "0")
        assert get(server, post)[2] == page(post)
        assert server.injected == Counter({FAULT_EMPTY_200: K})


def test_garbage_200_is_seeded_and_heals(post: str) -> None:
    plan = FaultPlan.of({post: FAULT_GARBAGE_200}, seed=9)
    answers = []
    for _ in range(2):
        with FaultySiteServer(SITE, plan) as server:
            answers.append([get(server, post) for _ in range(K + 1)])
            assert server.injected == Counter({FAULT_GARBAGE_200: K})
    first, second = answers
    assert [a[2] for a in first] == [a[2] for a in second]  # same seed, same bytes
    garbage = first[0][2]
    assert first[0][0] == 200 and len(garbage) == 4096 and garbage != first[1][2]
    with pytest.raises(UnicodeDecodeError):
        garbage.decode("utf-8")
    assert first[K][2] == page(post)


def test_429_retry_after_heals(post: str) -> None:
    with serve(post, FAULT_429) as server:
        for _ in range(K):
            status, headers, _ = get(server, post)
            assert (status, headers["Retry-After"]) == (429, "1")
        assert get(server, post)[0] == 200
        assert server.injected == Counter({FAULT_429: K})


def test_redirect_loop_is_permanent(post: str) -> None:
    with serve(post, FAULT_REDIRECT_LOOP) as server:
        locations = []
        location = target(post)
        for _ in range(6):
            status, headers, _ = get(server, location)
            assert status == 302
            location = headers["Location"]
            locations.append(location)
        assert locations[0::2] == [f"{target(post)}?{LOOP_MARKER}=1"] * 3  # A -> B
        assert locations[1::2] == [target(post)] * 3  # B -> A
        with pytest.raises(urllib.error.HTTPError, match="infinite loop") as raised:
            urllib.request.urlopen(server.base_url + target(post), timeout=5)
        assert raised.value.code == 302
        raised.value.close()
        assert server.injected[FAULT_REDIRECT_LOOP] >= 8
    with serve(post, FAULT_REDIRECT_LOOP, redirect_style="self") as server:
        assert get(server, post)[1]["Location"] == target(post)
    with serve(post, FAULT_REDIRECT_LOOP, redirect_style="chain") as server:
        location = target(post)
        for hop in range(1, 4):
            location = get(server, location)[1]["Location"]
            assert location == f"{target(post)}?{LOOP_MARKER}={hop}"


def test_gbk_header(post: str) -> None:
    expected = strip_meta_charset(page(post).decode("utf-8"))
    assert "charset" not in expected.lower().split("<body")[0]
    with serve(post, FAULT_GBK_HEADER) as server:
        for _ in range(K + 1):  # permanent
            status, headers, body = get(server, post)
            assert (status, headers["Content-Type"]) == (200, "text/html; charset=gbk")
            assert body.decode("gbk") == expected
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")
        _, headers, zipped = get(server, post, headers={"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped) == body
        assert server.injected == Counter({FAULT_GBK_HEADER: K + 2})


def test_gbk_sniff_declares_nothing(post: str) -> None:
    expected = strip_meta_charset(page(post).decode("utf-8"))
    with serve(post, FAULT_GBK_SNIFF) as server:
        for _ in range(K + 1):  # permanent
            status, headers, body = get(server, post)
            assert (status, headers["Content-Type"]) == (200, "text/html")
            assert body.decode("gb18030") == expected
            assert body == expected.encode("gbk")  # GBK's characters only: the same bytes
            assert not re.search(rb"<meta[^>]*charset", body, re.IGNORECASE)
            assert not body.startswith((b"\xef\xbb\xbf", b"\x84\x31\x95\x33"))  # no BOM
        assert server.injected == Counter({FAULT_GBK_SNIFF: K + 1})


def test_huge_is_permanent_and_uncompressed(post: str) -> None:
    with serve(post, FAULT_HUGE) as server:
        for _ in range(2):
            status, headers, body = get(server, post, headers={"Accept-Encoding": "gzip"})
            assert status == 200 and "Content-Encoding" not in headers
            assert int(headers["Content-Length"]) == len(body) >= 10 * 1024 * 1024
        assert section_text(body) == section_text(page(post))
        assert body.rstrip().endswith(b"</html>")
        assert server.injected == Counter({FAULT_HUGE: 2})


def test_malformed_keeps_the_content(posts: list[str]) -> None:
    plan = FaultPlan.of(dict.fromkeys(posts, FAULT_MALFORMED))
    with FaultySiteServer(SITE, plan) as server:
        for path in posts:
            status, _, body = get(server, path)
            assert status == 200 and body != page(path)
            assert section_text(body) == section_text(page(path)), path
            assert body.count(b"<body") == 2 and b"\n</div></span></p>" in body
            assert not body.rstrip().endswith(b">")  # a tag cut short at the end
        assert server.injected == Counter({FAULT_MALFORMED: len(posts)})
        assert get(server, posts[-1])[2] == body  # permanent and deterministic


def test_listing_fault_matches_every_spelling() -> None:
    category = "/category/21shijijingjibaodao 21caijingAPP.html"
    plan = FaultPlan.of({category: FAULT_5XX_BURST, "/emnews/": FAULT_429}, transient_failures=2)
    with FaultySiteServer(SITE, plan) as server:
        assert get(server, category)[0] >= 500  # sent as %20
        assert get(server, category.removesuffix(".html"))[0] >= 500
        assert get(server, category)[0] == 200
        assert get(server, "/emnews/index.html")[0] == 429
        assert get(server, "/emnews/")[0] == 429
        assert get(server, "/emnews/")[0] == 200
        assert server.attempts("/emnews/index.html") == 3


# -- counters, determinism, rearming ---------------------------------------------------


def sweep(server: FaultySiteServer, paths: list[str]) -> list[tuple[str, int, str]]:
    """Request every path K + 1 times: (path, status or 0 for no answer, body hash or error).

    A ``slow`` request is given up after 0.2 s (the crawler's timeout), the others get 5 s.
    """
    seen = []
    for path in paths:
        fault = server.plan.fault_for(path)
        for attempt in range(1, K + 2):
            slow = fault is not None and fault.kind == FAULT_SLOW and fault.active(attempt)
            try:
                status, _, body = get(server, path, timeout=0.2 if slow else 5)
            except (OSError, http.client.HTTPException) as error:
                seen.append((path, 0, type(error).__name__))
            else:
                seen.append((path, status, hashlib.sha256(body).hexdigest()))
    return seen


def test_counters_and_determinism(posts: list[str]) -> None:
    plan = FaultPlan.for_site(SITE, seed=21)
    options = {"slow_seconds": 1.0, "huge_bytes": 256 * 1024}
    with FaultySiteServer(SITE, plan, **options) as server:  # type: ignore[arg-type]
        first = sweep(server, posts)
        expected = Counter(
            {
                kind: len(paths) * (K if kind in TRANSIENT_FAULTS else K + 1)
                for kind, paths in plan.by_kind().items()
            }
        )
        assert server.injected == expected, plan.summary()
        assert len(server.injections) == sum(expected.values())
        assert server.plan is plan
        for path in plan.paths_with(*TRANSIENT_FAULTS):  # healed on the last request
            assert [s for p, s, _ in first if p == path][-1] == 200, path
        for path in plan.paths_with(FAULT_REDIRECT_LOOP):
            assert {s for p, s, _ in first if p == path} == {302}
        server.rearm()
        assert not server.injected and server.attempts(posts[0]) == 0
        again = sweep(server, posts)
    with FaultySiteServer(SITE, FaultPlan.for_site(SITE, seed=21), **options) as other:  # type: ignore[arg-type]
        assert sweep(other, posts) == first == again
        other.clear()
        assert not other.requests and other.injected == expected
        other.plan = FaultPlan()
        assert not other.injected
        assert [s for _, s, _ in sweep(other, posts)] == [200] * (K + 1) * len(posts)
