"""The mix: ratios, quotas and split (``stage.py``), export and data card (``export.py``), config (``config.py``)."""
