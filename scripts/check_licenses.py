"""List the licence of every installed Python distribution and refuse incompatible ones.

lienthong is AGPL-3.0-or-later (LICENSE, DESIGN.md "Licence"): every dependency must be
under a licence that can be combined with it. This script prints the inventory made by
``pip-licenses`` and exits with code 1 when a distribution's licence is unknown or not on
the allow-list below. The allow-list is deliberately pragmatic (permissive licences, the
GNU family, MPL-2.0); anything else needs a human decision recorded in ``KNOWN``.

Usage: ``.venv/bin/python scripts/check_licenses.py`` (run by ``.ci/run``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

#: Licence names or SPDX ids accepted as compatible with AGPL-3.0-or-later.
ALLOWED = re.compile(
    r"\b(MIT|MIT-0|BSD|0BSD|Apache|PSF|Python Software Foundation|Python-2\.0|ISC|"
    r"LGPL|GPL|AGPL|GNU (Lesser |Library or Lesser |Affero )?General Public License|"
    r"MPL[- ]2\.0|Mozilla Public License 2\.0|Unlicense|HPND|Historical Permission|Zope|ZPL|"
    r"CC0|Public Domain)\b",
    re.IGNORECASE,
)

#: Distributions whose metadata does not state a licence, checked by hand.
KNOWN: dict[str, str] = {
    # The wheel states no licence; the project (github.com/sunshine-tech/VietnamProvinces)
    # is GPL-3.0, compatible with AGPL-3.0 (DESIGN.md "Licence"). Re-check on upgrades.
    "vietnam-provinces": "GPL-3.0 (DESIGN.md; the wheel states no licence)",
}

#: Our own package (listed twice when installed in editable mode).
SELF = {"lienthong"}


def _inventory() -> list[dict[str, str]]:
    pip_licenses = Path(sys.executable).with_name("pip-licenses")
    output = subprocess.run(
        [str(pip_licenses), "--from=mixed", "--format=json", "--with-urls"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows: list[dict[str, str]] = json.loads(output)
    return rows


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    """Print the licence table; return 1 when a licence is unknown or not allowed."""
    rows = sorted(_inventory(), key=lambda row: row["Name"].lower())
    refused: list[str] = []
    width = max(len(row["Name"]) for row in rows)
    sys.stdout.write(f"{'package':<{width}}  {'version':<16}  licence\n")
    for row in rows:
        name, version, licence = row["Name"], row["Version"], row["License"].strip()
        key = _normalise(name)
        if key in SELF:
            continue
        verdict = "ok"
        if key in KNOWN:
            licence = KNOWN[key]
        elif not licence or licence.upper() == "UNKNOWN" or not ALLOWED.search(licence):
            verdict = "REFUSED"
            refused.append(f"{name} {version}: {licence or 'no licence stated'}")
        sys.stdout.write(f"{name:<{width}}  {version:<16}  {licence}  [{verdict}]\n")
    if refused:
        sys.stderr.write(
            "Licences not known to be compatible with AGPL-3.0-or-later:\n  "
            + "\n  ".join(refused)
            + "\nReplace the dependency, or check it by hand and add it to KNOWN in "
            "scripts/check_licenses.py with the reason.\n"
        )
        return 1
    sys.stdout.write(f"{len(rows)} distributions, all compatible with AGPL-3.0-or-later.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
