"""AppTest of the section „Berichtspakete“ on the Berichte page: the package of a filed
report is offered for download and reads back sealed; collected packages are listed with
„ersetzt durch“; a viewer gets no upload.

(AppTest cannot drive ``st.file_uploader``: the upload goes through the section's service
function, :func:`ui.berichtspakete.collect_uploads`, which the button calls.)"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring import editing
from monitoring.auth import LOCAL_USER
from monitoring.federal import packages
from monitoring.reports import filing
from tests.app.test_berichte import Offered, _as, offered  # noqa: F401 - the download spy
from ui.berichtspakete import collect_uploads

YEAR = 2024


def _tables(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def test_package_download_upload_and_list(
    open_page: Callable[..., AppTest],
    city_url: str,
    offered: list[Offered],  # noqa: F811 - the fixture imported above
) -> None:
    store = open_store(city_url)
    area = store.read("funding_areas", where={"id": "SSZ-01"}).iloc[0]
    editing.update(
        store,
        LOCAL_USER,
        "funding_areas",
        {"id": "SSZ-01"},
        {"ags": "05999000"},
        expected_version=int(area["version"]),
    )
    filing.file_report(store, LOCAL_USER, "SSZ-01", year=YEAR)
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    assert any(h.value == "Berichtspakete" for h in at.subheader)
    assert any("noch keine Berichtspakete" in i.value for i in at.info)
    assert [b for b in at.button if b.label == "Einlesen"]  # may edit funding data
    by_name = {o.file_name: o for o in offered}
    data = by_name["berichtspaket_SSZ-01_2024_1.json"].payload()
    package = packages.read_package(data, file_name="paket.json")
    assert (package["ags"], package["fassung"]) == ("05999000", 1)

    # the Land's side, in the same store here: the button's service, then the list
    result, table = collect_uploads(store, LOCAL_USER, [("paket.json", data)], 0.5)
    assert table["Ergebnis"].tolist() == ["eingelesen"]
    at.run()
    assert not at.exception
    listed = [t for t in _tables(at) if "ersetzt durch" in t.columns]
    assert listed and listed[0]["Kennung"].tolist() == ["05999000/SSZ-01/2024/1"]


def test_a_viewer_sees_the_list_but_no_upload(city_url: str) -> None:
    from monitoring.auth import User

    at = _as(User("vera", "viewer"), gebiet="SSZ-01", jahr=str(YEAR))
    assert any(h.value == "Berichtspakete" for h in at.subheader)
    assert not [b for b in at.button if b.label == "Einlesen"]
