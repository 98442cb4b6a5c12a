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
#: Incremental runs: skip archived posts, conditional listing requests, export only changes.
NEWSSPIDER_INCREMENTAL = True
#: Crawl state store: ``sqlite`` (DATA_DIR/state/crawl.sqlite3) or a factory's import path.
NEWSSPIDER_STATE_BACKEND = "sqlite"
#: More failed articles than this make the run exit with status 6.
NEWSSPIDER_MAX_FAILED = 10
#: The crawl state is committed (after syncing the outputs) every so many articles…
NEWSSPIDER_CHECKPOINT_ITEMS = 200
#: …or every so many seconds, and at the end of the run.
NEWSSPIDER_CHECKPOINT_SECONDS = 5.0
#: Seconds between progress lines in the log (0: none).
NEWSSPIDER_PROGRESS_INTERVAL = 30.0

# --- politeness: the real site is a small GitHub Pages site --------------------------------
USER_AGENT = "newsspider/0.1 (archiving crawler for finews.withounder.com)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
#: Who runs this crawler (an e-mail or URL), added to the User-Agent for the site's operators.
NEWSSPIDER_CONTACT = ""
DOWNLOAD_TIMEOUT = 30
# A post page is a few KB; anything past 5 MB is not one (reported, not archived).
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 3
#: Retry n waits NEWSSPIDER_RETRY_BACKOFF × 2^(n-1) s (jittered, at most …_BACKOFF_MAX), or
#: what Retry-After asks, at most NEWSSPIDER_RETRY_AFTER_MAX.
NEWSSPIDER_RETRY_BACKOFF = 0.5
NEWSSPIDER_RETRY_BACKOFF_MAX = 30.0
NEWSSPIDER_RETRY_AFTER_MAX = 120.0
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control opens a loopback port and writes under $HOME on every run: an
# unattended job needs neither.
REMOTE_CONTROL_ENABLED = False
# A request out of retries is a failed article, reported in the run manifest; ERROR is kept
# for broken components (the exit status tells them apart).
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"

# --- items --------------------------------------------------------------------------------
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for the output of every callback, even a single
# item; the pipelines here are synchronous, so parallel items buy nothing. 100 → 1 took a
# fetch-only crawl of 2,012 pages from 8.8 to 3.8 s (bench/README.md).
CONCURRENT_ITEMS = 1
# Cleaning first (the metadata reads the cleaned text), validation last (on the normalised
# item, once every recovery had its chance).
ITEM_PIPELINES = {
    "newsspider.pipelines.body.BodyCleaningPipeline": 100,
    "newsspider.pipelines.share.SharePipeline": 150,
    "newsspider.pipelines.metadata.MetadataPipeline": 200,
    "newsspider.pipelines.validate.RequiredFieldsPipeline": 300,
    "newsspider.incremental.pipeline.ChangedOnlyPipeline": 400,
}

# --- incremental runs ---------------------------------------------------------------------
SPIDER_MIDDLEWARES = {"newsspider.incremental.spidermw.SkipKnownPostsMiddleware": 50}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newsspider.reliability.useragent.ContactUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsspider.reliability.retry.BackoffRetryMiddleware": 550,
    "newsspider.incremental.downloader.ConditionalRequestsMiddleware": 560,
    # Below HttpCompressionMiddleware (590): it sees decompressed bodies.
    "newsspider.reliability.charset.CharsetDetectionMiddleware": 580,
    # Scrapy's decodes every whole page to read its first 4 KB.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsspider.reliability.metarefresh.HeadMetaRefreshMiddleware": 575,
}
# Requests seen are remembered for one process only: a run resumed from JOBDIR asks the
# listings again and finds what a killed run had in flight (the state skips what is archived).
DUPEFILTER_CLASS = "newsspider.dupefilter.InMemoryDupeFilter"
# Start requests are made again by every run, so they need no disk queue; and with a JOBDIR
# left by a killed run, Scrapy 2.19 never sends start requests pushed onto the resumed disk
# start queue (seen here: the home page of a resumed run was silently not requested).
SCHEDULER_START_DISK_QUEUE = None
# Pending requests wait on disk, JOBDIR or not: memory does not grow with the site.
SCHEDULER = "newsspider.scheduler.SpillingScheduler"
SCHEDULER_DISK_QUEUE = "newsspider.scheduler.PickleLifoDiskQueue"
#: Without JOBDIR, queue pending requests in ``DATA_DIR/state/queue-<pid>`` (off: in memory).
NEWSSPIDER_DISK_QUEUE = True

#: Category pages requested or read at once (0: no limit); the others wait in the spider.
NEWSSPIDER_LISTINGS_AT_ONCE = 2

# --- body cleaning ----------------------------------------------------------------------------
#: Clean bodies in a worker process (the second core); off, or on one CPU: in the crawl.
NEWSSPIDER_CLEANING_WORKER = True
#: At most this many bodies per batch sent to the worker.
NEWSSPIDER_CLEANING_WORKER_BATCH = 64
#: Seconds the worker may take over a batch before it is killed (its bodies then cleaned here).
NEWSSPIDER_CLEANING_WORKER_TIMEOUT = 60.0

# --- outputs ------------------------------------------------------------------------------
FEEDS = {
    "%(data_dir)s/jsonl/%(name)s-%(run_id)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf8",
        "fields": EXPORT_FIELDS,
    },
}
FEED_URI_PARAMS = "newsspider.feeds.uri_params"
# Scrapy's JSON Lines bytes, the dataclass fields read directly: 0.06 → 0.03 ms per line.
FEED_EXPORTERS = {"jsonlines": "newsspider.feeds.JsonLinesExporter"}
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORE_EMPTY = False  # a run that exports nothing writes no feed file
FEED_STORAGES = {
    "": "newsspider.feeds.UnbufferedFileFeedStorage",
    "file": "newsspider.feeds.UnbufferedFileFeedStorage",
}
EXTENSIONS = {
    "newsspider.extensions.posts.JekyllPostsWriter": 500,
    "newsspider.extensions.state.StateRecorder": 510,
    "newsspider.extensions.report.RunReport": 520,
    "newsspider.extensions.collector.GarbageCollectorTuning": 530,
    "newsspider.reliability.robots.RobotsTxtWarnings": 540,
}
#: Python's collector thresholds during a crawl (empty: Python's own, 700, 10, 10); see
#: ``newsspider/extensions/collector.py`` for the figures.
NEWSSPIDER_GC_THRESHOLD = [3000, 10, 10]
LOG_FORMATTER = "newsspider.logformatter.ArticleLogFormatter"

# --- one crawl across many workers (docs/distributed.md) ------------------------------------
# The add-on does nothing unless NEWSSPIDER_REDIS_URL is set; then it switches the scheduler,
# the fingerprint filter and the crawl state to Redis (scrapy-redis), per run.
ADDONS = {"newsspider.distributed.addon.RedisAddon": 0}
#: ``redis://host:6379/0``: this crawl is one worker of a distributed run (empty: a single run).
NEWSSPIDER_REDIS_URL = ""
#: Prefix of every Redis key of newsspider (state and runs): one archive per prefix.
NEWSSPIDER_REDIS_PREFIX = "newsspider"
#: Seconds between a worker's heartbeats (and its polls of the shared queue).
NEWSSPIDER_REDIS_HEARTBEAT_SECONDS = 1.0
#: A worker silent this many seconds is dead: its requests in flight go back to the queue.
NEWSSPIDER_REDIS_WORKER_TTL = 30
#: Seconds the keys of an abandoned run (every worker gone before its end) stay in Redis.
NEWSSPIDER_REDIS_RUN_TTL = 7 * 24 * 3600

LOG_LEVEL = "INFO"
