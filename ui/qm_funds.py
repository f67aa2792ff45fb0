"""Reiter „Fonds“: Einnahmen, Anträge, Entscheidungen, Auszahlungen, Verwendungsnachweise.

Der Kontostand eines Fonds ist Einnahmen − ausgezahlt; verfügbar ist, was davon nach
den bewilligten, noch nicht ausgezahlten Beträgen übrig ist. Die Regeln kennen die
Fondsart (50-%-Regel nur beim Verfügungsfonds, Projektfonds ab 5.000 € und höchstens
4 Jahre); ausgezahlt wird nur auf eine positive Entscheidung und nie mehr als sie.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from monitoring import services
from monitoring.auth import ROLE_LABELS, User
from monitoring.neighbourhood import funds as fund_rules
from monitoring.neighbourhood.payments import OUTCOMES, is_positive
from ui import data, state
from ui.common import md, names
from ui.inputs import number_field, read_numbers
from ui.qm_common import attempt, euro, form_errors, generation, next_id, text_or_none
from ui.tables import german_table

PAGE = "quartiersmanagement"
INCOME_SOURCES: tuple[str, ...] = (
    fund_rules.PUBLIC_SOURCE,
    "Gewerbe",
    "Eigentümer",
    "private Spenden",
    "kommunale Sondermittel",
    "sonstige",
)


def ledger(income: pd.DataFrame, decisions: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """Return a fund's book: income, decisions (with outcome and vote) and payments by date.

    Only income and payments move the balance; decisions are listed with their amount.

    Examples
    --------
    >>> inc = pd.DataFrame({"received": pd.to_datetime(["2025-01-10"]), "source": ["privat"],
    ...                     "amount": [500.0]})
    >>> dec = pd.DataFrame({"id": ["D1"], "decided": pd.to_datetime(["2025-03-01"]),
    ...     "title": ["Fest"], "amount": [200.0], "outcome": ["bewilligt"], "votes_yes": [5],
    ...     "votes_no": [1], "votes_abstain": [0], "proof_date": [None]})
    >>> pay = pd.DataFrame({"decision_id": ["D1"], "paid": pd.to_datetime(["2025-03-10"]),
    ...                     "amount": [200.0]})
    >>> ledger(inc, dec, pay)[["Vorgang", "Betrag", "Kontostand"]].values.tolist()
    [['Einnahme: privat', '500\\xa0€', '500\\xa0€'], ['Entscheidung D1: Fest – bewilligt (5:1:0)', \
'200\\xa0€', '500\\xa0€'], ['Auszahlung zu D1', '-200\\xa0€', '300\\xa0€']]
    """
    rows: list[tuple[Any, int, str, float, float]] = []
    for when, source, amount in zip(income["received"], income["source"], income["amount"]):
        rows.append((when, 0, f"Einnahme: {source}", float(amount), float(amount)))
    for d in decisions.to_dict("records"):
        votes = ""
        if not pd.isna(d.get("votes_yes")) and d.get("votes_yes") is not None:
            votes = " ({}:{}:{})".format(
                *(
                    0 if pd.isna(d.get(k)) else int(d[k])
                    for k in ("votes_yes", "votes_no", "votes_abstain")
                )
            )
        outcome = d.get("outcome") if d.get("outcome") and not pd.isna(d.get("outcome")) else None
        text = f"Entscheidung {d['id']}: {d.get('title') or ''}"
        text += f" – {outcome}{votes}" if outcome else votes
        if d.get("proof_date") is not None and not pd.isna(d.get("proof_date")):
            text += f", Verwendungsnachweis {german.date(d['proof_date'])}"
        rows.append((d.get("decided"), 1, text, float(d["amount"]), 0.0))
    for did, when, amount in zip(paid["decision_id"], paid["paid"], paid["amount"]):
        rows.append((when, 2, f"Auszahlung zu {did}", -float(amount), -float(amount)))
    frame = pd.DataFrame(rows, columns=["Datum", "order", "Vorgang", "amount", "move"])
    frame["Datum"] = pd.to_datetime(frame["Datum"])
    frame = frame.sort_values(["Datum", "order"], kind="stable", na_position="last")
    frame["Kontostand"] = [euro(v) for v in frame["move"].cumsum()]
    frame["Betrag"] = [euro(v) for v in frame["amount"]]
    frame["Datum"] = [german.date(v, missing="") for v in frame["Datum"]]
    return frame[["Datum", "Vorgang", "Betrag", "Kontostand"]].reset_index(drop=True)


def render(url: str, area: str, user: User) -> None:
    """Draw the fund chosen, its balance, rules, book and (for editors) the forms."""
    funds = data.layer(url, "local_funds")
    funds = funds[funds["funding_area_id"] == area]
    if funds.empty:
        st.info("Für dieses Gebiet ist kein Verfügungsfonds erfasst.")
        return
    fund_names = names(funds)
    fund_id = state.choose(
        st, "Fonds", list(fund_names), PAGE, "fonds", format_func=fund_names.__getitem__
    )
    kind = funds.loc[funds["id"] == fund_id, "kind"].iloc[0]
    st.caption(f"Art: {md(kind)}")
    store = data.store(url)
    status = services.fund_status(store, user, fund_id)
    money = status["balance"]
    c = st.columns(5)
    c[0].metric("Einnahmen", euro(money["income"]))
    c[1].metric("bewilligt", euro(money["approved"]))
    c[2].metric("ausgezahlt", euro(money["paid"]))
    c[3].metric("Kontostand", euro(money["balance"]))
    c[4].metric("verfügbar", euro(money["free"]))
    st.caption(
        "Kontostand = Einnahmen − ausgezahlt; verfügbar = Kontostand − bewilligt, aber noch "
        f"nicht ausgezahlt ({euro(money['committed'])})."
    )
    findings = services.check_funds(store, user, fund_id=fund_id)
    for f in findings:
        (st.error if f.level == "error" else st.warning)(md(f.message))
    if not findings:
        st.success("Der Fonds hält die Regeln ein.")
    st.markdown("**Einnahmen nach Herkunft**")
    income, config = german_table(
        services.fund_overview(store, user, fund_id)["income"].rename(
            columns={"source": "Herkunft", "amount": "Betrag", "share": "Anteil"}
        ),
        euro=["Betrag"],
        percent=["Anteil"],
    )
    st.dataframe(income, column_config=config, hide_index=True, width="stretch")
    st.markdown("**Kassenbuch**")
    right = st.column_config.TextColumn(alignment="right")
    st.dataframe(
        ledger(status["income"], status["decisions"], status["payments"]),
        column_config={"Betrag": right, "Kontostand": right},
        hide_index=True,
        width="stretch",
    )
    if not status["applications"].empty:
        st.markdown("**Anträge an diesen Fonds** (auch abgelehnte)")
        apps = status["applications"]
        all_projects = data.layer(url, "projects")
        titles = names(all_projects, label="title")
        st.dataframe(
            pd.DataFrame(
                {
                    "Antrag": apps["id"],
                    "Projekt": [titles.get(p, p) for p in apps["project_id"]],
                    "Status": apps["status"],
                    "beantragt": [euro(v) for v in apps["requested"]],
                    "bewilligt": [euro(v) for v in apps["granted"]],
                }
            ),
            column_config={"beantragt": right, "bewilligt": right},
            hide_index=True,
            width="stretch",
        )
    if not user.may("edit_qm"):
        st.caption(f"Ihre Rolle ({ROLE_LABELS[user.role]}) darf Fonds nicht ändern.")
        return
    _income_form(url, user, fund_id)
    _decision_form(url, area, user, fund_id, status)
    _payment_form(url, user, fund_id, status)
    _proof_form(url, user, status)


def _income_form(url: str, user: User, fund_id: str) -> None:
    with st.expander("Einnahme erfassen"), st.form(f"qm-einnahme-{generation()}"):
        c1, c2, c3 = st.columns(3)
        source = c1.selectbox("Herkunft", list(INCOME_SOURCES))
        amount = number_field("Betrag (€)", key="qm.einnahme.betrag", container=c2)
        received = c3.date_input("Eingang", value=dt.date.today(), format="DD.MM.YYYY")
        go = st.form_submit_button("Einnahme speichern")
    if not go:
        return
    numbers, errors = read_numbers({"amount": ("Betrag (€)", amount, "amount")})
    if form_errors(errors):
        return
    ident = next_id(data.layer(url, "fund_income")["id"], "FE")
    record = {
        "id": ident,
        "fund_id": fund_id,
        "source": source,
        "amount": numbers["amount"],
        "received": received,
    }
    attempt(
        lambda: services.save(data.store(url), user, "fund_income", record),
        done=f"Einnahme {ident} gespeichert.",
        forget=["qm.einnahme."],
    )


def _decision_form(url: str, area: str, user: User, fund_id: str, status: dict[str, Any]) -> None:
    apps = status["applications"]
    waiting = apps[apps["status"] == "eingereicht"]
    labels = {str(i): f"{i}: Projekt {p}" for i, p in zip(waiting["id"], waiting["project_id"])}
    all_bodies = data.layer(url, "bodies")
    bodies = names(all_bodies[all_bodies["funding_area_id"] == area])
    with (
        st.expander("Entscheidung des Gremiums erfassen", expanded=True),
        st.form(f"qm-entscheidung-{generation()}"),
    ):
        c1, c2, c3 = st.columns(3)
        application = c1.selectbox(
            "über Antrag",
            [None, *labels],
            format_func=lambda v: "ohne Antrag" if v is None else labels[v],
        )
        body = c2.selectbox("Gremium", [None, *bodies], format_func=lambda v: bodies.get(v, "–"))
        decided = c3.date_input("Datum", value=dt.date.today(), format="DD.MM.YYYY")
        title = st.text_input("Vorhaben")
        c4, c5, c6 = st.columns(3)
        amount = number_field("Betrag (€)", key="qm.entscheidung.betrag", container=c4)
        outcome = c5.selectbox("Ergebnis", list(OUTCOMES))
        source = c6.selectbox("finanziert aus", list(fund_rules.FINANCED_FROM))
        investive = st.checkbox("investiv")
        c7, c8, c9 = st.columns(3)
        yes = number_field("Ja-Stimmen", key="qm.entscheidung.ja", kind="integer", container=c7)
        no = number_field("Nein-Stimmen", key="qm.entscheidung.nein", kind="integer", container=c8)
        abstain = number_field(
            "Enthaltungen", key="qm.entscheidung.enth", kind="integer", container=c9
        )
        go = st.form_submit_button("Entscheidung speichern", type="primary")
    if not go:
        return
    numbers, errors = read_numbers(
        {
            "amount": ("Betrag (€)", amount, "amount"),
            "votes_yes": ("Ja-Stimmen", yes, "integer"),
            "votes_no": ("Nein-Stimmen", no, "integer"),
            "votes_abstain": ("Enthaltungen", abstain, "integer"),
        }
    )
    if form_errors(errors):
        return
    ident = next_id(data.layer(url, "fund_decisions")["id"], "FD")
    record: dict[str, Any] = {
        "id": ident,
        "fund_id": fund_id,
        "body_id": body,
        "decided": decided,
        "title": text_or_none(title),
        "amount": numbers["amount"],
        "investive": investive,
        "financed_from": source,
        "outcome": outcome,
        **{
            k: None if numbers[k] is None else int(numbers[k] or 0)
            for k in numbers
            if k != "amount"
        },
    }
    store = data.store(url)
    if application is not None:
        record["application_id"] = application
        attempt(
            lambda: services.decide_application(store, user, record),
            done=f"Entscheidung {ident} gespeichert; Antrag {application}: {outcome}.",
            forget=["qm.entscheidung."],
        )
    else:
        attempt(
            lambda: services.save(store, user, "fund_decisions", record),
            done=f"Entscheidung {ident} gespeichert.",
            forget=["qm.entscheidung."],
        )


def _open_decisions(status: dict[str, Any]) -> dict[str, str]:
    """Return id -> label of the positive decisions with money still to pay."""
    decisions, paid = status["decisions"], status["payments"]
    done = pd.to_numeric(paid["amount"]).groupby(paid["decision_id"]).sum() if len(paid) else {}
    out = {}
    for d in decisions.to_dict("records"):
        rest = (
            float(d["amount"]) - float(done.get(d["id"], 0.0)) if len(paid) else float(d["amount"])
        )
        if is_positive(d.get("outcome")) and rest > 0.005:
            out[str(d["id"])] = f"{d['id']}: {d.get('title') or ''} (offen {euro(rest)})"
    return out


def _payment_form(url: str, user: User, fund_id: str, status: dict[str, Any]) -> None:
    choices = _open_decisions(status)
    if not choices:
        return
    with (
        st.expander("Auszahlung erfassen", expanded=True),
        st.form(f"qm-auszahlung-{generation()}"),
    ):
        c1, c2, c3 = st.columns(3)
        decision = c1.selectbox("Entscheidung", list(choices), format_func=choices.__getitem__)
        amount = number_field("Betrag (€)", key="qm.auszahlung.betrag", container=c2)
        paid = c3.date_input("ausgezahlt am", value=dt.date.today(), format="DD.MM.YYYY")
        go = st.form_submit_button("Auszahlung speichern", type="primary")
    if not go:
        return
    numbers, errors = read_numbers({"amount": ("Betrag (€)", amount, "amount")})
    if form_errors(errors):
        return
    ident = next_id(data.layer(url, "fund_payments")["id"], "FZ")
    record = {
        "id": ident,
        "fund_id": fund_id,
        "decision_id": decision,
        "paid": paid,
        "amount": numbers["amount"],
    }
    attempt(
        lambda: services.save(data.store(url), user, "fund_payments", record),
        done=f"Auszahlung {ident} gespeichert.",
        forget=["qm.auszahlung."],
    )


def _proof_form(url: str, user: User, status: dict[str, Any]) -> None:
    decisions = status["decisions"]
    positive = pd.Series([is_positive(o) for o in decisions["outcome"]], index=decisions.index)
    missing = decisions[positive & decisions["proof_date"].isna()]
    if missing.empty:
        return
    labels = {str(i): f"{i}: {t or ''}" for i, t in zip(missing["id"], missing["title"])}
    with (
        st.expander("Verwendungsnachweis erfassen", expanded=True),
        st.form(f"qm-nachweis-{generation()}"),
    ):
        c1, c2 = st.columns(2)
        decision = c1.selectbox("Entscheidung", list(labels), format_func=labels.__getitem__)
        received = c2.date_input("Nachweis erhalten am", value=dt.date.today(), format="DD.MM.YYYY")
        go = st.form_submit_button("Nachweis speichern", type="primary")
    if not go:
        return
    version = int(decisions.loc[decisions["id"] == decision, "version"].iloc[0])
    attempt(
        lambda: services.save(
            data.store(url),
            user,
            "fund_decisions",
            {"proof_date": received, "proof_of_use": "eingereicht"},
            key={"id": decision},
            expected_version=version,
        ),
        done=f"Verwendungsnachweis zu {decision} gespeichert.",
    )
