"""``python -m lienthong`` is the same as the ``lienthong`` console script."""

import sys

from lienthong.cli import main

sys.exit(main())
