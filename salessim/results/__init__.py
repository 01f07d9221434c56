"""Results of a run: ``simulate()`` and its tidy tables (deals, ledger, reps, ...) and KPIs."""

from salessim.results.simulation import simulate
from salessim.results.tables import SimResult

__all__ = ["SimResult", "simulate"]
