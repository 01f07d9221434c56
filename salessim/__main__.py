import sys

from salessim.ui.cli import main

sys.exit(main())
