"""Local funds (Verfügungsfonds, Aktionsfonds, Projektfonds): income, decisions and rules.

The rules of ../shared/DOMAIN.md §5, checked per fund:

1. a Verfügungsfonds (the general local fund) takes at most 50 % of its income from
   Städtebauförderung, the rest from businesses, owners, private sources or extra
   municipal money; a funding area whose ``fund_public_share_max`` is 1.0 (e.g. NRW,
   Sozialer Zusammenhalt) may take 100 %. The rule is the Verfügungsfonds' only: an
   Aktionsfonds, Projektfonds or Baufonds is not held to it;
2. Städtebauförderung money pays only investive or investment-related items;
3. the bodies' positive decisions do not spend more than the fund has, in total and
   per kind of money (Städtebauförderung and the rest); rejected ones spend nothing;
4. a Projektfonds funds projects from 5,000 € and of at most 4 years;
5. a decision's outcome is one of :data:`monitoring.neighbourhood.payments.OUTCOMES`
   and its votes are counts (≥ 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from monitoring.findings import Finding
from monitoring.neighbourhood.payments import OUTCOMES, is_positive
from monitoring.numbers import german_number

FUND_KINDS: tuple[str, ...] = ("Verfügungsfonds", "Aktionsfonds", "Projektfonds", "Baufonds")
PUBLIC_SOURCE = "Städtebauförderung"
"""The income source (and ``financed_from`` value) of Städtebauförderung money."""
PRIVATE_MONEY = "privat"
"""``financed_from`` of the other money (businesses, owners, private, extra municipal)."""
FINANCED_FROM: tuple[str, ...] = (PUBLIC_SOURCE, PRIVATE_MONEY)
BODY_KINDS: tuple[str, ...] = ("Quartiersrat", "Aktionsfonds-Jury")
PROOF_PENDING: tuple[str, ...] = ("ausstehend",)
SHARE_RULE_KINDS: tuple[str | None, ...] = ("Verfügungsfonds", None)
"""Fund kinds held to the public-share rule (None: a fund recorded without its kind)."""
PROJECT_FUND = "Projektfonds"
PROJECT_FUND_MIN = 5_000.0
PROJECT_FUND_MAX_YEARS = 4

_CENT = 0.005


def _euro(value: float) -> str:
    return german_number(value, decimals=2, unit=" €")


def _date(value: Any) -> str:
    return f"{pd.Timestamp(value):%d.%m.%Y}"


def income_shares(income: pd.DataFrame) -> pd.DataFrame:
    """Sum a fund's income per source with its share of the total.

    Returns
    -------
    pandas.DataFrame
        ``source, amount, share`` (share in %), largest first.

    Examples
    --------
    >>> inc = pd.DataFrame({"source": ["Städtebauförderung", "Gewerbe", "Gewerbe"],
    ...                     "amount": [500.0, 300.0, 200.0]})
    >>> income_shares(inc).values.tolist()
    [['Gewerbe', 500.0, 50.0], ['Städtebauförderung', 500.0, 50.0]]
    """
    sums = pd.DataFrame(income.groupby("source", as_index=False)["amount"].sum())
    total = float(sums["amount"].sum())
    sums["share"] = sums["amount"] / total * 100 if total else float("nan")
    return sums.sort_values(["amount", "source"], ascending=[False, True]).reset_index(drop=True)


def fund_findings(
    fund: Mapping[str, Any],
    income: pd.DataFrame,
    decisions: pd.DataFrame,
    *,
    public_share_max: float = 0.5,
    today: pd.Timestamp | None = None,
    projects: pd.DataFrame | None = None,
) -> list[Finding]:
    """Check one fund against the rules (errors) and for missing proofs of use (warnings).

    Parameters
    ----------
    fund
        The fund's record (``id``, ``name``, ``kind``).
    income
        Its income: ``source, amount``.
    decisions
        Its decisions: ``id, title, amount, investive, financed_from`` (and
        ``decided``, ``proof_of_use`` for the warnings).
    public_share_max
        The funding area's highest Städtebauförderung share (0.5 by rule, up to 1.0).
    today
        Decisions decided more than a year before ``today`` without a proof of use get
        a warning; None: no such warnings.
    projects
        ``id, start_date, end_date`` of the projects the decisions fund, for the
        Projektfonds' 4-year rule (None: not checked).

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> inc = pd.DataFrame({"source": ["Städtebauförderung", "Gewerbe"],
    ...                     "amount": [6000.0, 4000.0]})
    >>> dec = pd.DataFrame({"id": ["D1"], "title": ["Honorar Workshop"], "amount": [800.0],
    ...                     "investive": [False], "financed_from": ["Städtebauförderung"]})
    >>> for f in fund_findings({"id": "VF-2024"}, inc, dec):
    ...     print(f.code, "|", f.message)
    public_share | Fonds „VF-2024“: 60,0 % der Einnahmen (6.000,00 € von 10.000,00 €) stammen \
aus der Städtebauförderung, erlaubt sind höchstens 50 %; nehmen Sie mindestens 2.000,00 € von \
Gewerbe, Eigentümern, privaten Quellen oder zusätzlichen kommunalen Mitteln ein oder senken \
Sie die Einnahmen aus der Städtebauförderung
    investive | Fonds „VF-2024“: Entscheidung „D1“ („Honorar Workshop“, 800,00 €) ist nicht \
investiv, wird aber aus Städtebauförderungsmitteln bezahlt, die nur investive oder \
investitionsbegleitende Ausgaben tragen dürfen; bezahlen Sie sie aus den anderen Mitteln \
(„privat“) oder setzen Sie „investiv“, wenn sie es ist
    """
    fid = str(fund.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str, level: str = "error") -> None:
        out.append(Finding(level, code, "local_funds", fid, f"Fonds „{fid}“: {message}"))  # type: ignore[arg-type]

    amounts = pd.to_numeric(income["amount"]).fillna(0.0)
    public_in = float(amounts[income["source"] == PUBLIC_SOURCE].sum())
    total_in = float(amounts.sum())
    other_in = total_in - public_in
    negative = income[amounts < 0]
    for source, amount in zip(negative["source"], negative["amount"]):
        add(
            "income",
            f"die Einnahme aus „{source}“ ist negativ ({_euro(float(amount))}); tragen Sie "
            "einen Betrag ab 0 € ein",
        )
    kind = fund.get("kind")
    kind = None if kind is None or pd.isna(kind) else kind
    if kind in SHARE_RULE_KINDS and total_in > 0 and public_in / total_in > public_share_max + 1e-9:
        needed = public_in * (1 - public_share_max) / public_share_max - other_in
        fix = (
            f"nehmen Sie mindestens {_euro(needed)} von Gewerbe, Eigentümern, privaten "
            "Quellen oder zusätzlichen kommunalen Mitteln ein oder senken Sie die Einnahmen "
            "aus der Städtebauförderung"
            if public_share_max > 0
            else "nehmen Sie keine Städtebauförderungsmittel in diesen Fonds auf"
        )
        add(
            "public_share",
            f"{german_number(public_in / total_in * 100, decimals=1)} % der Einnahmen "
            f"({_euro(public_in)} von {_euro(total_in)}) stammen aus der "
            "Städtebauförderung, erlaubt sind höchstens "
            f"{german_number(public_share_max * 100, decimals=_places(public_share_max * 100))} %"
            f"; {fix}",
        )
    spent = dict.fromkeys(FINANCED_FROM, 0.0)
    records: list[dict[Any, Any]] = decisions.to_dict("records")
    spans = _project_spans(projects)
    for d in records:
        did, amount = d.get("id"), float(d.get("amount") or 0.0)
        label = f"Entscheidung „{did}“ („{d.get('title')}“, {_euro(amount)})"
        source = d.get("financed_from")
        if amount <= 0:
            add("amount", f"{label}: der Betrag muss größer als 0 € sein")
        out += _decision_findings(fid, kind, d, spans)
        if not is_positive(d.get("outcome")):
            continue
        if source not in FINANCED_FROM:
            add(
                "financed_from",
                f"{label} wird aus „{source}“ bezahlt; erlaubt ist "
                f"{' oder '.join(f'„{s}“' for s in FINANCED_FROM)}",
            )
            continue
        spent[source] += amount
        investive = d.get("investive")
        if source == PUBLIC_SOURCE and (investive is None or pd.isna(investive) or not investive):
            add(
                "investive",
                f"{label} ist nicht investiv, wird aber aus Städtebauförderungsmitteln bezahlt, "
                "die nur investive oder investitionsbegleitende Ausgaben tragen dürfen; "
                "bezahlen Sie sie aus den anderen Mitteln („privat“) oder setzen Sie "
                "„investiv“, wenn sie es ist",
            )
        decided, proof = d.get("decided"), d.get("proof_of_use")
        proof_date = d.get("proof_date")
        if (
            today is not None
            and (proof_date is None or pd.isna(proof_date))
            and decided is not None
            and not pd.isna(decided)
            and (today - pd.Timestamp(decided)).days > 365
            and (proof is None or proof in PROOF_PENDING)
        ):
            add(
                "proof_of_use",
                f"{label} wurde am {_date(decided)} beschlossen und hat noch keinen "
                "Verwendungsnachweis; fordern Sie ihn bei den Antragstellenden an",
                "warning",
            )
    budget = {PUBLIC_SOURCE: public_in, PRIVATE_MONEY: other_in}
    if kind not in SHARE_RULE_KINDS:  # no share rule: the fund's money counts as one
        total_out = sum(spent.values())
        if total_out > total_in + _CENT:
            add(
                "overspent",
                f"die Entscheidungen geben {_euro(total_out)} aus, der Fonds hat aber nur "
                f"{_euro(total_in)}; {_euro(total_out - total_in)} zu viel: senken Sie eine "
                "Entscheidung, lehnen Sie eine ab oder erfassen Sie weitere Einnahmen",
            )
        return out
    for money in FINANCED_FROM:
        if spent[money] > budget[money] + _CENT:
            what = "Städtebauförderungsmitteln" if money == PUBLIC_SOURCE else "anderen Mitteln"
            add(
                "overspent",
                f"die Entscheidungen geben {_euro(spent[money])} aus {what} aus, der Fonds hat "
                f"davon aber nur {_euro(budget[money])}; "
                f"{_euro(spent[money] - budget[money])} zu viel: senken Sie eine Entscheidung, "
                "lehnen Sie eine ab oder erfassen Sie weitere Einnahmen",
            )
    return out


def _places(value: float) -> int:
    """Return the decimal places a percentage needs (50 -> 0, 12.5 -> 1)."""
    return 0 if float(value).is_integer() else 1


def _project_spans(projects: pd.DataFrame | None) -> dict[str, tuple[Any, Any]]:
    """Return project id -> (start, end)."""
    if projects is None or not len(projects):
        return {}
    return {
        str(i): (a, b)
        for i, a, b in zip(projects["id"], projects["start_date"], projects["end_date"])
    }


def _decision_findings(
    fid: str,
    kind: str | None,
    d: Mapping[Any, Any],
    spans: Mapping[str, tuple[Any, Any]],
) -> list[Finding]:
    """Check outcome and votes of a decision, and the Projektfonds' rules."""
    out: list[Finding] = []
    did = d.get("id")

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "fund_decisions", str(did), f"Fonds {fid!r}: {message}"))

    outcome = d.get("outcome")
    if outcome is not None and not pd.isna(outcome) and outcome not in OUTCOMES:
        add("outcome", f"Ergebnis {outcome!r} ist nicht eines von {', '.join(OUTCOMES)}")
    for name, text in (("votes_yes", "Ja"), ("votes_no", "Nein"), ("votes_abstain", "Enthaltung")):
        votes = d.get(name)
        if votes is not None and not pd.isna(votes) and int(votes) < 0:
            add("votes", f"Entscheidung {did!r}: {votes} {text}-Stimmen; die Zahl ist ≥ 0")
    if kind != PROJECT_FUND or not is_positive(outcome):
        return out
    amount = float(d.get("amount") or 0.0)
    if 0 < amount < PROJECT_FUND_MIN:
        add(
            "project_fund_min",
            f"Entscheidung {did!r} bewilligt {_euro(amount)}; der Projektfonds fördert Projekte "
            f"ab {_euro(PROJECT_FUND_MIN)} (kleinere Vorhaben gehören in den Aktionsfonds)",
        )
    start, end = spans.get(str(d.get("project_id")), (None, None))
    if start is not None and end is not None and not pd.isna(start) and not pd.isna(end):
        limit = pd.Timestamp(start) + pd.DateOffset(years=PROJECT_FUND_MAX_YEARS)
        if pd.Timestamp(end) > limit:
            add(
                "project_fund_years",
                f"Entscheidung {did!r}: das Projekt {d.get('project_id')!r} läuft vom "
                f"{pd.Timestamp(start):%d.%m.%Y} bis {pd.Timestamp(end):%d.%m.%Y}, länger als "
                f"die {PROJECT_FUND_MAX_YEARS} Jahre, die der Projektfonds fördert",
            )
    return out
