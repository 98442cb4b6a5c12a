"""Normalise metadata: title, Beijing-time date, category, outlet, editor, links.

Each value missing from the page is recovered where the site gives another clue (the page
head, the id, the URL, the first sentence), and every recovery is written to ``warnings``.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from newsspider.cleaning.text import first_sentence
from newsspider.dates import date_from_id, parse_iso, parse_shown, start_of_day, to_iso
from newsspider.items import ArticleItem
from newsspider.metadata import editor_from_text, is_share_link, outlet_from_tags, outlet_from_text
from newsspider.pipelines.base import StatsPipeline
from newsspider.slugs import slug_for_tag
from newsspider.urls import category_slug_from_url, parse_post_path

_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_SPACE_RE = re.compile(r"\s+")


def normalize_title(raw: str | None) -> tuple[str, bool]:
    """Collapse whitespace and decode entities left in the text; report whether it changed."""
    text = raw or ""
    decoded = html.unescape(text) if _ENTITY_RE.search(text) else text
    normalized = _SPACE_RE.sub(" ", decoded).strip()
    return normalized, normalized != text


def _share(item: ArticleItem) -> dict[str, Any]:
    """The share API's normalised values, when its request succeeded."""
    return item.share if item.share and item.share.get("status") == "ok" else {}


def recover_title(item: ArticleItem) -> str | None:
    """Title candidates when the ``<h1>`` is empty, best first; record which one was used."""
    if _share(item).get("title"):
        item.warnings.append("title taken from the share API (the post has none)")
        return str(_share(item)["title"])
    for key, label in (("head_title", "<title>"), ("head_headline", "ld+json headline")):
        candidate, _ = normalize_title(item.page.get(key))
        if candidate:
            item.warnings.append(f"title recovered from the page head ({label})")
            return candidate
    sentence = first_sentence(item.body_text)
    if sentence:
        item.warnings.append("title recovered from the first sentence of the body")
        return sentence
    return None


def resolve_published_at(item: ArticleItem) -> tuple[str | None, str]:
    """The time the page shows, as ISO 8601 in Beijing time, and where it came from."""
    shown = parse_shown(item.page.get("shown_date") or "")
    head = parse_iso(item.page.get("head_published_time") or "")
    shared = parse_iso(_share(item).get("published_at") or "")
    if shown is not None and shared is not None and shown != shared:
        item.warnings.append(
            f"the page shows {to_iso(shown)} but the share API says {to_iso(shared)}"
        )
    if shown is not None:
        if head is not None and head != shown:
            item.warnings.append(f"the page shows {to_iso(shown)} but its head says {to_iso(head)}")
        id_day = date_from_id(item.id)
        if id_day is not None and id_day != shown.date():
            item.warnings.append(
                f"the id's date {id_day.isoformat()} differs from the shown date"
                f" {shown.date().isoformat()} (an offset-less source date shown in Beijing time)"
            )
        return to_iso(shown), "shown"
    if shared is not None:
        item.warnings.append("published_at taken from the share API's showtime")
        return to_iso(shared), "share"
    if head is not None:
        item.warnings.append("published_at recovered from article:published_time in the head")
        return to_iso(head), "head"
    file_day = item.page.get("file_date")
    if file_day:
        item.warnings.append("published_at recovered from the file name (day only, time unknown)")
        return to_iso(start_of_day(date.fromisoformat(file_day))), "file_name"
    id_day = date_from_id(item.id)
    if id_day is not None:
        item.warnings.append("published_at recovered from the id (day only, time unknown)")
        return to_iso(start_of_day(id_day)), "id"
    post_path = parse_post_path(item.url)
    if post_path is not None:
        item.warnings.append("published_at recovered from the post URL (day only, time unknown)")
        return to_iso(start_of_day(post_path.day)), "url"
    return None, "none"


def resolve_category(item: ArticleItem) -> tuple[str | None, str]:
    """The slug as the site spells it: back link, then listing page, then tags, then URL path.

    A listing page's slug, or the tags', counts only where it fits the post's URL, which
    holds the category lower-cased and split on spaces: ``/category/21shijijingjibaodao.html``
    also lists the posts of ``21shijijingjibaodao 21caijingAPP`` (at ``/21shijijingjibaodao/
    21caijingapp/…``), and their tags name it exactly.
    """
    for href in item.page.get("back_links", []):
        slug = category_slug_from_url(href)
        if slug:
            return slug, "back_link"
    post_path = parse_post_path(item.url)
    in_url = [part.lower() for part in post_path.categories] if post_path else []

    def fits(slug: str) -> bool:
        return not in_url or slug.lower().split() == in_url

    if item.category and fits(item.category):
        return item.category, "listing"
    if item.tags and in_url:
        slug = slug_for_tag(" ".join(item.tags))
        if fits(slug):
            return slug, "tags"
    if post_path is not None and in_url:
        if item.category:
            item.warnings.append(
                f"the listing page's category {item.category!r} does not fit the post URL"
            )
        item.warnings.append(
            "category taken from the post URL (lower-cased by the site; spaces lost)"
        )
        return " ".join(post_path.categories), "url"
    return None, "none"


class MetadataPipeline(StatsPipeline):
    """Normalises title, date, category, outlet, editor and links; recovers what is missing."""

    stats_key = "metadata"

    def process_item(self, item: ArticleItem) -> ArticleItem:
        title, changed = normalize_title(item.title)
        if changed:
            self.count("title_normalized")
        share_title = _share(item).get("title")
        if title and share_title and title != share_title:
            item.warnings.append(f"the share API's title differs: {share_title!r}")
        if not title:
            title = recover_title(item) or ""
            self.count("title_recovered" if title else "title_missing")
        item.title = title or None

        item.published_at, date_origin = resolve_published_at(item)
        if date_origin not in {"shown", "none"}:
            self.count(f"date_recovered_from_{date_origin}")

        item.category, category_origin = resolve_category(item)
        self.count(f"category_from_{category_origin}")

        outlet = outlet_from_text(item.body_text)
        if outlet:
            item.source, origin = outlet, "body"
        elif _share(item).get("source"):
            item.source, origin = str(_share(item)["source"]), "share"
        else:
            item.source, origin = outlet_from_tags(item.tags), "tag"
        self.count(f"source_from_{origin}")
        item.editor = editor_from_text(item.body_text)
        if item.editor:
            self.count("editor_found")

        link = item.page.get("source_link")
        if link:
            if is_share_link(link):
                item.share_url = link
            else:
                item.origin_url = link
        elif link == "":
            item.warnings.append("the post's source link is empty (<>)")
            self.count("empty_source_link")
        if item.warnings:
            self.count("items_with_warnings")
        return item
