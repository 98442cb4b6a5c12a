"""Exporters: rendering items into the archive's formats (JSON Lines goes through FEEDS)."""
