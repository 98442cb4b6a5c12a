"""Incremental crawling: skip known work before downloading, export only what changed."""
