"""The ``lienthong`` console script: Django's management commands with lienthong's settings.

``lienthong migrate``, ``lienthong load_units --json``, ``lienthong worker``… A user error
ends with a one-line reason and exit code 1, never a traceback (DESIGN.md "Contracts").
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run a management command; return the process exit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.config.settings")
    args = list(sys.argv if argv is None else ["lienthong", *argv])
    args[0] = "lienthong"
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        print(f"lienthong: configuration error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lienthong: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
