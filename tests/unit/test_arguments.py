"""Spider arguments: one validated model; a bad value fails naming the argument."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsspider.spiders.arguments import ArgumentError, FinewsArguments


def parse(**kwargs: Any) -> FinewsArguments:
    return FinewsArguments.from_kwargs(kwargs)


def test_defaults() -> None:
    assert parse() == FinewsArguments(
        base_url="https://finews.withounder.com", categories=(), sample=False
    )


def test_argument_error_is_a_value_error() -> None:
    assert issubclass(ArgumentError, ValueError)


# --- categories -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("tianjinribao", ("tianjinribao",)),
        ("tianjinribao,emnews", ("tianjinribao", "emnews")),
        (" tianjinribao , emnews ", ("tianjinribao", "emnews")),
        ("Wind", ("Wind",)),
        ("anxinguojizhengquan(xianggang)", ("anxinguojizhengquan(xianggang)",)),
        ("21shijijingjibaodao 21caijingAPP", ("21shijijingjibaodao 21caijingAPP",)),
        (
            "21shijijingjibaodao 21caijingAPP,anxinguojizhengquan(xianggang)",
            ("21shijijingjibaodao 21caijingAPP", "anxinguojizhengquan(xianggang)"),
        ),
    ],
)
def test_categories_are_kept_exactly_as_the_site_spells_them(
    value: str, expected: tuple[str, ...]
) -> None:
    assert parse(categories=value).categories == expected


def test_categories_are_deduplicated_in_order() -> None:
    assert parse(categories="emnews,Wind,emnews, Wind").categories == ("emnews", "Wind")


def test_categories_are_case_sensitive() -> None:
    assert parse(categories="Wind,wind").categories == ("Wind", "wind")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "empty slug"),
        (" ", "empty slug"),
        ("tianjinribao,", "empty slug"),
        ("tianjinribao,,emnews", "empty slug"),
        (",emnews", "empty slug"),
        ("category/tianjinribao", "slug 'category/tianjinribao' contains '/'"),
        ("..\\x", "slug '..\\\\x' contains '/'"),
        ("tianjin\x00ribao", "control character"),
        ("tianjin\tribao", "control character"),
        ("tianjin\nribao", "control character"),
        ("tianjin\x7fribao", "control character"),
    ],
)
def test_bad_categories_are_rejected_naming_the_argument(value: str, problem: str) -> None:
    with pytest.raises(ArgumentError, match=r"^argument categories=") as raised:
        parse(categories=value)
    assert problem in str(raised.value)


def test_empty_slug_message_shows_an_example() -> None:
    with pytest.raises(ArgumentError, match=re.escape("e.g. tianjinribao,emnews")):
        parse(categories="tianjinribao,,emnews")


# --- base_url -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://finews.withounder.com", "https://finews.withounder.com"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
        (" http://localhost:4000 ", "http://localhost:4000"),
        ("http://127.0.0.1:8000/mirror", "http://127.0.0.1:8000/mirror"),
    ],
)
def test_base_url_accepts_http_urls_with_a_host(value: str, expected: str) -> None:
    assert parse(base_url=value).base_url == expected


@pytest.mark.parametrize(
    "value", ["ftp://x", "localhost", "", "   ", "http://", "finews.withounder.com", "file:///tmp"]
)
def test_bad_base_url_is_rejected_naming_the_argument(value: str) -> None:
    with pytest.raises(ArgumentError, match=r"^argument base_url="):
        parse(base_url=value)


def test_bad_base_url_message_says_what_is_accepted() -> None:
    with pytest.raises(ArgumentError, match=re.escape("must be an http(s) URL with a host")):
        parse(base_url="ftp://x")


# --- sample ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("True", True),
        (" yes ", True),
        ("1", True),
        ("on", True),
        (True, True),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("0", False),
        ("off", False),
        ("", False),
        (False, False),
    ],
)
def test_sample_is_a_boolean(value: object, expected: bool) -> None:
    assert parse(sample=value).sample is expected


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_bad_sample_is_rejected_naming_the_argument(value: str) -> None:
    with pytest.raises(ArgumentError, match=r"^argument sample=.*expected true or false"):
        parse(sample=value)


# --- unknown arguments ----------------------------------------------------------------------


def test_unknown_argument_is_rejected_naming_it() -> None:
    with pytest.raises(ArgumentError, match=r"^unknown argument\(s\) categoris;"):
        parse(categoris="tianjinribao")


def test_unknown_argument_message_lists_the_allowed_ones() -> None:
    with pytest.raises(ArgumentError) as raised:
        parse(baseurl="http://127.0.0.1:8000")
    allowed = str(raised.value).split("the finews spider takes ", 1)[1].split(", ")
    assert {"base_url", "categories", "sample"} <= set(allowed)


def test_unknown_arguments_are_all_named() -> None:
    with pytest.raises(ArgumentError, match=re.escape("unknown argument(s) a, b;")):
        parse(b="1", a="2")


def test_unknown_argument_is_rejected_before_any_value_is_checked() -> None:
    with pytest.raises(ArgumentError, match="unknown argument"):
        parse(base_url="ftp://x", category="x")


def test_scrapyd_job_argument_is_accepted() -> None:
    assert parse(_job="6487ec79947edab326d6db28a2d86511e8247444") == FinewsArguments()


def test_scrapyd_job_argument_does_not_hide_the_others() -> None:
    assert parse(_job="1", categories="emnews").categories == ("emnews",)
