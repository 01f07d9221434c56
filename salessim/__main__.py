import sys

from salessim.cli import main

sys.exit(main())
