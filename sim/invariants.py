"""Checks of the model's invariants, for tests and for debugging a custom model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.countries import country_violations
from sim.params import MULTINATIONAL

if TYPE_CHECKING:
    from sim.model import PartnershipModel

TOLERANCE = 1e-9


def invariant_violations(model: PartnershipModel) -> list[str]:
    """Return a description of every invariant the model's state breaks (empty when sound).

    Checked: load within 0..bandwidth; skills within 0..1; no NaN or infinity in any
    state array or in the latest reporters; every active partnership has two or more
    distinct members and each organisation's count of active partnerships matches;
    platform member lists agree with the organisations' records; cumulative formed minus
    dissolved equals active; per-country consistency (`sim.countries.country_violations`).
    """
    s = model.state
    o, pl, ps = s.orgs, s.platforms, s.partnerships
    found: list[str] = []
    if np.any(o.load > o.bandwidth + TOLERANCE):
        rows = np.flatnonzero(o.load > o.bandwidth + TOLERANCE)
        found.append(f"load exceeds bandwidth for rows {rows[:5].tolist()}")
    if np.any(o.load < -TOLERANCE):
        found.append("negative load")
    if np.any((o.skill < 0.0) | (o.skill > 1.0)):
        found.append("skill outside 0..1")
    for group in s:
        for name, array in zip(group._fields, group, strict=True):
            if isinstance(array, np.ndarray) and array.dtype.kind == "f" and not np.all(
                    np.isfinite(array)):
                found.append(f"non-finite values in {type(group).__name__}.{name}")
    if not np.all(np.isfinite(model.step_metrics)):
        found.append("non-finite reporter values")

    active = np.flatnonzero(ps.active)
    counts = np.zeros(o.sector.shape[0], np.int64)
    for k in active:
        n = ps.n_members[k]
        members = ps.members[k, :n]
        if n < 2:
            found.append(f"partnership slot {k} has {n} member(s)")
        if np.unique(members).size != n or np.any(members < 0):
            found.append(f"partnership slot {k} has repeated or missing members {members}")
        counts[members] += 1
        local = o.sector[members] != MULTINATIONAL
        if np.any(o.country[members][local] != ps.country[k]):
            found.append(f"partnership slot {k} has a non-multinational from another country")
    if not np.array_equal(counts, o.n_active):
        found.append("organisations' active-partnership counts disagree with partnerships")
    if ps.free_top[0] + active.size != ps.active.shape[0]:
        found.append("free-slot stack and active slots do not add up to the pool size")

    for p in range(pl.staff.shape[0]):
        start, count = pl.member_start[p], pl.member_count[p]
        listed = pl.members[start:start + count]
        if np.unique(listed).size != count:
            found.append(f"platform {p} lists a member twice")
    memberships = int((o.member_pos >= 0).sum())
    if memberships != int(pl.member_count.sum()):
        found.append("organisations' memberships disagree with platform member lists")
    overhead = model.params.membership_overhead
    expected_load = (o.n_active * model.params.partnership_cost
                     + ((o.member_pos >= 0) & (o.via_ba == 0)).sum(axis=1) * overhead)
    if not np.allclose(o.load, expected_load, atol=1e-6):
        found.append("load differs from partnerships and memberships held")

    found.extend(country_violations(model))

    table = model.datacollector.get_model_vars_dataframe()
    if len(table):
        net = table["formed"].sum() - table["dissolved"].sum()
        if net != table["active_partnerships"].iloc[-1]:
            found.append(f"formed - dissolved = {net} but {table['active_partnerships'].iloc[-1]} "
                         "are active")
    return found
