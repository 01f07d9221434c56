"""The plan optimiser: search a plan template's free parameters for the plan that best meets a
CFO's objective under a VP's constraints, against simulated reps who respond to each candidate
(Optuna TPE + successive-halving race, common random numbers, resumable in a results store)."""

from salessim.experiments.optimise.goals import Constraint, Objective
from salessim.experiments.optimise.report import OptimisationResult
from salessim.experiments.optimise.search import Racing, optimise
from salessim.experiments.optimise.space import Parameter, SearchError, SearchSpace, load_search

__all__ = ["Constraint", "Objective", "OptimisationResult", "Parameter", "Racing", "SearchError", "SearchSpace",
           "load_search", "optimise"]
