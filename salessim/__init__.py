"""salessim: simulate a sales organisation and compare designs before rolling them out."""

from salessim.errors import SalessimError, ScenarioError, __version__
from salessim.experiments import compare, sweep
from salessim.results import SimResult, simulate
from salessim.scenario import Scenario, load_scenario

__all__ = ["SalessimError", "Scenario", "ScenarioError", "SimResult", "compare", "load_scenario", "simulate", "sweep", "__version__"]
