"""salessim: simulate a sales organisation and compare designs before rolling them out."""

from salessim.errors import SalessimError, ScenarioError
from salessim.experiments import compare, sweep
from salessim.results import SimResult
from salessim.scenario import Scenario, load_scenario
from salessim.simulation import simulate

__version__ = "0.1.0"
__all__ = ["SalessimError", "Scenario", "ScenarioError", "SimResult", "compare", "load_scenario", "simulate", "sweep", "__version__"]
