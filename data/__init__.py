"""The demo city "Musterstadt" and how it is built (see :mod:`data.musterstadt`)."""
