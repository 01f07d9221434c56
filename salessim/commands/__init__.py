"""CLI sub-commands (see :mod:`salessim.cli`)."""
