"""Forward-looking effort over the plan year: the value of the rest of the year, by backward induction.

A rep at the start of work step ``t`` of the fiscal year knows ``p``, the credit so far in the
current *pacing period* (the period of the plan's threshold or tiered components: a month or a
quarter), ``y0``, the credit of the fiscal year before that period, and their *pace* ``rho``: the
credit they expect in a year at normal effort. Credit is measured in annual quotas (``1.0`` = the
rep's annual quota), money in the scenario currency.

Each step the rep chooses effort ``e`` on the behaviour grid. The step's credit is
``rho * e**elasticity * days / 365`` times a mean-one lognormal shock whose spread is that of a
compound Poisson sum of deals (``sd_log**2 = log(1 + (1 + cv**2) / deals)``, ``deals`` the expected
number of deals in the step). Pay arrives three ways: a *flow* (linear commissions: currency per
annual quota of credit), a *period reward* ``g(p)`` at each pacing-period end (period-basis bonuses
and tiers), and a *year-end reward* ``f(y)`` (year-to-date true-up components, annual components,
the ratchet's cost to next year's quota). The cost of effort per step is
``variable * days / 365 * (e - intrinsic)**2 / (2 * (1 - intrinsic))``: a linear plan paying the
market's variable pay at quota then gives effort 1 (:func:`salessim.model.behaviour.choose_effort`
has the same scaling).

Bellman equation (``W`` is the value just after a step's credit ``c`` arrived)::

    V_T(p, y0) = f(y0 + p)
    V_t(p, y0) = max_e  flow * m_e - cost(e) * days_t + delta_t * E_z[ W_{t+1}(p + m_e z, y0) ]
    W_{t+1}(p', y0) = g(p') + V_{t+1}(0, y0 + p')   if step t ends a pacing period
                    = V_{t+1}(p', y0)               otherwise

``delta_t = exp(-impatience * days_t / 365.25)``: pay due at a period end weighs less the further
away it is (present bias), so effort for a lump sum concentrates before its deadline, while a
commission paid on the month's credit keeps its pull all year.

Because ``y0`` is constant inside a pacing period, the expectation only interpolates along ``p``
(and, at a period end, along ``y0``): one-dimensional linear interpolation on uniform grids.
The table ``V[t, rho, p, y0]`` is precomputed once per plan and org (:func:`solve`) and reps read
their next-step values from it every step (:func:`best_effort`). What must emerge from this, and is
not coded anywhere: racing for a reachable threshold near a period end, giving up when it is out of
reach, coasting after a cap or a secured bonus, pacing by period bonuses, holding back under a
ratchet, and the end-of-period hockey stick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Gauss-Hermite nodes/weights for a standard normal (9 points).
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(9)
_GH_W = _GH_W / _GH_W.sum()


@dataclass(frozen=True)
class PlanYear:
    """The plan year as a rep values it (money in currency, credit in annual quotas)."""

    step_days: np.ndarray  #: (T,) length of each work step of the fiscal year, days
    period_end: np.ndarray  #: (T,) True where the step ends a pacing period
    p_grid: np.ndarray  #: credit so far in the pacing period (uniform, from 0)
    y_grid: np.ndarray  #: credit of the year before the pacing period (uniform, from 0)
    flow: float  #: pay per annual quota of credit from linear components (currency)
    #: g(p) on ``p_grid`` (currency), paid at each pacing-period end; or ``g[k, p, y0]`` (one table
    #: per pacing period ``k`` of the year) when a year cap makes a period's pay depend on the year so far
    period_reward: np.ndarray
    year_reward: np.ndarray  #: f(y) on ``y_grid`` (currency), paid at the fiscal year end

    @property
    def period_index(self) -> np.ndarray:
        """(T,) the pacing period (0-based) each step belongs to."""
        return np.cumsum(self.period_end) - self.period_end

    def reward_at(self, t: int) -> np.ndarray:
        """The period reward paid at the end of step ``t``'s pacing period: ``(P,)`` or ``(P, Y)``."""
        g = self.period_reward
        return g if g.ndim == 1 else g[min(int(self.period_index[t]), len(g) - 1)]


@dataclass(frozen=True)
class Preferences:
    """What effort costs and how it turns into credit."""

    effort_grid: np.ndarray  #: effort levels a rep compares (multiplier of normal pace)
    intrinsic: float  #: effort on salary alone
    variable: float  #: the market's variable pay per year (currency): scales the cost of effort
    elasticity: float = 1.0  #: credit ~ effort ** elasticity, as reps perceive it
    deals_per_quota: float = 40.0  #: deals in an annual quota of credit (quota / mean deal size)
    size_cv: float = 0.9  #: coefficient of variation of deal sizes
    impatience: float = 0.0  #: annual rate at which pay later weighs less than pay now

    def discount(self, days: float) -> float:
        """Weight of pay ``days`` from now relative to pay today."""
        return float(np.exp(-self.impatience * days / 365.25))

    def cost(self, days: float) -> np.ndarray:
        """Cost (currency) of each effort level over ``days``."""
        span = max(1.0 - self.intrinsic, 1e-6)
        return self.variable * days / 365.25 * (self.effort_grid - self.intrinsic) ** 2 / (2 * span)


@dataclass(frozen=True)
class ValueTable:
    """``V[t, rho, p, y0]``: value (currency) of the rest of the plan year at the start of step ``t``."""

    year: PlanYear
    prefs: Preferences
    rho_grid: np.ndarray
    V: np.ndarray  #: (T + 1, n_rho, n_p, n_y)


def _shocks(mean: np.ndarray, deals_per_quota: float, size_cv: float) -> np.ndarray:
    """Mean-one lognormal multipliers at the Gauss-Hermite nodes for credit of expected ``mean``
    (annual quotas): shape ``mean.shape + (9,)``."""
    deals = np.maximum(mean * deals_per_quota, 1e-3)
    s2 = np.log1p((1.0 + size_cv**2) / deals)
    s = np.sqrt(s2)
    z = s[..., None] * _GH_X
    z -= s2[..., None] / 2
    return np.exp(z, out=z)


def solve(year: PlanYear, prefs: Preferences, rho_grid: np.ndarray) -> ValueTable:
    """Backward induction over the plan year for every pace in ``rho_grid``.

    The expectation over a step's credit is a banded transition matrix on the ``p`` grid per pace
    and effort level (linear interpolation of the shifted grid, mass beyond the grid kept at its
    top), so each step is one batched matrix product.
    """
    T, Y, R = len(year.step_days), len(year.y_grid), len(rho_grid)
    P = len(year.p_grid)
    V = np.empty((T + 1, R, P, Y))
    # year end: the year's credit is y0 + p
    tot = year.y_grid[None, :] + year.p_grid[:, None]  # (P, Y)
    V[T] = np.interp(tot, year.y_grid, year.year_reward)[None]
    # V_{t+1}(0, y0 + p') for p' on the p grid, used at period ends
    e_pow = prefs.effort_grid ** prefs.elasticity
    rho = np.asarray(rho_grid, float)
    transitions: dict[float, np.ndarray] = {}  # steps of equal length share their matrices
    for t in range(T - 1, -1, -1):
        days = float(year.step_days[t])
        mean = rho[:, None] * e_pow[None, :] * days / 365.25  # (R, L)
        if days not in transitions:
            transitions[days] = _transition(year.p_grid, mean, prefs)  # (R, L, P, P)
        M = transitions[days]
        if year.period_end[t]:
            nxt = np.stack([np.interp(tot, year.y_grid, V[t + 1, r, 0]) for r in range(R)])  # (R, P, Y)
            g = year.reward_at(t)
            paid = M @ g  # (R, L, P) or, on the year so far too, (R, L, P, Y)
            EW = M @ nxt[:, None] + (paid[..., None] if g.ndim == 1 else paid)  # (R, L, P, Y)
        else:
            EW = M @ V[t + 1][:, None]
        gain = year.flow * mean - prefs.cost(days)[None, :]  # (R, L)
        V[t] = (prefs.discount(days) * EW + gain[:, :, None, None]).max(axis=1)
    return ValueTable(year, prefs, rho, V)


def _transition(p_grid: np.ndarray, mean: np.ndarray, prefs: Preferences) -> np.ndarray:
    """``M[r, l, p, q]``: weight of grid point ``q`` in ``E_z[h(p_grid[p] + mean[r, l] z)]``."""
    R, L = mean.shape
    P = len(p_grid)
    shift = mean[..., None] * _shocks(mean, prefs.deals_per_quota, prefs.size_cv) / (p_grid[1] - p_grid[0])
    pos = np.minimum(np.arange(P)[None, None, None, :] + shift[..., None], P - 1.0)  # (R, L, K, P)
    j = np.minimum(pos.astype(np.int64), P - 2)
    f = pos - j
    w = np.broadcast_to(_GH_W[None, None, :, None], pos.shape)
    row = (np.arange(R * L)[:, None, None] * P + np.arange(P)[None, None, :]).reshape(R, L, 1, P) * P
    flat = np.bincount((row + j).ravel(), (w * (1 - f)).ravel(), R * L * P * P)
    flat += np.bincount((row + j + 1).ravel(), (w * f).ravel(), R * L * P * P)
    return flat.reshape(R, L, P, P)


def _split(grid: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation on a uniform ``grid``: the cell below ``x`` and the weight of the one above."""
    step = grid[1] - grid[0]
    if grid[0] == 0:  # (the grids start at 0: x - 0.0 is x)
        pos = np.divide(x, step)
    else:
        pos = np.subtract(x, grid[0])
        pos /= step
    np.clip(pos, 0.0, len(grid) - 1.0, out=pos)
    i = pos.astype(np.int64)
    np.minimum(i, len(grid) - 2, out=i)
    return i, np.subtract(pos, i, out=pos)


def _interp_rows(base: np.ndarray, rise: np.ndarray, cell: np.ndarray, w: np.ndarray, offset: int = 0) -> np.ndarray:
    """Linear interpolation along the rows of a C-contiguous ``base``: between the flat index
    ``cell + offset`` and the next point, weight ``w`` on the next (cells and weights from
    :func:`_split`). ``rise``: ``np.diff`` of the flattened ``base`` (the step to the next point,
    the same number as reading both points and subtracting; offsets are read from views)."""
    out = rise[offset:].take(cell)
    out *= w
    out += base.reshape(-1)[offset:].take(cell)
    return out


def best_effort(table: ValueTable, t: int, rho: np.ndarray, p: np.ndarray, y0: np.ndarray,
                days: float) -> np.ndarray:
    """Each rep's effort for step ``t`` of the plan year (``days`` long): the grid level that
    maximises flow pay minus cost plus the expected value of where the step leaves them.
    ``rho``, ``p``, ``y0`` per rep (annual quotas); paces between grid rows interpolate the table."""
    yr, pr = table.year, table.prefs
    lo, w = _pace(table, rho)
    mean = rho[:, None] * (pr.effort_grid ** pr.elasticity)[None, :] * days / 365.25  # (n, L)
    nxt = _shocks(mean, pr.deals_per_quota, pr.size_cv)  # (n, L, K): credit, then where it leaves p
    nxt *= mean[..., None]
    nxt += p[:, None, None]
    t1 = min(t + 1, len(yr.step_days))
    period_end = t < len(yr.step_days) and yr.period_end[t]
    if period_end:  # the same for both pace rows: the period reward and where y0 + credit falls
        g = yr.reward_at(t)
        if not g.any():  # none: pays 0 anywhere
            g = None
        elif g.ndim == 1:
            g = np.interp(nxt, yr.p_grid, g)
        else:  # on the year so far too
            ip, wp = _split(yr.p_grid, nxt)
            iy, wy = _split(yr.y_grid, y0)
            g = _bilinear(g, (), ip, wp, iy[:, None, None], wy[:, None, None])[0]
        nxt += y0[:, None, None]  # now y0 + credit (nxt is not read again)
        cell, wy = _split(yr.y_grid, nxt)
        start = np.ascontiguousarray(table.V[t1, :, 0, :])  # (rho, Y): V_{t+1}(0, y0')
        rise = np.diff(start.reshape(-1))  # (small: rho x Y) steps between neighbouring points
        n_y = start.shape[1]
        cell += lo.reshape(-1, 1, 1) * n_y  # flat index of each point's cell on the lower pace row
    else:  # where the step leaves p, and y0, on their grids: the same for both pace rows
        Vt = table.V[t1]
        ip, wp = _split(yr.p_grid, nxt)
        iy, wy = _split(yr.y_grid, y0)
        r = lo.reshape(-1, 1, 1)
        iy, wy = iy.reshape(r.shape), wy.reshape(r.shape)
        # the pace rows below and above (the one above: one row of ``Vt`` further on)
        pace_rows = _bilinear(Vt, (r,), ip, wp, iy, wy, offsets=(0, Vt[0].size))
    out = None
    for k, weight in enumerate((1 - w, w)):
        if period_end:
            W = _interp_rows(start, rise, cell, wy, k * n_y)
            if g is not None:  # (adding a zero reward would only turn -0.0 into 0.0: same choice)
                W += g
        else:
            W = pace_rows[k]
        W *= weight[:, None, None]
        out = W if out is None else np.add(out, W, out=out)  # (no 0.0 + first row: same choice)
    value = pr.discount(days) * (out @ _GH_W) + yr.flow * mean - pr.cost(days)[None, :]
    return pr.effort_grid[np.argmax(value, axis=1)]


def _pace(table: ValueTable, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table's pace row below each ``rho`` (annual quotas) and the weight of the row above."""
    R = len(table.rho_grid)
    pos = np.interp(rho, table.rho_grid, np.arange(R))  # (in 0 .. R - 1: interp holds the end values outside)
    lo = np.minimum(pos.astype(np.int64), R - 2)
    return lo, pos - lo


def _bilinear(V: np.ndarray, rows: tuple[np.ndarray | int, ...], ip: np.ndarray, wp: np.ndarray,
              iy: np.ndarray, wy: np.ndarray, offsets: tuple[int, ...] = (0,)) -> list[np.ndarray]:
    """``V[*rows, p, y0]`` by bilinear interpolation in the last two axes, from the cells and
    weights of :func:`_split` (``rows`` index the leading axes; all index arrays broadcast;
    ``V`` C-contiguous). The four corners are read with ``take`` at the flat index of the cell
    plus an offset (the next row of a leading axis without a new index), from views of ``V``:
    one result per entry of ``offsets``, the cells and weights computed once for all."""
    n_p, n_y = V.shape[-2:]
    cell = 0
    for size, row in zip(V.shape, rows, strict=False):  # flat index of the leading axes
        cell = cell * size + row
    cell = (cell * n_p + ip) * n_y + iy
    wp_lo, wy_lo = 1 - wp, 1 - wy  # weights of the lower p and y0 corners
    out = []
    for offset in offsets:
        flat = V.reshape(-1)[offset:]
        v00, v01 = flat.take(cell), flat[1:].take(cell)
        v10, v11 = flat[n_y:].take(cell), flat[n_y + 1 :].take(cell)
        out.append(wp_lo * (wy_lo * v00 + wy * v01) + wp * (wy_lo * v10 + wy * v11))
    return out


def value(table: ValueTable, t: int | np.ndarray, rho: np.ndarray, p: np.ndarray, y0: np.ndarray) -> np.ndarray:
    """``V_t(p, y0)`` per rep (currency), interpolated in pace, period-to-date and year-to-date credit.
    ``p`` and ``y0`` (annual quotas) may stack several points per rep on leading axes (reps last;
    they broadcast against each other), and ``t`` may then be an array of steps broadcasting
    against them."""
    lo, w = _pace(table, rho)
    t = np.clip(t, 0, len(table.V) - 1)
    yr = table.year
    ip, wp = _split(yr.p_grid, p)
    iy, wy = _split(yr.y_grid, y0)
    a, b = _bilinear(table.V, (t, lo), ip, wp, iy, wy, offsets=(0, table.V[0, 0].size))  # b: the pace row above
    return (1 - w) * a + w * b


def credit_value(table: ValueTable, t: int | np.ndarray, rho: np.ndarray, p: np.ndarray, y0: np.ndarray,
                 amount: np.ndarray) -> np.ndarray:
    """What crediting ``amount`` (annual quotas) at the start of step ``t`` adds to the rep's value:
    the change in ``V_t`` plus the flow pay on it (currency). Several states per rep may be
    stacked on leading axes of ``p``, ``y0`` and ``t`` (see :func:`value`)."""
    yr = table.year
    # with and without the credit stacked on a leading axis; the coordinate they share is
    # located on its grid once (broadcast: the same numbers as stacking it twice)
    if yr.period_end.all():  # no pacing period: credit goes straight into the year's total
        with_without = value(table, t, rho, p, np.stack([y0 + amount, y0]))
    else:
        with_without = value(table, t, rho, np.stack([p + amount, p]), y0)
    return (with_without[0] - with_without[1]) + yr.flow * amount
