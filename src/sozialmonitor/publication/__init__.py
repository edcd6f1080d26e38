"""The publication service: the one protected source of every public figure.

Portal pages, the API, downloads and the public report read only from here (:mod:`.figures`); releases
(:mod:`.release`) decide which reference years the public sees, and the disclosure audit
(:mod:`sozialmonitor.stats.audit`) plays the attacker on everything a release publishes together.
"""
