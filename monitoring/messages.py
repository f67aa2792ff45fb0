"""The German texts of the monitoring package's errors, findings and notes: one catalogue.

The code stays English and raises errors that carry their facts as fields (a record, a
value, what is allowed, the fix); the words a user reads are written here, once, as German
templates with named fields, and :func:`render` fills them in.

Why one module of templates and not gettext catalogues (``.po``/``.mo``):

- the platform speaks one language; gettext's strength, switching languages at run time,
  buys nothing here, and its cost (an English source text as the key, a compile step, a
  catalogue far from the code) is paid on every change;
- a reviewer reads the German sentence next to the code that raises it (one ``grep`` for
  the code finds both), and a clerk's complaint about a wording leads to one line;
- the named fields are checked: :func:`render` refuses a missing or an unknown field, and
  a test renders every template with its fields, so a template and its callers cannot drift
  apart silently (a gettext ``%s`` would fail only when the message is shown).

Numbers, amounts, dates and counts inside a message are written by :mod:`geo.german` before
they are handed in; roles and actions are named by :data:`monitoring.auth.ROLE_LABELS` and
:data:`monitoring.auth.ACTION_LABELS`. :mod:`geo.messages` is the same for ``geo`` and
``indicators``.

Examples
--------
>>> render("attachment.empty", name="plan.pdf")
'„plan.pdf“ ist leer; wählen Sie die Datei noch einmal aus'
>>> render("attachment.empty")
Traceback (most recent call last):
...
TypeError: Die Meldung 'attachment.empty' braucht die Angabe(n) name
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo.messages import fill, template_fields

MESSAGES: Mapping[str, str] = {
    # --- who may do what (monitoring.auth) ---------------------------------------------
    "auth.denied": (
        "Benutzer „{user}“ (Rolle „{role}“) darf {action_object} nicht {action_verb}; {allowed}"
    ),
    "auth.allowed_one": "das darf nur die Rolle „{role}“",
    "auth.allowed_many": "das dürfen die Rollen {roles}",
    "auth.no_name": (
        "Ein Benutzer braucht einen Namen (erhalten: {value}); melden Sie sich an oder "
        "geben Sie --user NAME an"
    ),
    "auth.unknown_role": (
        "Benutzer „{user}“ hat die unbekannte Rolle „{role}“; erlaubt sind die Rollen {roles}"
    ),
    "auth.unknown_user": "Unbekannter Benutzer {value}; melden Sie sich an",
    "auth.unknown_action": "Die Aktion „{action}“ ist keine von {actions}",
    "auth.bad_scope": (
        "Benutzer „{user}“ hat den Bereich {value}; ein Bereich ist leer (alle Gemeinden) "
        "oder ein Präfix des Gemeindeschlüssels aus 2 (Land), 5 (Kreis) oder 8 Ziffern "
        "(Gemeinde), z. B. „05315000“; korrigieren Sie die Angabe „ags“ der Anmeldung"
    ),
    # --- municipality scopes (monitoring.editing) ---------------------------------------
    "scope.outside": (
        "Benutzer „{user}“ darf {record} (Ebene {layer}, Gemeindeschlüssel {ags}) nicht "
        "{verb}: der Zugang gilt für {scope}; ändern Sie nur Datensätze Ihres Bereichs, oder "
        "die Verwaltung ordnet den Datensatz zu"
    ),
    "scope.read_only": (
        "Benutzer „{user}“ darf {record} (Ebene {layer}) nicht {verb}: ein Zugang für "
        "{scope} liest die Daten seiner Gemeinden, ändern dürfen sie nur die Zugänge der "
        "Gemeinde selbst (8-stelliger Gemeindeschlüssel) und die Verwaltung ohne Bereich"
    ),
    "scope.admin_only": (
        "Benutzer „{user}“ (Zugang für {scope}) darf keine {what}: das darf nur die "
        "Verwaltung ohne Bereich, die Eigentümerin des Datenbestands"
    ),
    "scope.needs_postgis": (
        "Der Datenbestand „{url}“ ist ein GeoPackage: er hält genau eine Gemeinde und kennt "
        "keine Bereiche; "
        "mehrere Gemeinden in einem Datenbestand hält PostGIS (qmon export --to "
        "postgresql://…, dann qmon gemeinde anlegen)"
    ),
    "scope.other_store": (
        "Benutzer „{user}“ (Zugang für {scope}) kann diesen Datenbestand nicht öffnen: {reason}"
    ),
    # --- findings (monitoring.findings) -------------------------------------------------
    "finding.refused": "{what} – nicht gespeichert: {problems}",
    "finding.bad_level": "Die Stufe „{level}“ eines Befunds ist keine von {levels}",
    # --- editing conflicts (monitoring.editing) -----------------------------------------
    "edit.conflict": (
        "{record} wurde {when} von {who} geändert, seit Sie den Datensatz gelesen haben "
        "(Ihre Version {expected}, gespeichert ist Version {stored}). Unterschiede: "
        "{differences}. Nichts wurde gespeichert; laden Sie den Datensatz neu, übernehmen "
        "Sie Ihre Änderung noch einmal und speichern Sie."
    ),
    "edit.conflict_field": "{field}: Sie sahen {seen}, gespeichert ist {stored}",
    "edit.conflict_unknown_fields": (
        "die geänderten Felder sind nicht bekannt (die Änderung wurde nicht protokolliert)"
    ),
    "edit.deleted": (
        "{record} wurde {when} von {who} gelöscht, seit Sie den Datensatz gelesen haben "
        "(Ihre Version {expected}). Nichts wurde gespeichert; legen Sie ihn neu an, wenn "
        "er noch gebraucht wird."
    ),
    "edit.changed_since": (
        "{what} wurde inzwischen von {who} geändert ({when}; Ihre Version {expected}, "
        "gespeichert ist Version {stored}).{differences} Nichts wurde gespeichert; laden Sie "
        "neu und ändern Sie noch einmal."
    ),
    "edit.differences": " Unterschiede: {differences}.",
    "edit.difference": "{field}: Sie sahen {seen}, jetzt gespeichert {stored}",
    "edit.gone_since": (
        "{what} wurde inzwischen von {who} gelöscht ({when}). Nichts wurde gespeichert; legen "
        "Sie den Datensatz neu an, wenn er noch gebraucht wird."
    ),
    "edit.not_found": "{record} gibt es nicht; prüfen Sie die Kennung (ID)",
    # --- confirmations (monitoring.services) --------------------------------------------
    "confirm.big_change": (
        "{what}: {changes} – das ist eine Änderung um das Zehnfache oder mehr; bestätigen Sie "
        "die Änderung, um zu speichern (nichts wurde gespeichert)"
    ),
    "confirm.change": "{field} von {old} auf {new}",
    # --- attachments (monitoring.renewal.attachments) -----------------------------------
    "attachment.owner": (
        "„{name}“: Datensätze der Ebene „{layer}“ nehmen keine Anhänge; erlaubt: {allowed}"
    ),
    "attachment.kind": "„{name}“: die Art „{kind}“ ist keine von {allowed}",
    "attachment.empty": "„{name}“ ist leer; wählen Sie die Datei noch einmal aus",
    "attachment.too_large": (
        "„{name}“ ist {size} groß, mehr als die Grenze von {limit}; verkleinern Sie die "
        "Datei (z. B. das Foto in geringerer Auflösung) oder bitten Sie die Verwaltung, "
        "QMON_ATTACHMENT_MAX_MB zu erhöhen"
    ),
    "attachment.unknown_type": (
        "„{name}“: der Inhalt ist keiner der angenommenen Typen ({allowed}), gleich was der "
        "Dateiname sagt; speichern Sie die Datei als JPEG, PNG, PDF, DOCX oder XLSX"
    ),
    "attachment.not_a_photo": (
        "„{name}“ ist ein {media_type}, kein Foto; hängen Sie die Datei als Dokument an oder "
        "wählen Sie ein Bild"
    ),
    "attachment.damaged": (
        "Anhang „{ident}“ („{name}“) ist im Datenbestand beschädigt: sein Inhalt passt nicht "
        "zu seiner Prüfsumme (SHA-256); hängen Sie die Datei noch einmal an"
    ),
    "attachment.not_base64": "der Inhalt ist kein Base64-Text",
    "attachment.mismatch": "{column} „{stored}“ passt nicht zum Inhalt („{expected}“)",
    "attachment.finding": "Anhang „{ident}“: {problem}",
    "attachment.bad_limit": (
        "Die Grenze für Anhänge muss eine positive Zahl von Bytes sein, erhalten: {value}"
    ),
    "attachment.bad_setting": (
        "QMON_ATTACHMENT_MAX_MB={value} ist keine Zahl von Megabytes; setzen Sie z. B. 10"
    ),
    # --- progress and comparison (monitoring.renewal) -----------------------------------
    "progress.target_is_baseline": (
        "Der Zielwert {target} ist gleich dem Ausgangswert {baseline}: die Zielerreichung "
        "ist nicht bestimmt; korrigieren Sie den Zielwert"
    ),
    "comparison.no_values": (
        "Für den Indikator „{indicator}“ gibt es keine Werte auf den Gebieten, die die "
        "Gesamtmaßnahme überdeckt; importieren Sie sie (qmon import indicators) oder wählen "
        "Sie einen anderen Indikator"
    ),
    "comparison.not_carried": (
        "Der Indikator „{indicator}“ ({label}) ist vom Typ „{kind}“ ohne Zähler und Nenner und "
        "kann nicht auf die Gesamtmaßnahme übertragen werden; vergleichen Sie eine Anzahl "
        "oder eine Quote, die aus Anzahlen gebildet ist"
    ),
    "comparison.nothing_since": (
        "Der Vergleich hat keinen Wert am oder nach dem {since}; wählen Sie einen früheren Beginn"
    ),
    # --- imports (monitoring.imports) ---------------------------------------------------
    "import.known_programmes": "gespeicherten Programmen",
    "import.known_funding_areas": "gespeicherten Gesamtmaßnahmen",
    "import.known_areas": "gespeicherten Gebieten der Ebene „{level}“, Gebietsstand „{vintage}“",
    # --- federal report (monitoring.reports) --------------------------------------------
    "report.field_no_reason": (
        "Das Berichtsfeld „{field}“ hat keinen Wert und keinen Grund dafür; geben Sie einen "
        "von {reasons} an"
    ),
    "report.field_unknown_reason": (
        "Das Berichtsfeld „{field}“ hat keinen Wert und den unbekannten Grund „{reason}“; "
        "geben Sie einen von {reasons} an"
    ),
    "report.field_value_and_reason": (
        "Das Berichtsfeld „{field}“ hat den Wert „{value}“ und den Grund „{reason}“; ein "
        "Grund steht nur bei einem fehlenden Wert"
    ),
    "report.no_part": "Der Bericht hat keinen Teil „{part}“; Teile: {parts}",
    "report.payload_version": (
        "Der gespeicherte Bericht hat die Formatversion {version}; dieses Programm liest "
        "Version {expected}; erstellen Sie den Bericht mit dieser Version neu"
    ),
    "report.payload_malformed": (
        "Der gespeicherte Bericht ist fehlerhaft ({problem}); er wurde nicht von diesem "
        "Programm geschrieben"
    ),
    "report.year_not_a_year": (
        "Das Berichtsjahr „{year}“ ist keine Jahreszahl; geben Sie z. B. --year 2024 an"
    ),
    "report.year_out_of_range": (
        "Das Berichtsjahr {year} liegt außerhalb von {first}–{last}; geben Sie das "
        "Haushaltsjahr an, über das berichtet wird, z. B. --year 2024"
    ),
    "report.no_statistical_areas": (
        "Der Datenbestand enthält keine statistischen Gebiete mit Werten"
    ),
    "report.geographic_crs": (
        "Das Koordinatenreferenzsystem des Datenbestands ({crs}) ist geographisch, daher "
        "lässt sich die Gebietsgröße in ha nicht berechnen; speichern Sie die Daten in einem "
        "projizierten System wie EPSG:25832"
    ),
    "report.filed_not_json": (
        "Eingereichter Bericht „{ident}“: der gespeicherte Inhalt ist kein JSON ({problem})"
    ),
    "report.filed_altered": (
        "Eingereichter Bericht „{ident}“: der gespeicherte Fingerabdruck {stored}… passt "
        "nicht zu seinem Inhalt ({actual}…); der Datensatz wurde verändert"
    ),
    "report.filed_unknown": (
        "Einen eingereichten Bericht „{ident}“ gibt es nicht; eingereicht sind: {known} "
        "(qmon report filed listet sie auf)"
    ),
    "report.filed_twice": (
        "Der Bericht für „{area}“ und {year} wurde schon als „{ident}“ mit denselben "
        "Eingangsdaten eingereicht (Fingerabdruck {fingerprint}…); es hat sich nichts "
        "geändert, daher ist nichts erneut einzureichen"
    ),
    "report.format": (
        "Das Berichtsformat „{format}“ ist keins von {formats}; wählen Sie eins mit --format"
    ),
    "report.batch_area_failed": (
        "Der Bericht für „{area}“ konnte nicht erstellt werden: {reason}; die übrigen "
        "Berichte wurden erstellt. Korrigieren Sie den Datensatz und erstellen Sie den "
        "Bericht mit --area {area} neu"
    ),
    "report.batch_workers": (
        "Die Zahl der Prozesse „{workers}“ ist keine ganze Zahl ab 1; geben Sie z. B. "
        "--prozesse 2 an"
    ),
    "report.batch_no_url": (
        "Für {workers} Prozesse braucht die Berichtserstellung die URL des Datenbestands "
        "(jeder Prozess öffnet ihn selbst); geben Sie sie an oder rechnen Sie mit einem Prozess"
    ),
    "catalogue.missing_file": (
        "Der Berichtskatalog „{file}“ existiert nicht; geben Sie den Pfad einer TOML-Datei "
        "im Format von monitoring/reports/default_catalogue.toml an"
    ),
    "catalogue.bad_toml": "{what} „{file}“ ist kein gültiges TOML: {problem}",
    "catalogue.unknown_tables": (
        "Berichtskatalog {source}: unbekannte Tabelle(n) {tables}; erlaubt: catalogue, "
        "parts, output_labels, field, remove"
    ),
    "catalogue.unknown_part": "Berichtskatalog {source}: der Teil „{part}“ ist keiner von {parts}",
    "catalogue.remove_first": "; schreiben Sie remove = [...] vor die erste [Tabelle] der Datei",
    "catalogue.code_twice": (
        "Berichtskatalog {source}: der Code „{code}“ steht zweimal darin; geben Sie jedem "
        "[[field]] einen eigenen Code"
    ),
    "catalogue.remove_unknown": (
        "Berichtskatalog {source}: remove nennt unbekannte Codes {codes}; bekannt sind: {known}"
    ),
    "catalogue.not_whole": ("Berichtskatalog {source}: {name} = {value} ist keine ganze Zahl ≥ 0"),
    "catalogue.part_titles": (
        "Berichtskatalog {source}: für die Teile {parts} fehlt ein Titel; geben Sie ihn "
        "unter [parts] an"
    ),
    "catalogue.not_a_table": "{where} ist keine Tabelle",
    "catalogue.lacks": "{where}: es fehlen {keys}; jedes Feld braucht sie",
    "catalogue.entry_part": "{where}: der Teil „{part}“ ist keiner von {parts}",
    "catalogue.unknown_source": (
        "{where}: die Quelle „{source}“ ist unbekannt; bekannt sind: {known}"
    ),
    "catalogue.no_option": (
        "{where}: die Quelle „{source}“ nimmt keine Option „{name}“; sie nimmt: {allowed}"
    ),
    "catalogue.option_list": (
        "{where}: die Option „{name}“ muss eine Liste von Texten sein, nicht {value}"
    ),
    "catalogue.option_text": "{where}: die Option „{name}“ muss ein Text sein, nicht {value}",
    "catalogue.needs_option": "{where}: die Quelle „{source}“ braucht die Option „{name}“",
    "catalogue.choice": "{where}: der Wert „{value}“ von {name} ist keiner von {allowed}",
    "catalogue.field": "Berichtskatalog {source}, [[field]] Nr. {number}",
    # --- interchange of the public layers (monitoring.interop) ---------------------------
    "interchange.unknown_layer": (
        "Die Ebene „{layer}“ ist keine öffentliche Ebene dieses Datenbestands; öffentlich "
        "sind: {known}"
    ),
    "interchange.unknown_format": (
        "Das Austauschformat „{value}“ gibt es nicht; möglich sind: {allowed}"
    ),
    "interchange.mixed_geometry": (
        "Die Ebene „{layer}“ enthält die Geometrieart „{kind}“, die ein Shapefile nicht "
        "speichern kann (nur Punkte, Linien, Flächen); wählen Sie --format gpkg oder geojson"
    ),
    "interchange.bad_toml": (
        "Die Metadatendatei {file} lässt sich nicht lesen ({reason}); sie muss TOML in UTF-8 "
        'sein, z. B. lizenz = "…"'
    ),
    "interchange.unknown_key": (
        "Die Metadatendatei {file} enthält den Eintrag „{key}“; erlaubt sind: {allowed}"
    ),
    "interchange.not_text": (
        "Der Eintrag „{key}“ der Metadatendatei {file} muss ein Text sein, nicht {value}"
    ),
    "interchange.out_not_folder": (
        "Das Ziel {path} ist eine Datei; geben Sie bei --out einen Ordner an"
    ),
    # --- the map and its print (monitoring.maps) ---------------------------------------------
    "map.unknown_param": ("Der Kartenparameter „{param}“ ist unbekannt; bekannt sind: {known}"),
    "map.bad_value": "Der Wert „{value}“ ist für „{param}“ nicht erlaubt; erlaubt sind: {allowed}",
    "map.bad_number": (
        "Der Wert „{value}“ ist für „{param}“ nicht erlaubt; erlaubt sind ganze Zahlen"
    ),
    "map.bad_date": (
        "Der Wert „{value}“ ist für „{param}“ nicht erlaubt; erlaubt sind Daten wie "
        "2024-12-31 oder 31.12.2024"
    ),
    "map.bad_extent": (
        "Der Wert „{value}“ ist für „{param}“ nicht erlaubt; erlaubt sind vier Zahlen "
        "West,Süd,Ost,Nord in Grad (WGS84), z. B. 13.30,52.50,13.45,52.56"
    ),
    "map.no_level": ("Die Gebietsebene „{value}“ ist nicht gespeichert; gespeichert sind: {known}"),
    "map.no_areas": "Der Datenbestand enthält keine Gebiete; importieren Sie zuerst Gebietsgrenzen",
    "map.no_indicator": (
        "Der Indikator „{value}“ ist für die Ebene {level} nicht gespeichert; "
        "gespeichert sind: {known}"
    ),
    "map.no_period": (
        "Für den Stichtag {value} sind auf der Ebene {level} keine Werte gespeichert; "
        "Stichtage: {known}"
    ),
    "map.no_values": "Für diese Ebene sind keine Indikatorwerte gespeichert.",
    "map.index_failed": "Der Sozialindex lässt sich für diesen Stichtag nicht berechnen: {reason}.",
    "map.index_gaps": "Es fehlen Werte für {gaps}",
    "map.paper": "Das Papierformat „{value}“ ist keines von {allowed}",
    "map.orientation": "Die Ausrichtung „{value}“ ist keine von {allowed}",
    "map.file_format": ("Die Datei „{value}“ hat keine bekannte Endung; erlaubt sind {allowed}"),
    "map.dpi": "Die Auflösung {value} dpi liegt nicht zwischen {least} und {most}",
    # --- report packages and their collection (monitoring.federal) ------------------------
    "package.not_filed": (
        "Für die Gesamtmaßnahme „{area}“ ist für {year} kein Bericht eingereicht; reichen Sie "
        "ihn zuerst ein (qmon report file oder Seite Berichte), dann lässt er sich als Paket "
        "verschicken"
    ),
    "package.revision_unknown": (
        "Die Fassung {revision} des Berichts „{area}“ für {year} gibt es nicht; eingereicht "
        "sind die Fassungen {known}"
    ),
    "package.no_ags": (
        "Die Gesamtmaßnahme „{area}“ hat keinen gültigen Gemeindeschlüssel (AGS: {value}); "
        "ein Berichtspaket braucht den achtstelligen AGS der Gemeinde: tragen Sie ihn bei der "
        "Gesamtmaßnahme ein (Seite Gesamtmaßnahmen)"
    ),
    "package.not_json": (
        "„{file}“ ist keine JSON-Datei ({problem}); Berichtspakete erzeugt "
        "„qmon report package“ oder die Seite Berichte"
    ),
    "package.not_a_package": (
        "„{file}“ ist kein Berichtspaket (die Angabe art = „{kind}“ fehlt); Berichtspakete "
        "erzeugt „qmon report package“ oder die Seite Berichte"
    ),
    "package.bad_format": (
        "„{file}“: die Formatversion {value} ist keine ganze Zahl ab 1; das Paket ist "
        "beschädigt, lassen Sie es sich neu schicken"
    ),
    "package.newer_format": (
        "„{file}“ hat die Formatversion {version}; dieses Programm liest Berichtspakete bis "
        "Version {supported}; aktualisieren Sie Quartiersmonitor"
    ),
    "package.missing_keys": (
        "„{file}“: dem Berichtspaket fehlen die Angaben {keys}; lassen Sie es sich neu schicken"
    ),
    "package.field_changed": (
        "„{file}“: Feld „{number} {label}“: Wert im Paket {value}, Prüfsumme passt nicht; "
        "der Wert wurde nach dem Einreichen verändert, lassen Sie sich das Paket neu schicken"
    ),
    "package.field_added": (
        "„{file}“: Feld „{number} {label}“ steht im Bericht, hat aber keine Prüfsumme; es "
        "wurde nachträglich eingefügt, lassen Sie sich das Paket neu schicken"
    ),
    "package.field_removed": (
        "„{file}“: die Felder {fields} haben eine Prüfsumme, fehlen aber im Bericht; sie "
        "wurden entfernt, lassen Sie sich das Paket neu schicken"
    ),
    "package.key_changed": (
        "„{file}“: die Angabe „{key}“ (Wert im Paket: {value}) passt nicht zu ihrer "
        "Prüfsumme; sie wurde nach dem Erstellen des Pakets verändert, lassen Sie sich das "
        "Paket neu schicken"
    ),
    "package.seal_broken": (
        "„{file}“: das Siegel passt nicht zum Inhalt; das Paket wurde verändert oder bei der "
        "Übertragung beschädigt, lassen Sie es sich neu schicken"
    ),
    "package.report_unreadable": (
        "„{file}“: der Bericht im Paket lässt sich nicht lesen ({problem}); lassen Sie sich "
        "das Paket neu schicken"
    ),
    "package.report_mismatch": (
        "„{file}“: die Angabe „{key}“ ({value}) widerspricht dem Bericht im Paket "
        "({report_value}); lassen Sie sich das Paket neu schicken"
    ),
    "package.bad_ags": (
        "„{file}“: der Gemeindeschlüssel {value} ist kein achtstelliger AGS; die Gemeinde "
        "trägt ihn bei der Gesamtmaßnahme ein und schickt das Paket neu"
    ),
    "package.bad_revision": (
        "„{file}“: die Fassung {value} ist keine ganze Zahl ab 1; lassen Sie sich das Paket "
        "neu schicken"
    ),
    "plausibility.negative": "{number} „{label}“: der Betrag ist negativ ({value})",
    "plausibility.paid_over_approved": (
        "{number} „{label}“: ausgezahlt {paid} ist mehr als bewilligt {approved}"
    ),
    "plausibility.sum": (
        "{number} „{label}“: {value} ist nicht die Summe der Zeilen darüber ({parts})"
    ),
    "collect.catalogue_other": (
        "„{file}“ ist mit dem Berichtskatalog „{theirs}“ erstellt, hier gilt „{ours}“; die "
        "Felder bedeuten dort anderes: die Gemeinde reicht den Bericht mit diesem Katalog "
        "ein (qmon report file --catalogue DATEI) und schickt das Paket neu"
    ),
    "collect.catalogue_version": (
        "Katalogversion {theirs} im Paket, hier gilt {ours}: Felder können neu sein oder entfallen"
    ),
    "collect.same_revision_other_seal": (
        "„{file}“: die Fassung {ident} ist schon mit anderem Inhalt eingegangen (Siegel "
        "{stored}…, jetzt {seal}…); eine Berichtigung reicht die Gemeinde als neue Fassung "
        "ein (qmon report file) und schickt deren Paket"
    ),
    "collect.not_stored": (
        "Nicht eingelesen, weil {refused} abgelehnt wurde(n): alle Dateien eines Aufrufs "
        "werden gemeinsam oder gar nicht eingelesen"
    ),
    "collect.nothing": "Keine Dateien zum Einlesen; geben Sie .json-Dateien oder einen Ordner an",
    "collect.no_files_in": "Im Ordner „{folder}“ liegen keine .json-Dateien",
    "collect.unknown": (
        "Ein gesammeltes Berichtspaket „{ident}“ gibt es nicht; gesammelt sind: {known}"
    ),
    "collect.difference": "{number} „{label}“ {kind}: {before} → {after}",
    "collect.threshold": (
        "Die Schwelle „{value}“ ist kein Anteil zwischen 0 und 10; geben Sie z. B. 0,5 für 50 % an"
    ),
    "national.no_source": (
        "Die Verwaltungsgrenzen VG5000 fehlen: {path} gibt es nicht; setzen Sie "
        "QMON_REAL_DATA auf den Ordner mit germany_vg5000_2021 oder geben Sie --vg5000 an"
    ),
    "national.municipalities": (
        "Die Auswahl der Gemeinden {value} ist nicht möglich; erlaubt ist eine Anzahl ab 1 "
        "(--gemeinden) oder der Anfang eines Gemeindeschlüssels (--land, z. B. 01 für "
        "Schleswig-Holstein, 10 für das Saarland)"
    ),
    "national.no_match": "Kein Gemeindeschlüssel der VG5000 beginnt mit „{value}“",
    "national.count": (
        "Die Zahl der Gesamtmaßnahmen {value} (--anzahl) ist nicht möglich; erlaubt ist eine "
        "Zahl ab 0"
    ),
    "national.unknown_area": "Die Auswahl {what} „{value}“ gibt es im Datenbestand nicht",
    "national.status": (
        "Der Meldestand „{value}“ in Zeile {row} (Spalte status) ist keiner von {allowed}"
    ),
    # --- the Land's overview (monitoring.federal.overview) -------------------------------
    "overview.payload_unreadable": (
        "Der gespeicherte Bericht „{ident}“ ist kein lesbares JSON ({problem}); lesen Sie das "
        "Paket neu ein oder reichen Sie den Bericht neu ein"
    ),
    "overview.no_report": (
        "Zu „{key}“ gibt es keinen gespeicherten Bericht; wählen Sie eine gemeldete "
        "Gesamtmaßnahme aus der Übersicht"
    ),
    "overview.bad_key": (
        "Der Filter {name} „{value}“ ist kein Schlüssel aus {length} Ziffern; geben Sie ihn "
        "so an: {example}"
    ),
}
"""Every German message of the monitoring package: code -> template with named fields."""


def fields_of(code: str) -> frozenset[str]:
    """Return the names of the fields the template ``code`` needs.

    Examples
    --------
    >>> sorted(fields_of("auth.unknown_role"))
    ['role', 'roles', 'user']
    """
    return template_fields(MESSAGES[code])


def render(code: str, /, **fields: Any) -> str:
    """Return the German message ``code`` with ``fields`` filled in
    (:func:`geo.messages.fill`, which both catalogues use).

    Fields are written as given (format numbers and dates with :mod:`geo.german` first).

    Raises
    ------
    KeyError
        For an unknown code.
    TypeError
        For a missing field or a field the template does not have.

    Examples
    --------
    >>> render("report.no_part", part="E", parts="A, B, C, D")
    'Der Bericht hat keinen Teil „E“; Teile: A, B, C, D'
    >>> render("report.no_part", part="E", parts="A", extra=1)
    Traceback (most recent call last):
    ...
    TypeError: Die Meldung 'report.no_part' kennt die Angabe(n) extra nicht
    """
    return fill(MESSAGES, code, fields, catalogue="monitoring.messages")
