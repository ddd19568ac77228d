"""`python -m rnnviz`: the same as the `rnnviz` command."""

import sys

from .cli import main

sys.exit(main())
