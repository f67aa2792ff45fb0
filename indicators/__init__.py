"""Indicators: definitions as data, rates and aggregation, disclosure control, the
social index engine, areal interpolation and crosswalks, targets and clusters.

Depends on :mod:`geo` only; never on :mod:`monitoring`.
"""
