"""Retrieval: the benchmark tasks a sample may copy (``ngram``) and the problems near it in meaning (``embedding``)."""
