"""Item pipelines, one concern each. Their order is set in ``ITEM_PIPELINES`` (settings)."""
