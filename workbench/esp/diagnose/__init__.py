"""Diagnosis per well and window: the ``legacy`` tree, the ``rules`` method, anomalies, and
their evaluation against labelled episodes."""
