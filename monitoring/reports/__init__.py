"""Federal reports per Gesamtmaßnahme and reporting year: eMo parts A–D and Begleitinformationen.

Enter once, report many: the figures come from the stored records through the same
computations as the progress report (:mod:`monitoring.renewal.progress`,
:mod:`monitoring.renewal.comparison`); which figure fills which report field is a catalogue
(:mod:`monitoring.reports.catalogue`). :mod:`monitoring.reports.generate` is the entry
point of the CLI and the app.
"""
