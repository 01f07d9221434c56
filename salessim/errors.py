"""User-facing errors: one line naming the file, the field and the reason."""


class SalessimError(ValueError):
    """A mistake in the user's input (scenario, plan, CRM export...).

    The CLI prints ``str(error)`` on one line and exits non-zero, without a traceback.
    """


class ScenarioError(SalessimError):
    """A scenario that cannot be loaded: names the source, the field path and the reason."""
