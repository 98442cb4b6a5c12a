"""The crawl benchmark: a synthetic finews site served by nginx, fetch-only vs full crawls.

See ``bench/README.md``; run it with ``python bench/run.py``.
"""
