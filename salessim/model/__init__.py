"""Pure domain rules and their parameters, no SimPy: market, funnel, calendar, org, territory, quota, customers, staffing, behaviour."""
