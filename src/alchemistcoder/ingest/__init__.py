"""The ingest stage and its source adapters: instruction sources (files, hub datasets) → Samples."""
