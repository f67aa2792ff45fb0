"""Payments out of a local fund, and the fund's balance.

A payment pays (part of) a positive decision of the fund's body: never without
one, never more than it granted. The balance of a fund is its income less what was
paid; what is approved and not yet paid is committed, so the money still free is
income − paid − committed (:func:`fund_balance`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo import german
from monitoring.findings import Finding

OUTCOMES: tuple[str, ...] = ("bewilligt", "abgelehnt", "zurückgestellt")
"""Outcomes of a decision of the Quartiersrat or the jury."""
POSITIVE = "bewilligt"
_CENT = 0.005


def _euro(value: float) -> str:
    return german.number(value, decimals=2) + " €"


def _missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    )


def is_positive(outcome: Any) -> bool:
    """Return whether a decision grants money.

    A decision recorded without an outcome (before outcomes were kept) was a grant.

    Examples
    --------
    >>> is_positive("bewilligt"), is_positive(None), is_positive("abgelehnt")
    (True, True, False)
    """
    return _missing(outcome) or outcome == POSITIVE


def check_payment(
    record: Mapping[str, Any],
    decision: Mapping[str, Any] | None,
    earlier: pd.DataFrame,
) -> list[Finding]:
    """Check a payment against its decision and the decision's other payments.

    Parameters
    ----------
    record
        The payment: ``id, fund_id, decision_id, paid, amount``.
    decision
        The decision it pays (None: it does not exist).
    earlier
        The decision's other payments (``id, amount``); a row with the payment's own
        id is ignored.

    Examples
    --------
    >>> d = {"id": "D1", "fund_id": "F", "amount": 500.0, "outcome": "bewilligt",
    ...      "decided": "2025-05-01"}
    >>> paid = pd.DataFrame({"id": ["Z1"], "amount": [300.0]})
    >>> for f in check_payment({"id": "Z2", "fund_id": "F", "decision_id": "D1",
    ...                         "amount": 250.0, "paid": "2025-06-01"}, d, paid):
    ...     print(f.message)
    Auszahlung 'Z2': 250,00 € und schon ausgezahlte 300,00 € sind mehr als die bewilligten \
500,00 € der Entscheidung 'D1'; höchstens 200,00 € können noch ausgezahlt werden
    >>> [f.code for f in check_payment({"id": "Z3", "fund_id": "F", "decision_id": "D1",
    ...     "amount": 100.0}, d | {"outcome": "abgelehnt"}, paid.iloc[:0])]
    ['decision']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "fund_payments", rid, f"Auszahlung {rid!r}: {message}"))

    amount = record.get("amount")
    amount = None if _missing(amount) else float(amount)  # type: ignore[arg-type]
    if amount is None or amount <= 0:
        add("amount", "der Betrag muss mehr als 0 € sein")
    if decision is None:
        add(
            "decision",
            f"die Entscheidung {record.get('decision_id')!r} gibt es nicht; "
            "ohne Entscheidung des Gremiums wird nichts ausgezahlt",
        )
        return out
    did = decision.get("id")
    if decision.get("fund_id") != record.get("fund_id"):
        add(
            "fund",
            f"die Entscheidung {did!r} gehört zum Fonds {decision.get('fund_id')!r}, "
            f"nicht zu {record.get('fund_id')!r}",
        )
    if not is_positive(decision.get("outcome")):
        add(
            "decision",
            f"die Entscheidung {did!r} ist {decision.get('outcome')!r}, nicht bewilligt; "
            "ausgezahlt wird nur auf eine positive Entscheidung",
        )
        return out
    others = earlier[earlier["id"] != rid] if len(earlier) else earlier
    before = float(pd.to_numeric(others["amount"]).fillna(0).sum()) if len(others) else 0.0
    granted = float(decision.get("amount") or 0.0)
    if amount is not None and amount + before > granted + _CENT:
        already = f" und schon ausgezahlte {_euro(before)}" if before else ""
        add(
            "too_much",
            f"{_euro(amount)}{already} sind mehr als die bewilligten {_euro(granted)} der "
            f"Entscheidung {did!r}; höchstens {_euro(max(granted - before, 0.0))} können "
            "noch ausgezahlt werden",
        )
    paid: Any = record.get("paid")
    decided: Any = decision.get("decided")
    if not _missing(paid) and not _missing(decided) and pd.Timestamp(paid) < pd.Timestamp(decided):
        add(
            "date",
            f"ausgezahlt am {pd.Timestamp(paid):%d.%m.%Y}, vor der Entscheidung vom "
            f"{pd.Timestamp(decided):%d.%m.%Y}",
        )
    return out


def fund_balance(
    income: pd.DataFrame, decisions: pd.DataFrame, payments: pd.DataFrame
) -> dict[str, float]:
    """Return a fund's money: income, approved, paid, committed, balance and free.

    Notes
    -----
    approved = Σ amount of positive decisions; paid = Σ payments;
    committed = Σ over positive decisions of max(amount − paid on it, 0);
    balance = income − paid; free = balance − committed.

    Examples
    --------
    >>> inc = pd.DataFrame({"amount": [6000.0, 4000.0]})
    >>> dec = pd.DataFrame({"id": ["D1", "D2", "D3"], "amount": [1000.0, 500.0, 900.0],
    ...                     "outcome": ["bewilligt", "bewilligt", "abgelehnt"]})
    >>> pay = pd.DataFrame({"decision_id": ["D1"], "amount": [400.0]})
    >>> fund_balance(inc, dec, pay)
    {'income': 10000.0, 'approved': 1500.0, 'paid': 400.0, 'committed': 1100.0, \
'balance': 9600.0, 'free': 8500.0}
    """
    total_in = float(pd.to_numeric(income["amount"]).fillna(0).sum()) if len(income) else 0.0
    outcome = decisions["outcome"] if "outcome" in decisions else pd.Series(None, decisions.index)
    positive = decisions[[is_positive(o) for o in outcome]] if len(decisions) else decisions
    amounts = pd.to_numeric(payments["amount"]).fillna(0) if len(payments) else pd.Series()
    paid = float(amounts.sum()) if len(payments) else 0.0
    paid_on = (
        amounts.groupby(payments["decision_id"]).sum() if len(payments) else pd.Series(dtype=float)
    )
    committed = 0.0
    approved = 0.0
    for did, amount in zip(positive["id"], pd.to_numeric(positive["amount"]).fillna(0)):
        approved += float(amount)
        committed += max(float(amount) - float(paid_on.get(did, 0.0)), 0.0)
    return {
        "income": total_in,
        "approved": approved,
        "paid": paid,
        "committed": committed,
        "balance": total_in - paid,
        "free": total_in - paid - committed,
    }
