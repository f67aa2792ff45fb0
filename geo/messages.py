"""The German texts of the errors and import problems of ``geo`` and ``indicators``.

Code stays English, users read German: an error or import problem carries a ``code``
and its facts as named fields (file, row, column, value, the fix …), and this module
turns them into the sentence a clerk reads. ``render("crs.unknown", what="QMON_CRS",
value="EPSG:9")`` is the only way such a text is made; the monitoring package keeps its
own texts the same way in ``monitoring/messages.py``.

Why one module of templates and not gettext catalogues:

- **One language.** The platform is written for German municipalities; there is no
  second language to switch to, so a translation layer (``.po`` files, ``msgfmt``,
  a locale per request) would be machinery without a use.
- **Reviewers read German next to the code.** A template here is a plain Python
  string with named fields; whoever changes a check sees and changes its wording in
  the same review, and ``grep`` finds both. A ``msgid`` in English with its German in a
  compiled catalogue elsewhere hides the text the user gets.
- **Fields are checked by a test.** :func:`fields_of` reads the fields of a template,
  :func:`render` refuses missing or unknown ones, and ``tests/geo/test_messages.py``
  renders every template and compares every call site's keywords with its template,
  so a renamed field cannot leave a ``{value}`` in front of a user.

Numbers and dates inside messages are written by :mod:`geo.german` before they are
handed in as fields (``count=german.number(n)``); a template only places them.

Examples
--------
>>> render("cell.empty")
'die Zelle ist leer'
>>> render("crs.unknown", what="QMON_CRS", value="EPSG:9")  # doctest: +NORMALIZE_WHITESPACE
"QMON_CRS 'EPSG:9' ist kein Koordinatenbezugssystem; schreiben Sie es als EPSG:25832
(UTM 32N), EPSG:25833 (UTM 33N) oder EPSG:4326"
>>> sorted(fields_of("problem.id_unknown"))
['hint', 'what']
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_UTM = "EPSG:25832 (UTM 32N), EPSG:25833 (UTM 33N) oder EPSG:4326"
_PG_URL = "postgresql://benutzer@host:5432/datenbank?schema=NAME"

#: code -> German template with named ``str.format`` fields
TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        # --- cells (geo.readers, geo.symbols) ------------------------------------------
        "cell.empty": "die Zelle ist leer",
        "cell.truth_value": "{value!r} ist ein Wahrheitswert, keine Zahl",
        "cell.not_number": "{value!r} ist keine Zahl",
        "cell.not_number_in_format": "{value!r} ist keine Zahl mit {format}",
        "cell.not_finite": (
            "{value!r} ist keine endliche Zahl (unendlich, zu groß für eine Zahl oder NaN, "
            "wie #DIV/0!); erlaubt sind Zahlen bis etwa 1,8e308"
        ),
        "cell.not_date": (
            "{value!r} ist kein Datum; schreiben Sie 31.12.2021, 2021-12-31, 2021-12 oder 2021"
        ),
        # --- import problems (geo.validation) ------------------------------------------
        "problem.no_column": (
            "diese Spalte gibt es nicht (Option {option}); die Datei hat die Spalten: {columns}"
        ),
        "fix.did_you_mean": "meinten Sie {names}?",
        "fix.pass_option": "geben Sie bei {option} eine der aufgeführten Spalten an",
        "problem.id_repeated": (
            "die ID kommt {times}-mal vor ({rows}); jede ID darf nur einmal vorkommen{scope}"
        ),
        "fix.id_repeated": (
            "vergeben Sie jede ID in der Datei nur einmal (oder entfernen Sie {unit})"
        ),
        "problem.id_empty": "die ID ist leer",
        "fix.id_empty": "tragen Sie die ID ein",
        "problem.id_unknown": "die ID ist nicht unter den {what}{hint}",
        "hint.closest": "; ähnlich: {names}",
        "hint.none_close": "; keine ähnliche ID",
        "problem.no_crs": (
            "die Datei hat kein Koordinatenbezugssystem (keine .prj-Datei, kein crs-Eintrag)"
        ),
        "fix.no_crs": (
            "geben Sie mit --crs an, in welchem Bezugssystem die Koordinaten liegen "
            "(z. B. EPSG:25833), oder legen Sie die .prj-Datei dazu"
        ),
        "note.crs_overridden": (
            "{source}: die Datei nennt {declared}; verwendet wurde --crs {used}"
        ),
        "problem.layer_outside_crs": (
            "die Koordinaten (x {x0} … {x1}, y {y0} … {y1}) können nicht im angegebenen "
            "Bezugssystem {crs} liegen, dessen Koordinaten innerhalb x {bx0} … {bx1}, "
            "y {by0} … {by1} liegen{guess}"
        ),
        "hint.looks_degrees": "; sie sehen aus wie Längen-/Breitengrade in Grad",
        "hint.looks_utm": "; sie sehen aus wie UTM-Meter",
        "hint.looks_gauss_krueger": "; sie sehen aus wie Gauß-Krüger-Meter",
        "fix.coordinates_crs": (
            "geben Sie mit --crs das Bezugssystem an, in dem die Koordinaten wirklich liegen "
            "(EPSG:4326 für Längen-/Breitengrade in Grad, EPSG:25832/25833 für UTM-Meter, "
            "EPSG:31467 für Gauß-Krüger Zone 3), oder korrigieren Sie die .prj-Datei"
        ),
        "problem.feature_outside_crs": (
            "die Koordinaten (x {x}, y {y}) liegen außerhalb des Gebiets, in dem {crs} "
            "verwendet wird (x {bx0} … {bx1}, y {by0} … {by1})"
        ),
        "fix.feature_coordinates": "korrigieren Sie die Koordinaten dieses Objekts",
        "problem.no_geometry": "hat keine Geometrie",
        "problem.empty_geometry": "hat eine leere Geometrie",
        "fix.draw_geometry": "zeichnen Sie die Geometrie oder entfernen Sie {unit}",
        "problem.non_finite_coordinates": (
            "hat Koordinaten, die keine endlichen Zahlen sind (unendlich oder NaN)"
        ),
        "fix.non_finite_coordinates": (
            "korrigieren Sie die Koordinaten dieses Objekts in Ihrem GIS"
        ),
        "problem.wrong_geometry_type": ("ist ein {found}; die Ebene „{layer}“ nimmt nur {allowed}"),
        "fix.wrong_geometry_type": (
            "importieren Sie {found}-Objekte in eine Ebene, die sie aufnimmt, oder wandeln "
            "Sie sie in Ihrem GIS um"
        ),
        "problem.invalid_geometry": "ungültige Geometrie: {reason}",
        "fix.invalid_geometry_strict": (
            "reparieren Sie sie in Ihrem GIS oder importieren Sie ohne --strict, dann wird "
            "sie mit make_valid repariert"
        ),
        "problem.unrepairable_geometry": (
            "ungültige Geometrie ({reason}), die make_valid nicht in {allowed} umwandeln kann"
        ),
        "fix.repair_in_gis": "reparieren Sie sie in Ihrem GIS",
        "note.repaired_geometries": ("{count} mit make_valid repariert: {listed}{more}"),
        "problem.omitted": (
            "… und {more} weitere Probleme dieser Art (aufgeführt sind die ersten {listed})"
        ),
        # --- refusal (geo.errors.ImportRefused) ----------------------------------------
        "import.refused": (
            "Import von {source} abgelehnt, nichts wurde gespeichert: {problems} gefunden"
        ),
        # --- coordinate reference systems ------------------------------------------------
        "crs.unknown": (
            "{what} {value!r} ist kein Koordinatenbezugssystem; schreiben Sie es als " + _UTM
        ),
        "crs.geographic_storage": (
            "QMON_CRS {value} ist ein geographisches Bezugssystem (Grad); das Bezugssystem "
            "der Datenhaltung muss projiziert sein, damit Flächen und Abstände in Metern "
            "gerechnet werden (z. B. EPSG:25832 oder EPSG:25833)"
        ),
        "crs.join_mismatch": (
            "die Ebenen liegen in verschiedenen Bezugssystemen ({left} und {right}); "
            "projizieren Sie eine von ihnen vorher um"
        ),
        "crs.frame_without_crs": (
            "die Daten für die Ebene „{layer}“ haben kein Koordinatenbezugssystem; geben Sie "
            "es an (z. B. EPSG:25832), bevor sie gespeichert werden"
        ),
        "crs.frame_not_spatial": (
            "die Ebene „{layer}“ hat Geometrien; übergeben Sie Daten mit einer Geometriespalte"
        ),
        # --- stores ------------------------------------------------------------------------
        "store.url_unknown": (
            "der Datenbestand {url!r} ist weder ein GeoPackage noch eine PostGIS-Datenbank; "
            "geben Sie einen Pfad auf .gpkg an (z. B. data/musterstadt.gpkg) oder eine "
            "Adresse wie postgresql://benutzer@host:5432/datenbank"
        ),
        "store.url_not_postgis": (
            "die Adresse {url!r} ist keine PostGIS-Adresse; schreiben Sie sie als " + _PG_URL
        ),
        "store.url_empty_schema": (
            "die Adresse {url!r} nennt ein leeres Schema; schreiben Sie ?schema=NAME oder "
            "lassen Sie es weg (dann gilt {default!r})"
        ),
        "store.url_unparsable": (
            "die Adresse {url!r} ist nicht lesbar ({detail}); schreiben Sie sie als " + _PG_URL
        ),
        "store.unknown_layer": (
            "die Ebene {layer!r} gibt es im Datenmodell nicht; es gibt: {layers}"
        ),
        "store.unknown_column": (
            "die Ebene {layer!r} hat keine Spalte {column}; sie hat: {columns}"
        ),
        "store.required_missing": (
            "Ebene „{layer}“: die Pflichtspalte(n) {columns} fehlen oder sind leer"
        ),
        "store.bad_text": (
            "Ebene „{layer}“, Zeile {row}, Spalte {column!r}: der Wert {value!r} lässt sich "
            "nicht als Text speichern (NUL-Zeichen oder fehlerhafte Unicode-Zeichen); "
            "korrigieren Sie den Wert oder die Zeichenkodierung der Datei"
        ),
        "store.not_polygon": (
            "die Ebene „{layer}“ nimmt nur Flächen (Polygone); Zeile {row} ist ein {found} ({wkt}…)"
        ),
        "store.update_key": (
            "Änderung in der Ebene „{layer}“: der Schlüssel muss genau die Spalte(n) {key} "
            "mit Werten nennen; angegeben war {given}"
        ),
        "store.update_managed": (
            "Änderung in der Ebene „{layer}“: {columns} führt der Datenbestand selbst; "
            "lassen Sie sie bei den Werten weg"
        ),
        "store.update_nothing": "Änderung in der Ebene „{layer}“: es sind keine Werte angegeben",
        "store.update_no_version": (
            "Änderung in der Ebene „{layer}“: die Ebene hat keine Versionsnummer; lassen Sie "
            "expected_version weg"
        ),
        "store.conflict": (
            "{what}: jemand anderes hat gleichzeitig dieselben Datensätze geändert "
            "({detail}); es wurde nichts gespeichert, bitte wiederholen Sie den Vorgang"
        ),
        "store.duplicate_key": (
            "{what}: ein Datensatz mit demselben Schlüssel ist schon gespeichert ({detail}); "
            "zum Ersetzen vorhandener Datensätze mit mode='upsert' schreiben"
        ),
        "store.not_null": (
            "{what}: die Spalte {column!r} darf nicht leer sein ({detail}); füllen Sie sie "
            "vor dem Speichern"
        ),
        "store.key_repeated": (
            "Ebene „{layer}“: Zeile {row} wiederholt den Schlüssel {key} einer früheren Zeile; "
            "jeder Schlüssel darf je Speichervorgang nur einmal vorkommen"
        ),
        "store.key_twice": "{what}: die Daten enthalten denselben Schlüssel zweimal ({detail})",
        "store.not_initialised": (
            "{what}: {detail}. Der Datenbestand in {where} ist nicht eingerichtet oder älter "
            "als dieses Programm (Modellversion {version}); richten Sie ihn mit "
            "`qmon init --store {url}` ein oder aktualisieren Sie ihn damit"
        ),
        "store.failed": "{what} ist im PostGIS-Datenbestand in {where} fehlgeschlagen: {detail}",
        "store.pool_unavailable": (
            "zum PostGIS-Datenbestand in {where} lassen sich keine Verbindungen öffnen"
        ),
        "store.pool_busy": (
            "alle {size} Verbindungen zum PostGIS-Datenbestand in {where} waren {seconds} s "
            "lang belegt; beenden Sie offene Vorgänge und versuchen Sie es erneut"
        ),
        "store.folder_missing": (
            "der Ordner {folder!r} für das GeoPackage {url!r} existiert nicht; legen Sie "
            "ihn an oder wählen Sie einen anderen Pfad"
        ),
        "store.not_ready": (
            "{url!r} ist noch kein Quartiersmonitor-Datenbestand; richten Sie ihn mit "
            "'qmon init --store {url}' ein (oder mit 'qmon demo' für die Musterstadt)"
        ),
        "store.newer": (
            "der Datenbestand {where} hat die Modellversion {version}, neuer als dieses "
            "Programm (Version {program}); aktualisieren Sie Quartiersmonitor"
        ),
        "store.version_mismatch": (
            "der Datenbestand {where} hat die Modellversion {version}, dieses Programm "
            "erwartet {program}; aktualisieren Sie ihn mit 'qmon init --store {url}'{newer}"
        ),
        "store.version_newer_hint": " (oder aktualisieren Sie Quartiersmonitor)",
        "store.crs_fixed": (
            "der Datenbestand {where} speichert Geometrien in {stored}, nicht in {wanted}; "
            "das Bezugssystem eines Datenbestands lässt sich nicht ändern (exportieren Sie "
            "stattdessen in einen neuen Datenbestand mit dem anderen Bezugssystem)"
        ),
        "store.second_municipality": (
            "ein GeoPackage-Datenbestand hält genau eine Gemeinde, {url!r} bekäme aber die "
            "Gemeindeschlüssel (AGS) {found}; legen Sie die Daten einer zweiten Gemeinde in "
            "einem eigenen GeoPackage an, oder hosten Sie mehrere Gemeinden in einem "
            "PostGIS-Datenbestand (qmon gemeinde anlegen); ist die Datei das Verzeichnis eines "
            "Landes oder des Bundes ohne Zugänge einzelner Gemeinden, legen Sie sie mit "
            "qmon init --verzeichnis an – es wurde nichts gespeichert"
        ),
        "store.scope_missing": (
            "für {scope} gibt es im PostGIS-Datenbestand in {where} keine Datenbankrolle "
            "{role!r}, oder die Anmeldung {user!r} darf sie nicht annehmen; legen Sie sie mit "
            "'qmon gemeinde anlegen --store URL --ags {ags}' an"
        ),
        "store.scope_invalid": (
            "der Bereich {value!r} ist kein Gemeindeschlüssel-Präfix; erlaubt sind leer (alle "
            "Gemeinden), 2 Ziffern (Land), 5 Ziffern (Kreis) oder 8 Ziffern (Gemeinde), "
            "z. B. 05315000"
        ),
        "store.schema_name_unfit": (
            "das Schema {schema!r} eignet sich nicht für Namen von Datenbankrollen; erlaubt "
            "sind Kleinbuchstaben, Ziffern und _ (höchstens 40 Zeichen)"
        ),
        "store.other_municipality": (
            "der GeoPackage-Datenbestand {url!r} gehört der Gemeinde {ags}; Ihr Zugang gilt "
            "für {scope} – öffnen Sie den Datenbestand Ihrer Gemeinde oder lassen Sie Ihren "
            "Zugang von der Verwaltung anpassen"
        ),
        "store.login_name_unfit": (
            "der Anmeldename {login!r} eignet sich nicht als Datenbankrolle; erlaubt sind "
            "Kleinbuchstaben, Ziffern und _ (beginnend mit einem Buchstaben)"
        ),
        "store.scoped_init": (
            "der Datenbestand {where} ist auf {scope} beschränkt geöffnet; einrichten oder "
            "migrieren darf nur die Anmeldung des Eigentümers ohne Bereich"
        ),
        "store.integrity": (
            "Ebene „{layer}“: {detail}; zwei Zeilen haben denselben Schlüssel ({key}) oder ein "
            "Pflichtwert fehlt – es wurde nichts gespeichert"
        ),
        "store.no_database": (
            "die Datenbank {dbname!r} gibt es auf {host}:{port} nicht; legen Sie sie an mit "
            "`{command}`"
        ),
        "store.login_refused": (
            "{host}:{port} hat den Benutzer {user!r} abgewiesen (Datenbank {dbname!r}); "
            "prüfen Sie Benutzer und Passwort in der Adresse des Datenbestands oder die "
            "pg_hba.conf des Servers"
        ),
        "store.no_server": (
            "auf {host}:{port} antwortet kein PostgreSQL-Server (Datenbank {dbname!r}); "
            "starten Sie den Server (z. B. `pg_ctlcluster 15 main start` oder "
            "`systemctl start postgresql`) oder korrigieren Sie Host und Port in der Adresse"
        ),
        "store.cannot_connect": (
            "keine Verbindung zum PostGIS-Datenbestand: {reason} (PostgreSQL: {detail})"
        ),
        "store.postgis_missing": (
            "PostGIS ist auf dem PostgreSQL-Server {host}:{port} nicht installiert "
            "({detail}); installieren Sie dort das Debian-Paket {package} "
            "(`apt-get install {package}`)"
        ),
        "store.postgis_forbidden": (
            "der Benutzer {user!r} darf PostGIS in der Datenbank {dbname!r} nicht "
            "einschalten; bitten Sie eine Administratorin oder einen Administrator, dort "
            "`CREATE EXTENSION postgis` auszuführen"
        ),
        "crs.no_epsg": (
            "das Bezugssystem der Datenhaltung {value!r} hat keinen EPSG-Code; der "
            "Datenbestand braucht einen, z. B. EPSG:25832 oder EPSG:25833"
        ),
        # --- web map -----------------------------------------------------------------------
        "webmap.choice": "{what} {value!r} ist nicht möglich; wählen Sie eine von: {allowed}",
        "webmap.classes": ("{k} Klassen sind nicht möglich; wählen Sie 2 bis 7 Klassen"),
        "webmap.width": (
            "die Kartenbreite {value} Pixel ist nicht möglich; erlaubt ist eine Breite ab 1"
        ),
        "webmap.palette_size": ("eine Farbpalette hat 1 bis {most} Farben, nicht {k}"),
        "webmap.basemap_wms": (
            "die Hintergrundkarte {value!r} ist keine WMS-Adresse mit layers=…; {allowed}"
        ),
        "webmap.basemap_unknown": "die Hintergrundkarte {value!r} ist unbekannt; {allowed}",
        "webmap.basemap_allowed": (
            "möglich sind: none (keine), osm, eine Kachel-Adresse mit {{z}}/{{x}}/{{y}} oder "
            "wms:ADRESSE?layers=NAME; stellen Sie QMON_BASEMAP entsprechend ein"
        ),
        "webmap.not_projected": (
            "für die Kartendarstellung müssen die Daten in einem projizierten Bezugssystem "
            "in Metern vorliegen, sie sind in {crs}; projizieren Sie sie vorher in das "
            "Bezugssystem der Datenhaltung (z. B. EPSG:25832)"
        ),
        "webmap.preview_no_crs": (
            "die Objekte der Datei haben kein Koordinatenbezugssystem; geben Sie es vor der "
            "Vorschau an (z. B. EPSG:25832)"
        ),
        # --- map services (geo.mapservices) ----------------------------------------------
        "mapservices.missing_file": (
            "die Datei der Kartendienste {file!r} gibt es nicht; prüfen Sie QMON_MAP_SERVICES "
            "oder legen Sie die Datei an (Vorlage: docs/kartendienste.example.toml)"
        ),
        "mapservices.unreadable": (
            "die Datei der Kartendienste {file!r} lässt sich nicht lesen ({detail}); speichern "
            "Sie sie als Text in UTF-8 und prüfen Sie die Leserechte"
        ),
        "mapservices.not_toml": (
            "Kartendienste {file}: kein gültiges TOML ({detail}); vergleichen Sie mit "
            "docs/kartendienste.example.toml"
        ),
        "mapservices.not_list": (
            "Kartendienste {file}: jeder Dienst ist eine Tabelle [[map.layer]]; schreiben Sie "
            "die Einträge wie in docs/kartendienste.example.toml"
        ),
        "mapservices.unknown_tables": (
            "Kartendienste {file}: unbekannte Angabe(n) {keys}; die Datei enthält nur "
            "Tabellen [[map.layer]]"
        ),
        "mapservices.unknown_keys": (
            "Kartendienste {file}, Eintrag {entry}: unbekannte Angabe(n) {keys}; möglich sind: "
            "{allowed}"
        ),
        "mapservices.missing": (
            "Kartendienste {file}, Eintrag {entry}: es fehlt {key}; schreiben Sie z. B. {fix}"
        ),
        "mapservices.type": (
            "Kartendienste {file}, Eintrag {entry}: {key} = {value!r} ist nicht möglich; "
            "erwartet wird {expected}"
        ),
        "mapservices.choice": (
            "Kartendienste {file}, Eintrag {entry}: {key} = {value!r} ist nicht möglich; "
            "möglich sind: {allowed}"
        ),
        "mapservices.bad_id": (
            "Kartendienste {file}, Eintrag {entry}: die id {value!r} ist nicht möglich; "
            "verwenden Sie Buchstaben, Ziffern, Punkt, Binde- und Unterstrich, z. B. "
            "luftbild-2023"
        ),
        "mapservices.url": (
            "Kartendienste {file}, Eintrag {entry}: url = {value!r} ist keine http(s)-Adresse; "
            "schreiben Sie die Adresse des Dienstes mit https://"
        ),
        "mapservices.template": (
            "Kartendienste {file}, Eintrag {entry}: die Kachel-Adresse {value!r} braucht "
            "{{z}}, {{x}} und {{y}} (WMTS: {{TileMatrix}}, {{TileCol}} und {{TileRow}}); "
            'für einen WMS schreiben Sie kind = "wms"'
        ),
        "mapservices.featureinfo_kind": (
            "Kartendienste {file}, Eintrag {entry}: Sachauskünfte per Klick (featureinfo) gibt "
            'es nur bei kind = "wms", nicht bei {kind}; entfernen Sie featureinfo'
        ),
        "mapservices.duplicate_id": (
            "Kartendienste {file}: die id {value!r} kommt mehrfach vor (auch QMON_BASEMAP "
            "heißt „basemap“); geben Sie jedem Eintrag eine eigene id"
        ),
        "mapservices.two_backgrounds": (
            "Kartendienste {file}: mehrere Hintergründe sind sichtbar ({ids}); setzen Sie "
            "visible = true bei höchstens einem Hintergrund"
        ),
        # --- indicators: frames, rates, aggregation ------------------------------------
        "frame.missing_columns": (
            "{what}: es fehlen die Spalte(n) {missing}; vorhanden sind {columns}; {fix}"
        ),
        "fix.indicator_rows": (
            "geben Sie je Gebiet (area_id), Indikator und Zeitraum eine Zeile mit ihrem Wert an"
        ),
        "frame.not_numeric": (
            "{what}: die Spalte {column!r} enthält keine Zahlen (Typ {dtype}); wandeln Sie "
            "sie vorher in Zahlen um"
        ),
        "frame.repeated_keys": (
            "{what} hat {count} Zeilen, die Gebiet, Indikator und Zeitraum wiederholen, z. B. "
            "{first}; behalten Sie je Gebiet, Indikator und Zeitraum einen Wert (eine Ausgabe)"
        ),
        "frame.no_values_column": "die Indikatortabelle hat keine Spalte {column!r} zum Verteilen",
        "rates.not_from_counts": (
            "der Indikator {key!r} ist von der Art {kind} ohne Zähler und Nenner und lässt "
            "sich nicht aus Anzahlen berechnen (geben Sie nur Anteile und Quoten an, die aus "
            "Anzahlen definiert sind, z. B. unemployment_rate)"
        ),
        "rates.lacking_counts": (
            "{key!r} lässt sich nicht berechnen: es fehlen Werte von {lacking}; "
            "{key} = {numerator} / {denominator}"
        ),
        "rates.orphans": (
            "{count} ohne übergeordnetes Gebiet, z. B. {examples}; geben Sie für jedes "
            "Teilgebiet (area_id) die ID seines übergeordneten Gebiets an"
        ),
        "rates.not_aggregable": (
            "der Indikator {key!r} ist von der Art {kind} ohne Zähler und Nenner und lässt "
            "sich nicht zusammenfassen; fassen Sie seine Anzahlen zusammen und berechnen Sie "
            "ihn neu"
        ),
        # --- indicators: disclosure ------------------------------------------------------
        "disclosure.negative": (
            "die Schwellen der Geheimhaltung dürfen nicht negativ sein (Mindest-Einwohnerzahl "
            "{minimum}, Mindestfallzahl {min_count}); üblich sind 300 Einwohner (Berlin)"
        ),
        "disclosure.no_population": (
            "die Daten enthalten keine Werte des Einwohner-Indikators {population!r}, daher "
            "lässt sich kein Gebiet beurteilen; ergänzen Sie diese Werte oder nennen Sie den "
            "richtigen Indikator"
        ),
        # --- indicators: social index ------------------------------------------------------
        "social.missing_columns": (
            "der Tabelle fehlen die Spalte(n) {missing}; sie hat {columns}; nennen Sie die "
            "richtigen mit --id, --population, --status und --dynamics"
        ),
        "social.repeated_ids": (
            "die Spalte {column!r} wiederholt die ID(s) {ids}; jedes Gebiet darf nur "
            "einmal vorkommen"
        ),
        "social.column_count": (
            "das Profil hat {count} {part}-Indikator(en) ({profile_columns}), angegeben "
            "{given_count} Spalte(n) ({given}); geben Sie je Indikator eine Spalte an, in "
            "dieser Reihenfolge"
        ),
        "social.not_number": (
            "die Spalte {column!r} enthält in Zeile {row} den Wert {value!r}, keine Zahl; "
            "korrigieren Sie die Zelle oder erklären Sie den Code mit --na als fehlend"
        ),
        "social.not_standardisable": (
            "der Indikator {name} lässt sich nicht standardisieren (gültige Werte: {valid}, "
            "Standardabweichung: {sd}); der Index braucht mindestens zwei Gebiete mit "
            "verschiedenen Werten"
        ),
        "profile.missing_file": (
            "die Profildatei {file!r} gibt es nicht; geben Sie den Pfad einer .toml-Datei an "
            "oder eines der mitgelieferten Profile: {names}"
        ),
        "profile.unknown": (
            "das Profil {name!r} gibt es nicht; mitgeliefert sind: {names}; oder geben Sie "
            "den Pfad einer Profildatei (.toml) an"
        ),
        "profile.not_toml": "Profil {source}: kein gültiges TOML ({detail})",
        "profile.no_status": "Profil {source}: geben Sie mindestens einen Status-Indikator an",
        "profile.choice": (
            "Profil {source}: {key} = {value!r} ist nicht möglich; möglich sind: {allowed}"
        ),
        "profile.not_list": "Profil {source}: {part} muss eine Liste von [[{part}]]-Tabellen sein",
        "profile.item_fields": (
            "Profil {source}: [[{part}]] Nummer {number} {problem}; möglich sind: {allowed}"
        ),
        "profile.item_unknown_fields": "hat unbekannte Felder: {fields}",
        "profile.item_no_column": "hat kein Feld 'column'",
        "profile.weight": (
            "Profil {source}: [[{part}]] {column}: das Gewicht (weight) muss größer als 0 sein"
        ),
        "profile.no_classes": "Profil {source}: geben Sie mindestens eine [[{part}]]-Tabelle an",
        "profile.class_fields": (
            "Profil {source}: [[{part}]] Nummer {number} braucht code und label und höchstens "
            "eine der Grenzen below / at_most"
        ),
        "profile.both_bounds": (
            "Profil {source}: [[{part}]] {code} hat sowohl below als auch at_most"
        ),
        "profile.bounds": (
            "Profil {source}: die Grenzen von [[{part}]] müssen streng steigen, und die letzte "
            "Klasse hat keine Grenze (angegeben: {uppers})"
        ),
        "profile.codes": "Profil {source}: die Codes von [[{part}]] müssen verschieden sein",
        "profile.unknown_fields": (
            "Profil {source}: unbekannte Felder {fields}; möglich sind: {allowed}"
        ),
        "profile.zscore": (
            "Profil {source}: outlier_rule 'zscore' braucht outlier_threshold (z. B. 5.0)"
        ),
        "stored.not_stored": (
            "der Indikator {key!r} hat keine gespeicherten Werte und wird nicht aus Anzahlen "
            "berechnet; importieren Sie seine Werte oder wählen Sie ein Profil, dessen "
            "Indikatoren gespeichert sind"
        ),
        "stored.lacking_counts": (
            "der Indikator {key!r} = {numerator} / {denominator}, aber der Datenbestand hat "
            "keine Werte von {lacking}"
        ),
        "stored.status_without_key": (
            "Profil {source}: der Status-Indikator {column} nennt keinen Katalogschlüssel "
            "(indicator = …); er lässt sich nur aus einer Tabelle berechnen"
        ),
        "stored.dynamics_without_key": (
            "Profil {source}: der Dynamik-Indikator {column} nennt weder indicator noch "
            "change_of; er lässt sich nur aus einer Tabelle berechnen"
        ),
        "stored.no_such_value": (
            "der Datenbestand hat keine Indikatorwerte mit {what} {given!r}; vorhanden: {found}"
        ),
        "stored.several": (
            "der Datenbestand enthält mehrere Werte für {what} ({found}); wählen Sie einen "
            "mit {option}"
        ),
        "stored.several_editions": (
            "der Datenbestand enthält mehrere Ausgaben desselben Indikators ({listed}); "
            "wählen Sie eine mit --edition"
        ),
        "stored.no_values_at": (
            "der Datenbestand hat am {date} auf der Ebene „{level}“ keine Werte; vorhandene "
            "Stichtage: {dates}"
        ),
        # --- indicators: targets and clusters ------------------------------------------
        "targets.missing_columns": (
            "für den Zielerreichungsgrad fehlen die Spalten {missing}; Ziele brauchen "
            "{target_columns}, Werte brauchen indicator, period und value"
        ),
        "targets.period_order": (
            "Ziel {row!r} ({indicator}): der Zielzeitraum {target} liegt nicht nach dem "
            "Ausgangszeitraum {baseline}; geben Sie einen späteren Zielzeitraum an"
        ),
        "targets.not_ratio": (
            "der Indikator {indicator!r} ist kein Verhältnis von Anzahlen; vergleichen Sie "
            "einen Anteil oder eine Quote wie unemployment_rate, deren Zähler und Nenner in "
            "den Daten stehen"
        ),
        "targets.member_shares": "die Anteile der Teilgebiete müssen zwischen 0 und 1 liegen",
        "targets.members_without_values": "{count} ohne Werte, z. B. {examples}",
        "clusters.no_column": "die Gebiete haben keine Spalte {column!r}; sie haben {columns}",
        "clusters.not_numeric": "die Spalte {column!r} enthält keine Zahlen ({dtype})",
        "clusters.significance": (
            "das Signifikanzniveau {value} muss zwischen 0 und 1 liegen, z. B. 0,05"
        ),
        "clusters.too_few": (
            "das lokale Moran's I braucht mindestens drei Gebiete mit einem Wert von "
            "{column!r}, vorhanden sind {count}"
        ),
        # --- indicators: the registry (indicator catalogue files) ----------------------
        "registry.unknown": (
            "den Indikator {key!r} gibt es im Katalog nicht; bekannt sind u. a. {known} …; "
            "ergänzen Sie ihn in der Indikatordatei der Stadt (Aufbau wie "
            "indicators/indicators.toml)"
        ),
        "registry.missing_file": (
            "die Indikatordatei {file!r} gibt es nicht; geben Sie den Pfad einer TOML-Datei "
            "mit einer [schlüssel]-Tabelle je Indikator an"
        ),
        "registry.not_toml": "Indikatordatei {source}: kein gültiges TOML ({detail})",
        "registry.not_table": (
            "Indikatordatei {source}: {key!r} muss eine Tabelle sein ([{key}] mit Feldern), "
            "nicht {found}"
        ),
        "registry.unknown_fields": (
            "Indikatordatei {source}: [{key}] hat unbekannte Felder {fields}; möglich sind: "
            "{allowed}"
        ),
        "registry.new_lacks": (
            "Indikatordatei {source}: dem neuen Indikator [{key}] fehlt {missing}; geben Sie "
            "label, unit und kind an"
        ),
        "registry.choice": (
            "Indikatordatei {source}: [{key}] {name} = {value!r} ist nicht möglich; möglich "
            "sind: {allowed}"
        ),
        "registry.not_number": (
            "Indikatordatei {source}: [{key}] {name} = {value!r} muss eine Zahl sein"
        ),
        "registry.one_of_pair": (
            "Indikatordatei {source}: [{key}] nennt nur Zähler oder Nenner; geben Sie beide "
            "an oder keinen"
        ),
        "registry.derived_kind": (
            "Indikatordatei {source}: [{key}] hat einen Zähler, aber die Art {kind!r}; nur "
            "Anteile (share) und Quoten (rate) werden aus Anzahlen berechnet"
        ),
        "registry.change": (
            "Indikatordatei {source}: [{key}] formula 'change' braucht denselben Zähler und "
            "Nenner (die Anzahl, die sich ändert), angegeben sind {numerator!r} und "
            "{denominator!r}"
        ),
        "registry.bounds": (
            "Indikatordatei {source}: [{key}] min_value {low} liegt über max_value {high}"
        ),
        "registry.reference_missing": (
            "Indikator {key!r}: sein {role} {ref!r} ist nicht im Katalog; legen Sie [{ref}] "
            "mit kind = 'count' an"
        ),
        "registry.reference_not_count": (
            "Indikator {key!r}: sein {role} {ref!r} ist von der Art {kind}, keine Anzahl; Quoten "
            "werden nur aus Anzahlen berechnet"
        ),
        # --- indicators: tables (indicators.tables) ----------------------------------------
        "table.missing_file": "die Tabelle {file!r} gibt es nicht; prüfen Sie den Pfad",
        "table.empty": "die Tabelle {file!r} ist leer",
        "table.no_separator": (
            "Tabelle {file!r}: die Kopfzeile {header!r} hat kein Trennzeichen; speichern Sie "
            "sie als CSV, getrennt durch ';' oder ','"
        ),
        "table.unparsable": "Tabelle {file!r} ist nicht lesbar ({detail})",
        "table.cell_count": (
            "Tabelle {file!r}, Zeile {line}: {cells} Zellen, die Kopfzeile hat {header}; "
            "korrigieren Sie die Zeile oder setzen Sie Zellen mit {sep!r} in Anführungszeichen"
        ),
        "table.repeated_columns": "Tabelle {file!r} wiederholt die Spalte(n) {columns}",
        "table.not_number": (
            "die Spalte {column!r} enthält in Zeile {row} den Wert {value!r}, keine Zahl "
            "(Dezimalzeichen {decimal!r}); korrigieren Sie die Zelle oder erklären Sie sie "
            "mit --na als fehlend"
        ),
        "table.no_column": "die Tabelle hat keine Spalte {column!r}; sie hat {columns}",
        "table.missing_id_list": (
            "die ID-Liste {file!r} gibt es nicht; geben Sie @DATEI mit einer ID je Zeile an"
        ),
        # --- indicators: crosswalks and interpolation ------------------------------------
        "crosswalk.bad_id_fix": (
            "die ID-Korrektur {text!r} hat nicht die Form ALT:SPALTE=WERT:NEU, z. B. "
            "06010102:BEZIRKSNAM=Charlottenburg-Wilmersdorf:04030417"
        ),
        "crosswalk.no_id_column": "{what} hat keine ID-Spalte {column!r}; sie hat {columns}",
        "crosswalk.duplicate_id": (
            "{what}: die ID {id!r} kommt {times}-mal vor (Zeilen {rows}); mehrfach "
            "vorkommende IDs: {repeated}. Gebiete werden über ihre ID verknüpft; "
            "korrigieren Sie das, z. B. mit einer ID-Korrektur ALT:SPALTE=WERT:NEU, die "
            "einer der Zeilen ihre richtige ID gibt"
        ),
        "crosswalk.fix_no_column": (
            "ID-Korrektur für {id!r}: die Ebene hat keine Spalte {column!r}"
        ),
        "crosswalk.fix_matches": (
            "die ID-Korrektur {fix} trifft {count}; sie muss genau eine Zeile treffen"
        ),
        "crosswalk.method": (
            "die Umschlüsselungsmethode {method!r} gibt es nicht; möglich sind: {allowed}"
        ),
        "crosswalk.needs_buildings": "die Methode 'dwellings' braucht eine Gebäudeebene",
        "crosswalk.needs_density": (
            "die Methode 'density' braucht density=: einen Wert je neuer Gebiets-ID"
        ),
        "crosswalk.density_lacks": "der Dichte fehlen {count}, z. B. {examples}",
        "crosswalk.not_counts": (
            "{keys} lassen sich nicht über eine Gebietsänderung übertragen: nur Anzahlen "
            "lassen sich aufteilen; übertragen Sie stattdessen Zähler und Nenner"
        ),
        "crosswalk.no_weights": (
            "{count} ohne Umschlüsselungsgewichte, z. B. {examples}; prüfen Sie die IDs der "
            "Werte gegen die alte Ebene"
        ),
        "crosswalk.fractions": (
            "integers=True braucht ganze Anzahlen; einige Werte haben Nachkommastellen "
            "(übertragen Sie sie ohne integers=True)"
        ),
        "interpolation.not_polygons": (
            "die Ebene „{layer}“ muss eine Geodatentabelle mit Flächen (Polygonen) sein"
        ),
        "interpolation.no_crs": (
            "die Ebene „{layer}“ hat kein Koordinatenbezugssystem; geben Sie es an "
            "(z. B. EPSG:25833)"
        ),
        "interpolation.geographic": (
            "die Ebene „{layer}“ liegt in {crs}, einem geographischen Bezugssystem (Grad); "
            "Flächen brauchen Meter: projizieren Sie beide Ebenen um (z. B. EPSG:25833)"
        ),
        "interpolation.index_repeats": (
            "der Index der Ebene „{layer}“ wiederholt sich; geben Sie ihr einen eindeutigen Index"
        ),
        "interpolation.crs_differ": (
            "das Bezugssystem der Quelle ({source}) und das des Ziels ({target}) "
            "unterscheiden sich; projizieren Sie vorher eine der Ebenen um"
        ),
        "interpolation.no_dwellings_column": (
            "die Gebäudeebene hat keine Spalte {column!r}; sie hat {columns}; nennen Sie sie "
            "mit dwellings=…"
        ),
        "interpolation.negative_dwellings": (
            "die Gebäudespalte {column!r} enthält negative Zahlen"
        ),
        "interpolation.missing_value_columns": (
            "den Quellwerten fehlen die Spalte(n) {missing}; sie haben {columns}"
        ),
        "interpolation.sources_without_values": (
            "{count} der Gewichte haben keine Werte, z. B. {examples}"
        ),
        "interpolation.unknown_targets": (
            "die Gewichte nennen Zielgebiete, die nicht in target_index stehen"
        ),
    }
)

_FORMATTER = string.Formatter()


def template_fields(template: str) -> frozenset[str]:
    """Return the names of the fields a template needs.

    Examples
    --------
    >>> sorted(template_fields("{value} ist keine Zahl mit {format}"))
    ['format', 'value']
    """
    return frozenset(name for _, name, _, _ in _FORMATTER.parse(template) if name)


def fill(
    templates: Mapping[str, str], code: str, fields: Mapping[str, Any], *, catalogue: str
) -> str:
    """Return template ``code`` of ``templates`` with ``fields`` filled in: the one way both
    catalogues (this one and :mod:`monitoring.messages`) write a message.

    Raises
    ------
    KeyError
        When ``catalogue`` has no template ``code``.
    TypeError
        When a field of the template is not given, or a given one is not in it (a
        programmer's error: the test suites render every call site).

    Examples
    --------
    >>> fill({"x": "{n} Zeilen"}, "x", {"n": 2}, catalogue="Test")
    '2 Zeilen'
    >>> fill({"x": "{n} Zeilen"}, "x", {}, catalogue="Test")
    Traceback (most recent call last):
    ...
    TypeError: Die Meldung 'x' braucht die Angabe(n) n
    """
    if code not in templates:
        raise KeyError(f"Die Meldung {code!r} gibt es nicht im Katalog {catalogue}")
    needed = template_fields(templates[code])
    missing = sorted(needed - fields.keys())
    unknown = sorted(fields.keys() - needed)
    if missing:
        raise TypeError(f"Die Meldung {code!r} braucht die Angabe(n) {', '.join(missing)}")
    if unknown:
        raise TypeError(f"Die Meldung {code!r} kennt die Angabe(n) {', '.join(unknown)} nicht")
    return templates[code].format(**fields)


def fields_of(code: str) -> frozenset[str]:
    """Return the names of the fields the template ``code`` needs.

    Examples
    --------
    >>> sorted(fields_of("cell.not_number_in_format"))
    ['format', 'value']
    """
    return template_fields(TEMPLATES[code])


def render(code: str, /, **fields: Any) -> str:
    """Return the German text of ``code`` with ``fields`` filled in (:func:`fill`).

    Examples
    --------
    >>> render("cell.not_number", value="x")
    "'x' ist keine Zahl"
    >>> render("cell.not_number")
    Traceback (most recent call last):
    ...
    TypeError: Die Meldung 'cell.not_number' braucht die Angabe(n) value
    """
    return fill(TEMPLATES, code, fields, catalogue="geo.messages")


class CodedError(Exception):
    """An error whose text comes from a template: ``Error(code=…, **fields)``.

    The base of :class:`geo.errors.GeoError` and :class:`indicators.errors.IndicatorError`.
    ``code`` and ``fields`` stay on the error for whoever wants the facts (a test, a UI
    that highlights the cell); ``str(error)`` is the German text. An error raised with a
    plain text (``Error("…")``) has no code.

    Examples
    --------
    >>> err = CodedError(code="cell.not_number", value="x")
    >>> str(err), err.code, dict(err.fields)
    ("'x' ist keine Zahl", 'cell.not_number', {'value': 'x'})
    """

    code: str | None = None
    fields: Mapping[str, Any] = MappingProxyType({})

    def __init__(self, *args: Any, code: str | None = None, **fields: Any) -> None:
        if code is not None:
            given = field_names(fields)
            args = (render(code, **given), *args)
            self.code = code
            self.fields = MappingProxyType(given)
        super().__init__(*args)


def field_names(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``fields`` with one trailing underscore dropped from each name.

    A template field named like a parameter of the caller (``code``, ``value``) is
    passed as ``code_=``/``value_=``.

    Examples
    --------
    >>> field_names({"code_": 3, "part": "status"})
    {'code': 3, 'part': 'status'}
    """
    return {k[:-1] if k.endswith("_") else k: v for k, v in fields.items()}
