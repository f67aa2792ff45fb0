"""German texts for argparse's own words (usage, options, its error messages).

argparse writes "usage:", "options:", "show this help message and exit" and its errors
("the following arguments are required") through :func:`gettext.gettext`, and the Python
distribution ships no German catalogue for it. Rather than install a ``.mo`` file into the
interpreter, :func:`install` points argparse's translation function at this small table;
texts it does not know stay as they are.

Examples
--------
>>> install()
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="qmon")
>>> _ = parser.add_argument("--jahr", type=int, required=True)
>>> print(parser.format_usage().strip())
Aufruf: qmon [-h] --jahr JAHR
>>> parser.format_help().splitlines()[2:4]
['Optionen:', '  -h, --help   diese Hilfe zeigen und beenden']
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Mapping

GERMAN: Mapping[str, str] = {
    "usage: ": "Aufruf: ",
    "options": "Optionen",
    "positional arguments": "Argumente",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "argument %(argument_name)s: %(message)s": "Angabe %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ungültige Auswahl: %(value)r (möglich sind %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "ungültiger Wert %(value)r (erwartet: %(type)s)",
    "expected one argument": "erwartet einen Wert",
    "expected at most one argument": "erwartet höchstens einen Wert",
    "expected at least one argument": "erwartet mindestens einen Wert",
    "not allowed with argument %s": "nicht zusammen mit %s erlaubt",
    "one of the arguments %s is required": "eine dieser Angaben ist nötig: %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "mehrdeutige Option: %(option)s kann %(matches)s sein"
    ),
    "can't open '%(filename)s': %(error)s": "„%(filename)s“ lässt sich nicht öffnen: %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "unbekannter Befehl %(parser_name)r (möglich sind %(choices)s)"
    ),
}
"""argparse's message -> German."""


def translate(message: str) -> str:
    """Return the German form of one of argparse's messages, else the message itself."""
    return GERMAN.get(message, gettext.gettext(message))


def install() -> None:
    """Make argparse write its own words in German (idempotent)."""
    argparse._ = translate  # type: ignore[attr-defined]
