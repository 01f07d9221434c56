"""The SimPy engine: the sales floor, its pipeline of deals, reps' decisions, org-structure strategies, events applied through its public API, the org layout and the random streams."""
