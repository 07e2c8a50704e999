"""`python -m matching INPUT.json [-o OUTPUT.json]`: see `matching.cli`."""

from .cli import main

raise SystemExit(main())
