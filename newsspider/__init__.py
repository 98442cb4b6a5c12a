"""newsspider: a Scrapy crawler that archives the finews site."""
