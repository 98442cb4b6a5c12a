"""``Request.meta`` keys by which the spiders tell the incremental components what a request is."""

#: A listing page (home, rolling news, category): its value is the category ("home" for /).
LISTING = "newsspider_listing"
#: A post page: its value is the article id from the URL.
POST = "newsspider_post"
#: Set on a post request that re-checks a known article with a conditional request.
RECHECK = "newsspider_recheck"
#: Set by the spider on a listing response it could parse (only those can show a post gone).
LISTING_OK = "newsspider_listing_ok"
#: Set by the downloader middleware when a known post answered 404 (recorded as gone).
GONE = "newsspider_gone"
