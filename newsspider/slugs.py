"""Category slugs as the site derives them from an outlet's name.

The site's generator took ``xpinyin``'s ``Pinyin().get_pinyin(outlet)`` and removed the ``-``
separators: Chinese characters become toneless pinyin, Latin letters, digits, spaces and
parentheses stay as they are (``21世纪经济报道 21财经APP`` → ``21shijijingjibaodao 21caijingAPP``).
The site's own feeds are not outlets and have fixed slugs.
"""

from __future__ import annotations

from functools import lru_cache

from xpinyin import Pinyin

TAG_SUFFIX = "新闻"
#: Categories of the site's own feeds, by their tag (not derived from pinyin).
FIXED_CATEGORIES = {"东财滚动新闻": "emnews", "站长消息": "sitenews"}


@lru_cache(maxsize=1)
def _pinyin() -> Pinyin:
    return Pinyin()  # loads its dictionary once


def slug_for_outlet(outlet: str) -> str:
    """``天津日报`` → ``tianjinribao``."""
    pinyin: str = _pinyin().get_pinyin(outlet)
    return pinyin.replace("-", "")


def slug_for_tag(tag: str) -> str:
    """The category of a post from its tag value (``天津日报新闻`` → ``tianjinribao``)."""
    if tag in FIXED_CATEGORIES:
        return FIXED_CATEGORIES[tag]
    return slug_for_outlet(tag.removesuffix(TAG_SUFFIX))


def tag_for_outlet(outlet: str) -> str:
    """The display tag the site gives an outlet's posts (``天津日报`` → ``天津日报新闻``).

    The suffix is added to names that already end in it too: the site's category for
    ``每日经济新闻`` is ``meirijingjixinwen`` (its stub is in the site's repository), which
    :func:`slug_for_tag` gives for the tag ``每日经济新闻新闻``.
    """
    return outlet if outlet in FIXED_CATEGORIES else outlet + TAG_SUFFIX
