"""The German first versions of the site pages: the same facts as :mod:`sitepages.defaults`.

Stored by the data migration ``0003_german_defaults`` as the ``de`` versions; visitors reading
German get them, everyone else the default language's. Keep both in step when a fact changes.
"""

from __future__ import annotations

from sitepages.defaults import DefaultPage, Facility


def _address(facility: Facility) -> str:
    return "  \n".join([facility.publisher, *facility.address])


def _email(facility: Facility) -> str:
    if not facility.contact_email:
        return "das Nutzerbüro der Einrichtung"
    return f"[{facility.contact_email}](mailto:{facility.contact_email})"


def _about(f: Facility) -> DefaultPage:
    return DefaultPage(
        "about",
        "Über dieses Portal",
        f"Was {f.name} ist: der öffentliche Katalog der Forschungsdaten, die bei {f.publisher} "
        "gemessen wurden.",
        f"""{f.name} ist der öffentliche Katalog der Forschungsdaten, die bei {f.publisher}
gemessen wurden.

Experimente an den Messplätzen der Einrichtung werden in einem internen Katalog erfasst, solange
die Daten unter Embargo stehen. Sobald ein Datensatz öffentlich ist, erscheint er hier für alle,
ohne Konto: seine Beschreibung, wissenschaftliche Metadaten, Instrument, Proposal und die Liste
seiner Dateien.

## Was Sie hier finden

- [Datensätze](/datasets/): alle öffentlichen Datensätze durchsuchen und filtern, nach Text,
  Instrument, Technik, Datum und wissenschaftlichen Metadaten mit Einheiten.
- [Publikationen](/publications/): Datensätze unter einem DOI, mit Zitation in den üblichen
  Stilen und Exporten (DataCite, BibTeX, RIS, CSL-JSON, schema.org).
- [Instrumente](/instruments/), [Proposals](/proposals/) und [Techniken](/techniques/) zum
  Stöbern.
- [Statistik](/statistics/): die öffentlichen Daten der Einrichtung in Zahlen.

## Für Programme

Harvester und Skripte finden OAI-PMH, eine Sitemap, eine REST-API, die PaNOSC-Such-API, Feeds
und Gesamtexporte unter [Für Maschinen](/for-machines/).

## Daten zitieren

Zitieren Sie einen Datensatz mit seinem DOI, wo er einen hat; jede Landing Page zeigt die
Zitation. Fragen zu den Daten beantwortet die [Kontaktseite](/contact/).
""",
    )


def _contact(f: Facility) -> DefaultPage:
    data = ""
    if f.data_contact:
        data = f"""
## Daten auf Band

Um archivierte Daten wieder bereitstellen zu lassen, wenden Sie sich an
[{f.data_contact.removeprefix("mailto:")}]({f.data_contact}) oder nutzen Sie das Formular auf der
Seite des Datensatzes, wo es eines gibt.
"""
    return DefaultPage(
        "contact",
        "Kontakt",
        f"Wie Sie die Menschen hinter {f.name} erreichen.",
        f"""Fragen zu den Daten, ihren Metadaten oder diesem Portal: schreiben Sie an {_email(f)}.

## Anschrift

{_address(f)}
{data}
## Ein Problem melden

Wenn eine Seite nicht funktioniert, ein Datensatz falsch aussieht oder etwas schwer zu bedienen
ist, nennen Sie uns bitte die Seite (ihre Adresse) und was Sie erwartet haben. Auch Hinweise zur
Barrierefreiheit sind willkommen: siehe die [Erklärung zur Barrierefreiheit](/accessibility/).
""",
    )


def _imprint(f: Facility) -> DefaultPage:
    return DefaultPage(
        "imprint",
        "Impressum",
        f"Wer {f.name} herausgibt.",
        f"""## Herausgeber

{_address(f)}

E-Mail: {_email(f)}\\
Web: [{f.base_url}]({f.base_url})

## Inhalte

Die hier gezeigten Metadaten stammen von den Forschenden, die die Daten gemessen haben, und von
der Einrichtung. Die Lizenz jedes Datensatzes steht auf seiner Seite. Die Software dieses Portals
ist quelloffen.

## Links auf andere Seiten

Für die Inhalte verlinkter externer Seiten sind deren Betreiber verantwortlich.
""",
    )


def _privacy(f: Facility) -> DefaultPage:
    return DefaultPage(
        "privacy",
        "Datenschutz",
        f"Was {f.name} über seine Besucher speichert und was nicht.",
        f"""Dieses Portal ist öffentlich und braucht kein Konto. Es speichert so wenig wie möglich,
und nur auf seinen eigenen Servern: Es gibt keine Analysedienste, keine Werbung, keine externen
Schriften und kein Content Delivery Network; Ihr Browser spricht mit niemand anderem, während Sie
es benutzen.

## Cookies

Beim Stöbern wird kein Cookie gesetzt. Ein Cookie entsteht nur:

- wenn Sie eine Sprache wählen (`portal_language`, merkt sich Ihre Wahl);
- auf Seiten mit einem Formular (die Anfrage, Daten vom Band bereitzustellen): ein Cookie
  `csrftoken`, das das Formular vor seitenübergreifender Fälschung schützt;
- für die Mitarbeitenden der Einrichtung, wenn sie sich in der Verwaltung anmelden (`sessionid`,
  `csrftoken`).

## Nutzungsstatistik

Um zu berichten, wie oft Datensätze angesehen und heruntergeladen werden, zählt das Portal
Aufrufe von Landing Pages, Exporte und Downloads nach dem COUNTER Code of Practice, wie es
Herausgeber von Forschungsdaten tun. Jede Zählung enthält die Zeit, den Datensatz, die Art des
Zugriffs (Mensch oder Maschine) und einen Besucherschlüssel: einen Hash aus Ihrer IP-Adresse und
Browserkennung mit einem Zufallswert, der jeden Tag ersetzt wird, sodass derselbe Besucher von
einem Tag zum nächsten nicht wiedererkannt werden kann und die Adresse selbst nie gespeichert
wird. Bekannte Robots werden nicht gezählt. Die Zählungen werden je Monat zusammengefasst; die
einzelnen Ereignisse werden dann gelöscht, und nur die Monatssummen je Datensatz bleiben, werden
auf den Seiten gezeigt und können an DataCite gemeldet werden.

## Zugriffsbegrenzung

Damit das Portal für alle verfügbar bleibt, werden Anfragen je Client-Adresse (eine IPv4-Adresse
oder ein IPv6-Netz von 64 Bit) für einige Minuten im Arbeitsspeicher (Redis) gezählt; die Zähler
verfallen von selbst. Falsche Schlüssel von Begutachtungslinks werden ebenso gezählt.

## Protokolle

Die eigenen Protokolle des Portals vermerken, was abgefragt wurde (Zeit, Adresse der Seite,
Status, Größe, Dauer), mit einer Anfragenummer, um Fehler zu finden. Ihre IP-Adresse speichern
sie nicht.

## Anfragen, Daten vom Band bereitzustellen

Wenn Sie archivierte Daten anfordern, wird Ihre E-Mail-Adresse aufbewahrt, bis Ihnen mitgeteilt
wurde, dass die Daten bereitstehen (oder die Anfrage gescheitert ist), und dann gelöscht. Ein
mit einem geheimen Schlüssel gebildeter Hash der Adresse begrenzt, wie viele Anfragen eine
Adresse pro Tag stellen kann.

## Mitarbeitende

Mitarbeitende melden sich in der Verwaltung an; fehlgeschlagene Anmeldungen werden mit der Adresse
gespeichert, von der sie kamen, um das Erraten von Passwörtern zu unterbinden.

## Ihre Rechte

Für Fragen zu Ihren Daten, um Auskunft zu erhalten, was über Sie gespeichert ist, oder um die
Löschung zu verlangen, schreiben Sie an {_email(f)}.
""",
    )


def _accessibility(f: Facility) -> DefaultPage:
    return DefaultPage(
        "accessibility",
        "Erklärung zur Barrierefreiheit",
        f"Wie barrierefrei {f.name} ist und wie Sie eine Barriere melden.",
        f"""{f.publisher} möchte, dass {f.name} für alle nutzbar ist, unabhängig von ihren
Fähigkeiten und dem Gerät, das sie benutzen.

## Standard

Das Portal strebt die Konformität mit den [Web Content Accessibility Guidelines (WCAG) 2.1,
Stufe AA](https://www.w3.org/TR/WCAG21/) an. Seine Seiten werden bei jeder Änderung automatisch in
einem echten Browser mit der Prüfsoftware axe und mit Lighthouse getestet:

- jede Seite ist allein mit der Tastatur bedienbar, mit sichtbarem Fokus und einem Link direkt
  zum Hauptinhalt;
- Text hat ausreichenden Kontrast, im hellen und im dunklen Farbschema (das der Einstellung Ihres
  Systems folgt), und lässt sich ohne Verlust auf 200 % vergrößern;
- Seiten haben Überschriften, Landmarken und beschriftete Formularfelder für Screenreader;
- Tabellen von Datensätzen werden auf schmalen Bildschirmen zu Karten, ohne seitliches Scrollen;
- das Portal funktioniert ohne JavaScript.

## Bekannte Einschränkungen

- Wissenschaftliche Metadaten, Dateinamen und Prüfsummen werden so gezeigt, wie die Forschenden
  sie erfasst haben, und sind vorgelesen nicht immer verständlich.
- Vorschaubilder sind Detektorbilder; ihre Beschreibungen stammen aus den Metadaten und können
  knapp sein.
- Die Verwaltung für Mitarbeitende ist die von Django und nicht Gegenstand dieser Erklärung.

## Eine Barriere melden

Wenn etwas in diesem Portal für Sie schwer oder gar nicht nutzbar ist, schreiben Sie bitte an
{_email(f)}: nennen Sie die Seite (ihre Adresse) und was geschehen ist. Wir antworten und
stellen die Information, wenn möglich, in anderer Form bereit.
""",
    )


def default_pages_de(facility: Facility) -> list[DefaultPage]:
    return [build(facility) for build in (_about, _contact, _imprint, _privacy, _accessibility)]
