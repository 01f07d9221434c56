"""CLI sub-commands (see :mod:`salessim.ui.cli`)."""
