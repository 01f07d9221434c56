"""User-facing errors: one line naming the file, the field and the reason; and the package version."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salessim")  # one source of truth: pyproject.toml
except PackageNotFoundError:  # a checkout on the path that was never installed
    __version__ = "0+unknown"


class SalessimError(ValueError):
    """A mistake in the user's input (scenario, plan, CRM export...).

    The CLI prints ``str(error)`` on one line and exits non-zero, without a traceback.
    """


class ScenarioError(SalessimError):
    """A scenario that cannot be loaded: names the source, the field path and the reason."""
