"""Fill empty or fuzzy msgstr entries of the zh_Hans catalogue from JSON files {msgid: msgstr}.

Used by `./dev messages FILE.json ...` after makemessages; entries already translated are kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "gonghui/locale/zh_Hans/LC_MESSAGES/django.po"


def _unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _fill_plural(entry: str, translations: dict[str, str], missing: list[str]) -> str:
    """A plural entry, keyed in the JSON by its singular msgid: Chinese has one form, msgstr[0]."""
    pattern = r'^msgid ((?:".*"\n?)+)msgid_plural (?:".*"\n?)+msgstr\[0\] ((?:".*"\n?)+)'
    match = re.search(pattern, entry, re.M)
    if match is None:
        return entry
    msgid, msgstr = _unquote(match.group(1)), _unquote(match.group(2))
    if msgid and (not msgstr or "#, fuzzy" in entry):
        if msgid not in translations:
            missing.append(msgid)
            return entry
        start, end = match.span(2)
        entry = entry[:start] + _quote(translations[msgid]) + "\n" + entry[end:]
        entry = re.sub(r"^#, fuzzy\n", "", entry, flags=re.M).replace("#, fuzzy, ", "#, ")
        entry = re.sub(r"^#\| .*\n?", "", entry, flags=re.M)
    return entry


def main(paths: list[str]) -> int:
    translations: dict[str, str] = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    entries = PO.read_text(encoding="utf-8").split("\n\n")
    missing: list[str] = []
    out: list[str] = []
    for entry in entries:
        if re.search(r"^msgid_plural ", entry, re.M):  # not the "#| msgid_plural" of a fuzzy guess
            out.append(_fill_plural(entry, translations, missing))
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', entry, re.M)
        if not match:
            out.append(entry)
            continue
        msgid = _unquote(match.group(1))
        msgstr = _unquote(match.group(2))
        fuzzy = "#, fuzzy" in entry
        if msgid and (not msgstr or fuzzy):
            if msgid in translations:
                entry = entry.replace(
                    match.group(0), f"msgid {match.group(1)}msgstr {_quote(translations[msgid])}\n"
                )
                entry = re.sub(r"^#, fuzzy\n", "", entry, flags=re.M).replace("#, fuzzy, ", "#, ")
                entry = re.sub(r"^#\| .*\n?", "", entry, flags=re.M)
            else:
                missing.append(msgid)
        out.append(entry)
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
