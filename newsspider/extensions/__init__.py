"""Scrapy extensions of newsspider."""
