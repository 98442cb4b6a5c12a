"""The spiders of newsspider."""
