"""The help texts of the app's inputs and the glossary of the domain, in German.

Every explanation a user reads about an input (the ``help=`` tooltip of a widget) and every
entry of the glossary on the Hilfe page lives here, in one place, so a page writes
``help=HELP["stichtag"]`` and the Hilfe page shows the same words. The texts are written for
clerks in planning offices and quarter managers, not for programmers: German, no code names.

:data:`HELP` holds the tooltips by key, :data:`INPUT_LABELS` the label under which the
Hilfe page lists each of them, and :data:`GLOSSARY` the terms of urban renewal funding,
quarter management and small-area social monitoring. :func:`search` finds glossary terms.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitoring.auth import ROLE_LABELS, ROLES

#: widget help texts by key (``help=HELP[key]``)
HELP: dict[str, str] = {
    "stichtag": (
        "Der Stichtag ist der Tag, auf den sich ein Wert bezieht, z. B. die Einwohnerzahl "
        "am 31.12.2022. Amtliche Statistiken zählen meist zum Jahresende; jeder Stichtag "
        "ist ein Zeitpunkt der Zeitreihe."
    ),
    "stichtag_import": (
        "Der Tag, auf den sich alle Werte der Datei beziehen, z. B. 31.12.2021 (meist "
        "das Ende des Erhebungsjahres). Hat die Datei eine Spalte mit dem Stichtag je "
        "Zeile, wählen Sie diese oben statt dessen."
    ),
    "gebietsebene": (
        "Die Gebietsebene ist die räumliche Gliederung, in der Werte vorliegen, z. B. "
        "Planungsräume, Bezirksregionen oder Bezirke. Karte und Tabellen zeigen die "
        "Gebiete der gewählten Ebene."
    ),
    "ebene_import": (
        "Kurzname der Gebietsebene, zu der die Grenzen gehören, z. B. PLR für die "
        "Planungsräume. Werte werden später den Gebieten dieser Ebene zugeordnet."
    ),
    "ebene_werte": (
        "Die Gebietsebene, zu der die Werte der Datei gehören. „Automatisch“ nimmt die "
        "Ebene, deren gespeicherte Gebiete am besten zu den Kennungen bzw. Namen passen."
    ),
    "gebietsstand": (
        "Der Gebietsstand sagt, nach welchen Gebietsgrenzen ein Wert erhoben wurde, z. B. "
        "LOR 2021. Ändern sich Grenzen (Gebietsreform), gehören Werte zu verschiedenen "
        "Gebietsständen und sind nur über eine Umschlüsselung vergleichbar. "
        "„Automatisch“ nimmt den Stand, der zum Stichtag gilt."
    ),
    "gebietsstand_grenzen": (
        "Der Jahrgang dieser Grenzen, z. B. 2021 für die LOR nach der Reform von 2021. "
        "Ohne Angabe gilt das Jahr von „gültig ab“."
    ),
    "gueltig_ab": (
        "Ab diesem Tag gelten die Grenzen (TT.MM.JJJJ). Werte mit einem Stichtag ab "
        "diesem Tag werden diesen Gebieten zugeordnet."
    ),
    "gueltig_bis": (
        "Bis zu diesem Tag gelten die Grenzen (TT.MM.JJJJ); leer lassen, solange sie gelten."
    ),
    "geheimhaltung": (
        "Kleine Zahlen lassen auf einzelne Personen schließen. Werte von Gebieten mit "
        "weniger Einwohnern als der Mindestbesetzung werden deshalb nicht gezeigt "
        "(Geheimhaltung); die Karte zeigt solche Gebiete schraffiert, Tabellen als "
        "„unterdrückt“."
    ),
    "mindestbevoelkerung": (
        "Mindestbesetzung: Gebiete mit weniger Einwohnern bekommen keinen Indexwert und "
        "keine Klasse („ohne Zuordnung“), ihre Werte werden nicht gezeigt "
        "(Geheimhaltung). Das Monitoring Soziale Stadtentwicklung Berlin nimmt 300 "
        "Einwohner."
    ),
    "zeitraum_dynamik": (
        "Über wie viele Jahre die Veränderung gemessen wird: Dynamik = Wert am Stichtag "
        "minus Wert so viele Jahre früher, in Prozentpunkten. Berlin (MSS) nimmt 2 Jahre, "
        "Hamburg (RISE) 3 Jahre."
    ),
    "methode": (
        "Die Methode (das Methodenprofil) legt fest, wie der Sozialindex berechnet wird: "
        "welche Indikatoren in welcher Richtung eingehen, wie sie standardisiert und "
        "zusammengefasst werden, die Klassengrenzen, die Mindestbevölkerung und der "
        "Zeitraum der Dynamik. Eigene Profile legen Sie im Reiter „Eigenes Profil“ an."
    ),
    "statusindikatoren": (
        "Die Anteilswerte, aus denen der Statusindex gebildet wird (z. B. Arbeitslosigkeit, "
        "Transferbezug, Kinderarmut). Jeder wird über alle gültigen Gebiete "
        "z-standardisiert, dann werden die Werte je Gebiet addiert."
    ),
    "dynamikindikatoren": (
        "Indikatoren, deren Veränderung über den Zeitraum der Dynamik den Dynamikindex "
        "bildet. Ohne Auswahl berechnet das Profil nur den Status."
    ),
    "richtung": (
        "Ob ein höherer Wert eine ungünstigere Lage bedeutet (z. B. Arbeitslosigkeit) oder "
        "eine günstigere (z. B. Beschäftigungsquote). Günstige Indikatoren gehen mit "
        "umgekehrtem Vorzeichen in den Index ein."
    ),
    "indikator": (
        "Ein Indikator ist eine Kennzahl eines Gebiets zu einem Stichtag, z. B. die "
        "Arbeitslosenquote in Prozent oder die Zahl der Einwohner."
    ),
    "klassifikation": (
        "Wie die Werte in Farbstufen geteilt werden. Quantile: in jeder Klasse liegen "
        "gleich viele Gebiete. Natürliche Brüche: die Grenzen liegen in den Lücken der "
        "Verteilung. Gleiche Intervalle: die Spanne wird in gleich breite Stufen geteilt."
    ),
    "klassen": (
        "Die Zahl der Farbstufen. Mehr Klassen zeigen feinere Unterschiede, sind auf der "
        "Karte aber schwerer auseinanderzuhalten; 4 oder 5 sind üblich."
    ),
    "farbschema": (
        "Alle Farbschemata sind für die häufigen Farbsehschwächen unterscheidbar und "
        "verzichten auf Ampelfarben; Grautöne wirken am wenigsten wertend."
    ),
    "gebiete_erkennen": (
        "Der Zuordnungsschlüssel: woran eine Zeile der Datei ihrem gespeicherten Gebiet "
        "zugeordnet wird. Kennung: der amtliche Schlüssel, z. B. 01100101. Name: die Namen "
        "werden ohne Rücksicht auf Groß-/Kleinschreibung, Umlaute, Bindestriche und "
        "„St.“/„Sankt“ verglichen, nie nach Ähnlichkeit."
    ),
    "aufbau": (
        "Breit: eine Zeile je Gebiet, eine Spalte je Indikator (so veröffentlichen die "
        "Ämter meist). Lang: eine Zeile je Gebiet und Indikator, mit einer Spalte für den "
        "Indikator und einer für den Wert."
    ),
    "fehlende_werte": (
        "Zahlen, die in der Datei für „kein Wert“ stehen, z. B. -9999 in den Tabellen des "
        "MSS; mehrere durch Komma trennen. Die Zeichen der amtlichen Statistik (– . … x /) "
        "erkennt der Import ohnehin."
    ),
    "zahlenformat": (
        "Ob die Datei Zahlen mit Dezimalkomma (1.234,5) oder mit Dezimalpunkt (1,234.5) "
        "schreibt. „Automatisch erkennen“ reicht meist; wählen Sie selbst, wenn Zahlen wie "
        "1.234 in der Datei beides bedeuten könnten."
    ),
    "ausgabe": (
        "Die Veröffentlichung, aus der die Werte stammen, z. B. „MSS 2021“. So bleiben "
        "Werte verschiedener Ausgaben getrennt und nachvollziehbar."
    ),
    "koordinatensystem": (
        "Der EPSG-Code des Koordinatensystems der Datei: ETRS89/UTM Zone 32 (EPSG:25832) "
        "für den größten Teil Deutschlands, Zone 33 (EPSG:25833) für Berlin und den Osten, "
        "Gauß-Krüger z. B. EPSG:31467. Geografische Länge/Breite: EPSG:4326."
    ),
    "ostwert": (
        "Die Spalte mit dem Ostwert (x, bei Gauß-Krüger Rechtswert): der Abstand nach Osten "
        "in Metern im Koordinatensystem der Datei, bei UTM sechsstellig, z. B. 390.123,4 "
        "(mit vorangestellter Zone 32390123,4)."
    ),
    "nordwert": (
        "Die Spalte mit dem Nordwert (y, bei Gauß-Krüger Hochwert): der Abstand vom Äquator "
        "nach Norden in Metern, in Deutschland siebenstellig, z. B. 5.820.456,7."
    ),
    "berichtsjahr": (
        "Das Jahr, über das berichtet wird. Im Elektronischen Monitoring (eMo) ist es das "
        "abgelaufene Haushaltsjahr: im Jahr 2025 wird über 2024 berichtet."
    ),
    "gesamtmassnahme": (
        "Eine Gesamtmaßnahme ist ein Fördergebiet in einem Programm der "
        "Städtebauförderung, die Einheit der Förderung und des Berichts an den Bund."
    ),
    "programm": (
        "Das Programm der Städtebauförderung, z. B. Sozialer Zusammenhalt, Wachstum und "
        "nachhaltige Erneuerung oder Lebendige Zentren (bis 2019: Soziale Stadt, "
        "Stadtumbau und andere)."
    ),
    "foerdergebiet": (
        "Das Gebiet, in dem gefördert wird; zusammen mit dem Programm bildet es eine "
        "Gesamtmaßnahme."
    ),
    "handlungsfeld": (
        "Die Themen, denen eine Maßnahme dient, nach dem Entwicklungskonzept (ISEK), "
        "z. B. Bildung, öffentlicher Raum oder Klimaschutz und -anpassung."
    ),
    "massnahmenstatus": (
        "Der Stand einer Maßnahme: geplant, bewilligt (Zuwendungsbescheid liegt vor), in "
        "Umsetzung, abgeschlossen (fertig gebaut) oder abgerechnet (Verwendungsnachweis "
        "geprüft)."
    ),
    "jahr_laufend": (
        "Zeigt die Maßnahmen, die in diesem Jahr liefen, also vorher oder im Jahr begonnen "
        "und nicht vorher beendet wurden."
    ),
    "fonds": (
        "Der Fonds des Gebiets, z. B. der Verfügungsfonds oder in Berlin Aktions-, "
        "Projekt- oder Baufonds. Einnahmen, Entscheidungen und Auszahlungen werden je "
        "Fonds geführt."
    ),
    "aufnahmejahr": "Das Jahr, in dem die Gesamtmaßnahme in ihr Programm aufgenommen wurde.",
    "foerderstatus": (
        "Der Stand der Förderung einer Gesamtmaßnahme, z. B. laufend, ausfinanziert (alle "
        "Mittel bewilligt) oder abgeschlossen."
    ),
    "ags": (
        "Amtlicher Gemeindeschlüssel: die achtstellige Kennziffer der Gemeinde, z. B. "
        "11000000 für Berlin."
    ),
}

#: the label under which the Hilfe page lists each help text (the widget's label)
INPUT_LABELS: dict[str, str] = {
    "stichtag": "Stichtag",
    "stichtag_import": "Stichtag aller Werte (Import)",
    "gebietsebene": "Gebietsebene",
    "ebene_import": "Ebene (Import von Grenzen)",
    "ebene_werte": "Ebene der Gebiete (Import von Werten)",
    "gebietsstand": "Gebietsstand",
    "gebietsstand_grenzen": "Gebietsstand (Import von Grenzen)",
    "gueltig_ab": "gültig ab",
    "gueltig_bis": "gültig bis",
    "geheimhaltung": "Geheimhaltung",
    "mindestbevoelkerung": "Mindestbevölkerung (Mindestbesetzung)",
    "zeitraum_dynamik": "Zeitraum der Dynamik",
    "methode": "Methode (Sozialindex)",
    "statusindikatoren": "Statusindikatoren",
    "dynamikindikatoren": "Dynamikindikatoren",
    "richtung": "Richtung eines Indikators",
    "indikator": "Indikator",
    "klassifikation": "Klassifikation",
    "klassen": "Klassen",
    "farbschema": "Farbschema",
    "gebiete_erkennen": "Gebiete erkennen an (Zuordnungsschlüssel)",
    "aufbau": "Aufbau der Tabelle",
    "fehlende_werte": "Kennungen für fehlende Werte",
    "zahlenformat": "Zahlenformat",
    "ausgabe": "Ausgabe",
    "koordinatensystem": "Koordinatensystem",
    "ostwert": "Ostwert",
    "nordwert": "Nordwert",
    "berichtsjahr": "Berichtsjahr",
    "gesamtmassnahme": "Gesamtmaßnahme",
    "programm": "Programm",
    "foerdergebiet": "Fördergebiet",
    "handlungsfeld": "Handlungsfeld",
    "massnahmenstatus": "Status einer Maßnahme",
    "jahr_laufend": "Jahr (laufende Maßnahmen)",
    "fonds": "Fonds",
    "ags": "Gemeindeschlüssel (AGS)",
    "aufnahmejahr": "Aufnahmejahr",
    "foerderstatus": "Förderstatus",
}

#: the help text of an import's column choice, by the option's argument (``x_col`` …)
COLUMN_HELP: dict[str, str] = {
    "x_col": "ostwert",
    "y_col": "nordwert",
    "period_col": "stichtag",
    "programme_col": "programm",
    "start_year_col": "aufnahmejahr",
}

#: the glossary: term -> explanation
GLOSSARY: dict[str, str] = {
    # programmes and funding
    "Städtebauförderung": (
        "Förderprogramme, mit denen Bund, Länder und Gemeinden die Erneuerung von Städten "
        "und Ortsteilen gemeinsam bezahlen (Art. 104b Grundgesetz). Üblich ist je ein "
        "Drittel von Bund, Land und Gemeinde; oft kommen weitere Mittel hinzu (EFRE, KfW, "
        "BIWAQ, Private)."
    ),
    "Sozialer Zusammenhalt (früher Soziale Stadt)": (
        "Programm für Stadtteile mit besonderem Entwicklungsbedarf: seit 1999 als Soziale "
        "Stadt, seit 2020 als Sozialer Zusammenhalt. Es verbindet bauliche Maßnahmen mit "
        "Nachbarschaft, Bildung und Beteiligung."
    ),
    "Wachstum und nachhaltige Erneuerung (früher Stadtumbau)": (
        "Programm seit 2020 für Städte im Wandel: Rückbau, Aufwertung, Anpassung der "
        "Infrastruktur, Umgang mit Leerstand und Brachflächen. Es setzt Stadtumbau Ost "
        "(seit 2002) und Stadtumbau West (seit 2004) fort, die 2017 zusammengelegt wurden."
    ),
    "Lebendige Zentren": (
        "Programm seit 2020 für Innenstädte, Stadtteil- und Ortskerne; es setzt Aktive "
        "Stadt- und Ortsteilzentren und den Städtebaulichen Denkmalschutz fort."
    ),
    "Programmjahr": (
        "Das Jahr, aus dessen Bereitstellung Fördermittel stammen. Mittel eines "
        "Programmjahres vor 2020 gehören zum damaligen Programm, auch wenn das Gebiet "
        "heute in einem Nachfolgeprogramm ist."
    ),
    "Gesamtmaßnahme": (
        "Ein Fördergebiet in einem Programm: die Einheit, für die gefördert und an den "
        "Bund berichtet wird. Dasselbe Gebiet in zwei Programmen ist zwei "
        "Gesamtmaßnahmen. Zu ihr gehören Gemeinde, Name, Programm, Aufnahmejahr, "
        "voraussichtliches Ende, Fläche, Förderstatus und die Bundesmittel je Programmjahr."
    ),
    "Fördergebiet": (
        "Das räumlich abgegrenzte Gebiet (eine Fläche auf der Karte), in dem eine "
        "Gesamtmaßnahme gefördert wird."
    ),
    "Förderstatus": (
        "Der Stand der Förderung einer Gesamtmaßnahme, z. B. laufend, ausfinanziert (alle "
        "Mittel bewilligt) oder abgeschlossen."
    ),
    "Aufnahmejahr": "Das Jahr, in dem eine Gesamtmaßnahme in ihr Programm aufgenommen wurde.",
    "Gebietsfestlegung": (
        "Die rechtliche Festlegung eines Gebiets nach dem Baugesetzbuch, z. B. "
        "Sanierungsgebiet (§ 142), Stadtumbaugebiet (§ 171b), Gebiet der Sozialen Stadt "
        "(§ 171e) oder Erhaltungsgebiet (§ 172). Sie ist nicht für jede Förderung nötig."
    ),
    "Sanierungsgebiet": (
        "Gebiet, das die Gemeinde nach § 142 BauGB per Satzung förmlich festlegt, um "
        "städtebauliche Missstände zu beheben. Eigentümer zahlen danach Ausgleichsbeträge "
        "für die Wertsteigerung ihrer Grundstücke."
    ),
    "ISEK (integriertes städtebauliches Entwicklungskonzept)": (
        "Das Konzept, das Ziele je Handlungsfeld für ein Gebiet festlegt; es ist "
        "Voraussetzung der Förderung, und die Maßnahmen müssen seinen Zielen dienen."
    ),
    "IHEK (integriertes Handlungs- und Entwicklungskonzept)": (
        "Das Entwicklungskonzept der Berliner Quartiersmanagement-Gebiete, alle drei Jahre "
        "fortgeschrieben."
    ),
    "Handlungsfeld": (
        "Ein Themenfeld der Gebietsentwicklung, z. B. Wohnen und Wohnumfeld, Bildung, "
        "Integration, Gesundheit, lokale Ökonomie, öffentlicher Raum oder Klimaschutz und "
        "-anpassung. Jede Stadt kann ihre Liste anpassen."
    ),
    "Einzelmaßnahme (Maßnahme)": (
        "Ein einzelnes Vorhaben in einer Gesamtmaßnahme, z. B. ein Spielplatz oder die "
        "Sanierung einer Schule, mit Ort, Handlungsfeldern, Zielen, Kosten, Finanzierung "
        "nach Geldgebern, Status und Terminen."
    ),
    "Status einer Maßnahme": (
        "geplant, bewilligt (Zuwendungsbescheid liegt vor), in Umsetzung, abgeschlossen "
        "(fertig) oder abgerechnet (Verwendungsnachweis geprüft)."
    ),
    # federal monitoring
    "Städtebauförderungsdatenbank": (
        "Die Datenbank des BBSR mit den Grunddaten jeder Gesamtmaßnahme je Programmjahr: "
        "Gemeinde, Name, Bundesmittel, Förderstatus, Fläche, Aufnahmejahr und "
        "voraussichtliches Ende."
    ),
    "Begleitinformationen (eBI)": (
        "Die Beschreibung eines Gebiets für den Bund: Lage, Probleme, Ziele sowie die "
        "örtliche Zusammenarbeit und Beteiligung. Sie werden bei der Aufnahme ins Programm "
        "erstellt und fortgeschrieben, wenn sich etwas ändert; seit 2010 elektronisch."
    ),
    "Elektronisches Monitoring (eMo)": (
        "Der jährliche Bericht an den Bund je Gesamtmaßnahme (seit 2013/14), über das "
        "abgelaufene Haushaltsjahr. Er hat die Teile A bis D mit Input-, Output- und "
        "Kontextindikatoren; die genaue Feldliste bestimmen Bund und Land und ändert sich."
    ),
    "Berichtsjahr": (
        "Das Jahr, über das ein Bericht Auskunft gibt; im eMo das abgelaufene Haushaltsjahr."
    ),
    "Input-, Output- und Kontextindikatoren": (
        "Die drei Gruppen des eMo: Input sind die eingesetzten Mittel nach Geldgebern, "
        "Output das, was die Maßnahmen geschaffen haben (z. B. m² Grünfläche, modernisierte "
        "Wohnungen), Kontext die Lage im Gebiet (Bevölkerung, soziale Lage, Wohnungsmarkt)."
    ),
    # grant procedure
    "Kosten- und Finanzierungsübersicht (KuF)": (
        "Die Aufstellung aller Ausgaben einer Gesamtmaßnahme nach Kostengruppen "
        "(Vorbereitung, Grunderwerb, Ordnungsmaßnahmen, Baumaßnahmen, Vergütungen für "
        "Beauftragte, Sonstiges), der Einnahmen und der Finanzierung nach Geldgebern und "
        "Jahren, geplant und tatsächlich. Sie ist Grundlage jedes Antrags und wird "
        "mindestens jährlich fortgeschrieben. Der Quartiersmonitor berechnet sie aus den "
        "Finanzierungszeilen der Maßnahmen und den Einnahmen (Seite Förderung, "
        "„qmon kuf“); jeder Förderantrag schreibt die KuF fest, auf der er beruht."
    ),
    "Kostengruppe": (
        "Die Gruppe der KuF, unter der die Ausgaben einer Maßnahme stehen, z. B. "
        "Ordnungsmaßnahmen oder Baumaßnahmen. Die Gliederung gibt das Land vor; eine "
        "Finanzierungszeile kann von der Gruppe ihrer Maßnahme abweichen."
    ),
    "Ausgleichsbetrag": (
        "Betrag, den Eigentümer in einem Sanierungsgebiet für die sanierungsbedingte "
        "Wertsteigerung ihres Grundstücks zahlen (§ 154 BauGB); er ist eine Einnahme der "
        "Gesamtmaßnahme."
    ),
    "Förderantrag": "Der Antrag der Gemeinde auf Fördermittel für ein Programmjahr.",
    "Zuwendungsbescheid": (
        "Der Bescheid, mit dem Fördermittel bewilligt werden: Aktenzeichen, Datum, "
        "Programm und Jahr, Beträge nach Geldgebern, Bewilligungszeitraum, "
        "Nebenbestimmungen und Fristen (Baubeginn, Mittelabruf, Verwendungsnachweis)."
    ),
    "Bewilligungszeitraum": ("Der Zeitraum, in dem bewilligte Mittel ausgegeben werden dürfen."),
    "Mittelabruf": (
        "Die Anforderung bewilligter Mittel, meist nur für Zahlungen, die in den nächsten "
        "zwei Monaten fällig sind. Nicht rechtzeitig abgerufene Mittel können verfallen."
    ),
    "Zwischenabrechnung": "Die jährliche Abrechnung der bisher ausgegebenen Mittel.",
    "Verwendungsnachweis (Schlussabrechnung)": (
        "Der Nachweis am Ende, wofür die Mittel ausgegeben wurden: ein Zahlenteil, der "
        "mit der KuF übereinstimmen muss, und ein Sachbericht."
    ),
    "Sachbericht": (
        "Der Textteil des Verwendungsnachweises: was getan wurde, welche Ziele erreicht "
        "wurden und wo und warum vom Plan abgewichen wurde."
    ),
    "investiv": (
        "Ausgaben, die etwas Dauerhaftes schaffen oder erhalten (Bau, Ausstattung). "
        "Mittel der Städtebauförderung dürfen in Verfügungsfonds nur für investive oder "
        "investitionsbegleitende Zwecke verwendet werden."
    ),
    # quarter management
    "Quartiersmanagement": (
        "Ein Team vor Ort, das die Akteure eines Stadtteils vernetzt (Bewohner, Vereine, "
        "Wohnungsunternehmen, Gewerbe, Schulen, Verwaltung …), ihre Ideen und Projekte "
        "unterstützt, Bewohner an Planung und Aktionen beteiligt und ihnen hilft, an Geld "
        "zu kommen. Auch eine Rolle in dieser Anwendung."
    ),
    "Vor-Ort-Büro": "Das Büro des Quartiersmanagements im Gebiet, Anlaufstelle für alle.",
    "Quartiersrat": (
        "Gremium aus gewählten Bewohnern und Vertretern örtlicher Einrichtungen, das über "
        "Projektmittel des Gebiets entscheidet."
    ),
    "Aktionsfonds": (
        "Ein kleiner Fonds für schnelle Zuschüsse an Ideen von Bewohnern (in Berlin); über "
        "die Anträge entscheidet eine Jury aus Bewohnern."
    ),
    "Projektfonds": (
        "Berliner Fonds für größere Projekte (ab 5.000 €, bis zu vier Jahre), über die der "
        "Quartiersrat berät."
    ),
    "Baufonds": "Berliner Fonds für bauliche Projekte in Quartiersmanagement-Gebieten.",
    "Verfügungsfonds": (
        "Ein Fonds im Gebiet, über dessen Verwendung ein örtliches Gremium entscheidet. "
        "Höchstens 50 % stammen aus der Städtebauförderung, mindestens 50 % von "
        "Gewerbetreibenden, Eigentümern, Privaten oder zusätzlich von der Gemeinde (einige "
        "Länder erlauben Ausnahmen). Die 50-%-Regel gilt für den Verfügungsfonds, nicht für "
        "jeden Fonds."
    ),
    "Akteur": (
        "Wer im Gebiet mitwirkt: Bewohner, Vereine, Wohnungsunternehmen, Eigentümer, "
        "Gewerbe, Religionsgemeinschaften, Schulen, Polizei, Politik, Verwaltung."
    ),
    "Einwilligung (Datenschutz)": (
        "Daten von Privatpersonen unter den Akteuren werden nur mit einer erfassten "
        "Einwilligung oder einer anderen Rechtsgrundlage gespeichert, nur Rollen gezeigt, "
        "die sie brauchen, und auf Verlangen gelöscht (anonymisiert)."
    ),
    # social monitoring
    "Monitoring Soziale Stadtentwicklung (MSS)": (
        "Das Berliner Sozialmonitoring, alle zwei Jahre auf den Planungsräumen. Aus "
        "Anteilen wie Arbeitslosigkeit, Transferbezug und Kinderarmut ergeben sich ein "
        "Status- und ein Dynamikindex; mit ihm werden Quartiersmanagement-Gebiete "
        "ausgewählt."
    ),
    "LOR (lebensweltlich orientierte Räume)": (
        "Die Berliner Gliederung in Prognoseräume, Bezirksregionen und Planungsräume. Mit "
        "der Reform von 2021 stieg die Zahl der Planungsräume von 447 auf 542."
    ),
    "Planungsraum": (
        "Die kleinste Ebene der Berliner LOR, im Mittel einige tausend Einwohner; die "
        "Ebene des MSS."
    ),
    "Statusindex": (
        "Fasst die soziale Lage eines Gebiets am Stichtag zusammen: jeder "
        "Statusindikator wird z-standardisiert, die Werte werden addiert und die Summe "
        "erneut standardisiert. Daraus folgt die Statusklasse: 1 hoch, 2 mittel, 3 niedrig, "
        "4 sehr niedrig (MSS 2021: Grenzen bei −1, 1 und 1,5)."
    ),
    "Dynamikindex": (
        "Fasst die Veränderung der Statusindikatoren über den Zeitraum der Dynamik "
        "zusammen (in Prozentpunkten), gebildet wie der Statusindex. Klassen: positiv, "
        "stabil, negativ."
    ),
    "Gesamtindex": (
        "Die Verbindung von Status- und Dynamikklasse als Zahl (10 × Status + Dynamik, "
        "Dynamik 1 positiv, 3 stabil, 5 negativ), z. B. 33 für Status niedrig und Dynamik "
        "stabil."
    ),
    "Gebiete mit besonderem Aufmerksamkeitsbedarf": (
        "Gebiete mit niedrigem oder sehr niedrigem Status oder mittlerem Status bei "
        "negativer Dynamik (Arbeitsannahme dieser Anwendung nach dem MSS)."
    ),
    "Planungsraum ohne Zuordnung": (
        "Ein Gebiet, das keine Indexklasse bekommt, weil es zu wenige Einwohner hat "
        "(Mindestbesetzung) oder als Ausreißer gilt; in veröffentlichten Tabellen oft "
        "mit -9999 gekennzeichnet."
    ),
    "z-Standardisierung": (
        "Umrechnung eines Werts in Standardabweichungen vom Mittelwert aller gültigen "
        "Gebiete: z = (Wert − Mittelwert) / Standardabweichung. So werden Indikatoren "
        "verschiedener Größenordnung vergleichbar."
    ),
    "Prozentpunkt": (
        "Die Differenz zweier Prozentwerte: von 10 % auf 12 % sind es 2 Prozentpunkte "
        "(aber 20 Prozent mehr)."
    ),
    "Methodenprofil": (
        "Die Beschreibung einer Indexmethode: Indikatoren und ihre Richtung, Zeitraum der "
        "Dynamik, Standardisierung, Zusammenfassung, Klassengrenzen, Mindestbevölkerung "
        "und Ausreißerregel. Berlin (MSS), Hamburg (RISE) und andere Städte rechnen mit "
        "derselben Rechnung, aber eigenen Profilen."
    ),
    "RISE-Sozialmonitoring (Hamburg)": (
        "Das jährliche Hamburger Sozialmonitoring auf rund 940 statistischen Gebieten ab "
        "300 Einwohnern, mit sieben Indikatoren und einer Dynamik über drei Jahre."
    ),
    "Räumliche Cluster (lokales Moran's I)": (
        "Ein statistischer Test, ob ähnliche Werte räumlich beieinanderliegen: hoch-hoch "
        "und niedrig-niedrig sind Gruppen ähnlicher Nachbarn, hoch-niedrig und "
        "niedrig-hoch Gebiete, die von ihren Nachbarn abweichen. Ein Muster, keine "
        "Bewertung."
    ),
    "Leerstandsquote": (
        "Leerstehende Wohnungen je 100 Wohnungen des Bestands. Anzugeben ist das Konzept: "
        "marktaktiver Leerstand (binnen 6 Monaten beziehbar), Zensus 2022 (binnen 3 Monaten) "
        "oder die Zählung der Wohnungsunternehmen."
    ),
    # statistics and space
    "Indikator": (
        "Eine Kennzahl eines Gebiets zu einem Stichtag, z. B. ein Anteil in Prozent oder "
        "eine Anzahl."
    ),
    "Stichtag": "Der Tag, auf den sich ein Wert bezieht, z. B. der 31.12.2022.",
    "Gebietsebene": (
        "Eine räumliche Gliederung, z. B. Planungsräume, Bezirksregionen oder Bezirke; "
        "Werte liegen je Ebene vor."
    ),
    "Gebietsstand": (
        "Der Jahrgang der Gebietsgrenzen, nach denen ein Wert erhoben wurde, z. B. LOR "
        "2021. Jeder Wert gehört zu einer Ausgabe und einem Gebietsstand."
    ),
    "Umschlüsselung": (
        "Übertragung von Werten von alten auf neue Gebietsgrenzen nach einer Gebietsreform, "
        "nach Flächen- oder Bevölkerungsanteilen gewichtet; erst dann ist eine Zeitreihe "
        "über die Reform hinweg vergleichbar."
    ),
    "Geheimhaltung (Mindestbesetzung)": (
        "Schutz vor dem Rückschluss auf Personen: Werte von Gebieten unter einer "
        "Mindestzahl an Einwohnern (im MSS 300) oder Fällen werden nicht gezeigt."
    ),
    "Ausgabe": (
        "Die Veröffentlichung, aus der Werte stammen, z. B. MSS 2021; veröffentlichte und "
        "neu berechnete Klassen werden getrennt gehalten."
    ),
    "Zeichenerklärung": (
        "Die Zeichen der amtlichen Statistik statt einer Zahl: – nichts vorhanden, 0 weniger "
        "als die Hälfte der kleinsten Einheit, . unbekannt oder geheim, … noch nicht "
        "verfügbar, x Nachweis nicht sinnvoll, / nicht sicher genug, ( ) eingeschränkt "
        "aussagefähig. Der Import speichert sie als Kennzeichen."
    ),
    "Klassifikation": (
        "Die Einteilung der Werte einer Karte in Farbstufen: Quantile, natürliche Brüche "
        "oder gleiche Intervalle."
    ),
    "Zuordnungsschlüssel": (
        "Das Merkmal, über das Zeilen einer Datei den gespeicherten Gebieten zugeordnet "
        "werden: die Kennung (amtlicher Schlüssel) oder der Name."
    ),
    "Koordinatensystem (EPSG)": (
        "Legt fest, wie Koordinaten zu lesen sind, benannt mit einem EPSG-Code: ETRS89/UTM "
        "Zone 32 (EPSG:25832) oder 33 (EPSG:25833) für Fachdaten, Gauß-Krüger (z. B. "
        "EPSG:31467) in älteren Daten, WGS84 (EPSG:4326) für Webkarten. Flächen und "
        "Abstände rechnet die Anwendung in Metern (UTM)."
    ),
    "Ostwert und Nordwert": (
        "Die beiden Koordinaten einer UTM-Lage in Metern: der Ostwert (x) zählt nach Osten, "
        "der Nordwert (y) vom Äquator nach Norden. In Gauß-Krüger heißen sie Rechtswert "
        "und Hochwert."
    ),
    "Gemeindeschlüssel (AGS)": (
        "Der achtstellige Amtliche Gemeindeschlüssel, z. B. 11000000 für Berlin."
    ),
    "Rolle": (
        "Was ein Benutzer in der Anwendung darf: "
        + ", ".join(ROLE_LABELS[r] for r in ROLES[:-1])
        + f" oder {ROLE_LABELS[ROLES[-1]]}. Unter „Rollen“ auf dieser Seite steht, was "
        "jede Rolle darf."
    ),
}

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "-": " ", "–": " "})


def _folded(text: str) -> str:
    """Return ``text`` casefolded with umlauts spelt out (Fördergebiet ~ foerdergebiet)."""
    return " ".join(text.casefold().translate(_FOLD).split())


def search(query: str, glossary: Mapping[str, str] = GLOSSARY) -> list[str]:
    """Return the glossary terms matching every word of ``query``, best matches first.

    Case, umlauts (``ü`` or ``ue``) and hyphens do not matter. Terms whose name holds
    the query come before terms that mention it only in their explanation; within each
    group the terms keep the glossary's order. An empty query returns every term.

    Examples
    --------
    >>> g = {"Fördergebiet": "Ein Gebiet.", "Gesamtmaßnahme": "Ein Fördergebiet in einem Programm."}
    >>> search("foerdergebiet", g)
    ['Fördergebiet', 'Gesamtmaßnahme']
    >>> search("programm gebiet", g), search("Bahnhof", g), len(search("  ", g))
    (['Gesamtmaßnahme'], [], 2)
    """
    words = _folded(query).split()
    in_name: list[str] = []
    in_text: list[str] = []
    for term, text in glossary.items():
        name = _folded(term)
        if all(w in name for w in words):
            in_name.append(term)
        elif all(w in name or w in _folded(text) for w in words):
            in_text.append(term)
    return in_name + in_text
