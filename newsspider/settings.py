"""Scrapy settings of newsspider. Every ``NEWSSPIDER_*`` setting is documented in the README."""

from newsspider.items import EXPORT_FIELDS

BOT_NAME = "newsspider"
SPIDER_MODULES = ["newsspider.spiders"]
NEWSPIDER_MODULE = "newsspider.spiders"
COMMANDS_MODULE = "newsspider.commands"

# --- newsspider's own settings --------------------------------------------------------------
#: Root of every output: ``jsonl/``, ``posts/_posts/``.
NEWSSPIDER_DATA_DIR = "data"
#: Write each article as a Jekyll post under ``DATA_DIR/posts/_posts/``.
NEWSSPIDER_POSTS_ENABLED = True
#: Body of the Jekyll posts: ``markdown`` (converted) or ``html`` (the cleaned HTML).
NEWSSPIDER_POST_BODY = "markdown"

# --- politeness: the real site is a small GitHub Pages site --------------------------------
USER_AGENT = "newsspider/0.1 (archiving crawler for finews.withounder.com)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 3
TELNETCONSOLE_ENABLED = False

# --- items --------------------------------------------------------------------------------
# Cleaning first (the metadata reads the cleaned text), validation last (on the normalised
# item, once every recovery had its chance).
ITEM_PIPELINES = {
    "newsspider.pipelines.body.BodyCleaningPipeline": 100,
    "newsspider.pipelines.share.SharePipeline": 150,
    "newsspider.pipelines.metadata.MetadataPipeline": 200,
    "newsspider.pipelines.validate.RequiredFieldsPipeline": 300,
}

# --- outputs ------------------------------------------------------------------------------
FEEDS = {
    "%(data_dir)s/jsonl/%(name)s-%(time)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf8",
        "fields": EXPORT_FIELDS,
    },
}
FEED_URI_PARAMS = "newsspider.feeds.uri_params"
FEED_EXPORT_ENCODING = "utf-8"
EXTENSIONS = {"newsspider.extensions.posts.JekyllPostsWriter": 500}

LOG_LEVEL = "INFO"
