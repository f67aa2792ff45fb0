"""The grant procedure of a Gesamtmaßnahme: KuF, applications, notices, drawdowns, documents.

- :mod:`.cost_groups`: the per-Land catalogue of cost groups and revenue kinds (TOML);
- :mod:`.kuf`: the Kosten- und Finanzierungsübersicht computed from the stored rows;
- :mod:`.notices`: grant notices, drawdowns, deadlines and the statement of use;
- :mod:`.rules`: their record rules, run by :func:`monitoring.services.check_record`;
- :mod:`.service`: reading and writing them as a user (roles, versions, audit).
"""
