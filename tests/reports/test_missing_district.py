"""A district whose value the statistics office withheld: the city's sum is not reported.

Before, the sum over the districts silently left the district out (an understated
city figure); now the figure reads "nicht gemeldet", never "unterdrückt".
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo.store import open_store
from monitoring.auth import User
from monitoring.reports.generate import build_report
from tests.reports.test_missing_and_filing import CRS, seed


@pytest.mark.parametrize("withheld", [True, False])
def test_a_withheld_district_value_leaves_the_city_figure_not_reported(
    store_url: str, withheld: bool
) -> None:
    with open_store(store_url) as store:
        store.init(crs=CRS)
        seed(store)
        if withheld:
            pb = {"area_id": "PB", "indicator": "unemployed"}
            rows = store.read("indicator_values", where=pb)
            later = pd.to_datetime(rows["period"]) == pd.Timestamp("2024-12-31")
            rows.loc[later, "value"] = None
            rows.loc[later, "flag"] = "secret"  # "." in the office's table
            store.write("indicator_values", rows, mode="upsert")
        report = build_report(store, User("anna", "admin"), "FA", year=2024)
    rows_by_field = {r.field: r for _, _, r in report.rows()}
    city = rows_by_field["D.2.unemployment_rate.city"]
    area = rows_by_field["D.2.unemployment_rate.area"]
    assert (area.value, area.reason) == (None, "unterdrückt")  # 200 residents either way
    if withheld:
        assert (city.value, city.reason) == (None, "nicht gemeldet")
    else:
        assert city.reason is None and city.value == pytest.approx(240 / 3800 * 100, abs=1e-4)
