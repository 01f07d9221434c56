"""The market: accounts (segment, region, location, potential) and the leads they generate.

Pure numpy: the engine calls these with its own random generators.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from salessim.inputs import Frozen, PositiveFloat, Share, limited
from salessim.model.funnel import Funnel


class DealSize(Frozen):
    """Deal amount (currency): lognormal with the given median and log-sd."""

    median: Annotated[PositiveFloat, limited("money")]
    sigma: Annotated[float, Field(ge=0.0, le=3.0)] = 0.8


class Segment(Frozen):
    """An account class (A/B/C). Multipliers act on the overall win probability and stage durations."""

    name: str = Field(min_length=1)
    share_of_accounts: Share
    potential_weight: PositiveFloat = Field(description="relative lead flow per account")
    deal_size: DealSize
    win_multiplier: PositiveFloat = 1.0
    duration_multiplier: PositiveFloat = 1.0
    hours_multiplier: PositiveFloat = 1.0


class Product(Frozen):
    """A product line: its share of leads and its effect on deal size and win probability."""

    name: str = Field(min_length=1)
    share: Share
    size_multiplier: PositiveFloat = 1.0
    win_multiplier: PositiveFloat = 1.0


def _check_shares(items: list, attr: str, where: str) -> None:
    names = [i.name for i in items]
    if len(set(names)) != len(names):
        raise ValueError(f"{where} names must be unique, got {names}")
    total = sum(getattr(i, attr) for i in items)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{where} {attr} must sum to 1, got {total:.4g}")


class Market(Frozen):
    """Accounts and the leads they generate (inbound and marketing leads; Poisson arrivals)."""

    accounts: Annotated[int, Field(ge=1), limited("accounts")]
    regions: list[str] = Field(min_length=1)
    segments: list[Segment] = Field(min_length=1)
    products: list[Product] = Field(min_length=1)
    leads_per_year: Annotated[PositiveFloat, limited("leads_per_year")]
    seasonality: list[PositiveFloat] = Field(
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        description="relative lead rate for Jan..Dec; normalised to mean 1",
    )

    @model_validator(mode="after")
    def _check(self) -> Market:
        _check_shares(self.segments, "share_of_accounts", "market.segments")
        _check_shares(self.products, "share", "market.products")
        if len(set(self.regions)) != len(self.regions):
            raise ValueError(f"market.regions must be unique, got {self.regions}")
        return self

    @property
    def monthly_factors(self) -> list[float]:
        mean = sum(self.seasonality) / 12.0
        return [s / mean for s in self.seasonality]



def make_accounts(market: Market, rng: np.random.Generator) -> pd.DataFrame:
    """One row per account: segment, region, coordinates (km) and lead weight.

    Segments follow ``share_of_accounts`` exactly (largest remainder); regions are spread evenly.
    ``lead_weight`` is the account's share of inbound leads (sums to 1); ``potential`` is its
    expected share of the market's value, relative to the mean account (mean 1).
    """
    m = market
    n = m.accounts
    shares = np.array([s.share_of_accounts for s in m.segments])
    counts = np.floor(shares * n).astype(int)
    counts[np.argsort(-(shares * n - counts))[: n - counts.sum()]] += 1
    segment = rng.permutation(np.repeat(np.arange(len(m.segments)), counts))
    region = np.arange(n) % len(m.regions)
    # Regions sit on a circle of 1,000 km radius; accounts scatter around their region's centre.
    angle = 2 * np.pi * region / len(m.regions)
    x = 1000 * np.cos(angle) + rng.normal(0, 250, n)
    y = 1000 * np.sin(angle) + rng.normal(0, 250, n)
    weight = np.array([s.potential_weight for s in m.segments])[segment]
    # Accounts within a segment differ too (lognormal, sd 0.5 on the log scale).
    weight = weight * rng.lognormal(-0.125, 0.5, n)
    lead_weight = weight / weight.sum()
    mean_size = np.array([s.deal_size.median * np.exp(s.deal_size.sigma**2 / 2) for s in m.segments])
    value = lead_weight * mean_size[segment]
    return pd.DataFrame(
        {
            "account": np.arange(n),
            "segment": pd.Categorical.from_codes(segment, [s.name for s in m.segments]),
            "region": pd.Categorical.from_codes(region, m.regions),
            "x_km": x,
            "y_km": y,
            "lead_weight": lead_weight,
            "potential": value / value.mean(),
        }
    )


def daily_lead_rate(market: Market, calendar_month: np.ndarray) -> np.ndarray:
    """Expected inbound leads per day in each simulated month (seasonality applied)."""
    factors = np.array(market.monthly_factors)
    return market.leads_per_year / 365.25 * factors[calendar_month - 1]


def expected_bookings(market: Market, funnel: Funnel, self_sourced_leads_per_year: float = 0.0) -> float:
    """Bookings per year (currency) the funnel yields if every rep had unlimited time.

    Sum over segments and products of leads x win probability x mean deal size, with segment
    lead shares from ``share_of_accounts x potential_weight``. An upper bound for the simulated
    bookings, which lose deals to limited capacity.
    """
    m, f = market, funnel
    n = len(f.stages)
    conv = float(np.prod([st.conversion for st in f.stages]))
    seg_share = np.array([s.share_of_accounts * s.potential_weight for s in m.segments])
    seg_share = seg_share / seg_share.sum()
    total = 0.0
    for s, share in zip(m.segments, seg_share, strict=True):
        size = s.deal_size.median * np.exp(s.deal_size.sigma**2 / 2)
        for p in m.products:
            per_stage = np.minimum([st.conversion * (s.win_multiplier * p.win_multiplier) ** (1 / n) for st in f.stages], 1.0)
            win = float(np.prod(per_stage)) if conv > 0 else 0.0
            total += share * p.share * win * size * p.size_multiplier
    return total * (m.leads_per_year + self_sourced_leads_per_year)
