"""``python -m neurokit`` is the ``neurokit`` command."""
import sys

from neurokit.cli import main

sys.exit(main())
