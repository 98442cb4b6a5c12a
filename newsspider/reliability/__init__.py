"""Downloader components for bad nights on the network: backoff, Retry-After, charsets."""
