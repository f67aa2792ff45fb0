"""From city to Land to Bund: report packages, their collection and the roll-up.

A municipality files its report (:mod:`monitoring.reports.filing`) and sends it on as a
sealed package; a Land's (or the Bund's) store collects the packages, checks them and
rolls them up by programme, Kreis and Land.
"""
