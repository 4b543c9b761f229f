"""PartnershipModel: parameters in, state arrays and agents built; `step()` runs the schedule."""

from __future__ import annotations

from typing import Any, NamedTuple

import mesa
import numpy as np
import pandas as pd
from mesa.agentset import AgentSet

from sim.agents import ORGANISATION_CLASSES, Organisation, Partnership, Platform
from sim.countries import count_active_by_country, country_summary
from sim.engines import ENGINES
from sim.goals import load_goal_matrix
from sim.metrics import STEP_METRICS, compute_step_metrics, model_reporters, run_summary
from sim.params import END_CAUSES, N_SECTORS, Params, make_params
from sim.platforms import budget_parts, build_platforms, platform_layout
from sim.state import (
    PARTNERSHIP_KINDS,
    T_ENDED,
    Constants,
    Orgs,
    Partnerships,
    Platforms,
    World,
    build_constants,
    build_orgs,
    build_partnerships,
    build_world,
    partnership_capacity,
)
from sim.worlds import Countries, load_countries

HISTORY_COLUMNS = ("serial", "age", "end_cause", "kind", "broker", "goal", "size", "end_step",
                   "country")
# The history table also has one column per member position: member_0, member_1, ...


class ModelState(NamedTuple):
    """All arrays of one model."""

    orgs: Orgs
    platforms: Platforms
    partnerships: Partnerships
    world: World
    constants: Constants


class PartnershipModel(mesa.Model):
    """Organisations forming and breaking cross-sector partnerships under a platform design.

    Built from keyword parameters only (see `sim.params.Params` for every one, its default
    and range) plus Mesa's `rng` (a seed or a numpy Generator; the model's one source of
    randomness). Bad values raise `ValueError`/`TypeError` naming the key and what is allowed.
    """

    def __init__(self, *, rng: Any = None, **params: Any) -> None:
        self.params: Params = make_params(**params)
        goal_matrix = load_goal_matrix(self.params.goal_matrix_path)
        self.countries: Countries = load_countries(self.params)
        super().__init__(rng=rng)
        p = self.params
        _, n_slots = platform_layout(p, self.countries)
        #: Monthly (national staff, goal leads' staff, running cost), `platforms.budget_parts`.
        self.budget_parts: tuple[float, float, float] = budget_parts(p, self.countries)
        orgs, country_start, sector_start = build_orgs(p, self.countries, self.rng, n_slots)
        self.n_total = int(orgs.sector.shape[0])
        self.state = ModelState(
            orgs=orgs,
            platforms=build_platforms(p, self.countries),
            partnerships=build_partnerships(partnership_capacity(orgs, p.partnership_cost),
                                            p.max_members),
            world=build_world(p, self.countries, self.rng, country_start, sector_start,
                              goal_matrix),
            constants=build_constants(p, n_slots),
        )
        self.engine = ENGINES[p.engine]()
        self._org_agents: list[Organisation] | None = None  # Mesa agents: built on first use
        self._history_chunks: list[np.ndarray] = []
        self._country_activity: list[np.ndarray] = []  # per step: [n_countries, 2]
        self.step_metrics = np.zeros(len(STEP_METRICS))
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())

    def _create_agents(self) -> list[Organisation]:
        """Create one Mesa agent per organisation row (by sector) and per platform, once.

        Called on first use (the Mesa engine, the explorer, `agents`, an agent lookup): the
        numba engine and batch evaluations never build them. Agents draw no random numbers,
        so when they are built does not change a run."""
        if self._org_agents is not None:
            return self._org_agents
        o = self.state.orgs
        org_agents: list[Organisation] = [None] * self.n_total  # type: ignore[list-item]
        for sector in range(N_SECTORS):
            rows = np.flatnonzero(o.sector == sector)
            if rows.size:
                created = ORGANISATION_CLASSES[sector].create_agents(self, rows.size, rows)
                for row, agent in zip(rows, created, strict=True):
                    org_agents[row] = agent
        n_platforms = self.state.platforms.staff.shape[0]
        self._platform_agents: list[Platform] = (
            list(Platform.create_agents(self, n_platforms, np.arange(n_platforms)))
            if n_platforms else [])
        self._org_agents = org_agents
        return org_agents

    @property
    def agents(self) -> AgentSet:
        """Mesa's set of every agent (organisations, then platforms), built on first use."""
        self._create_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, AgentSet]:
        self._create_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._create_agents()
        return super().agent_types

    @property
    def platform_agents(self) -> list[Platform]:
        """Platform agents, in row order."""
        self._create_agents()
        return self._platform_agents

    # --- the schedule ---
    def step(self) -> None:
        """One month: the engine runs processes 1-8, then the step is recorded (process 9)."""
        self.engine.step(self)
        self._record_step()

    def _record_step(self) -> None:
        s = self.state
        self._keep_ended_partnerships()
        compute_step_metrics(s.orgs, s.platforms, s.partnerships, s.world, self.step_metrics)
        active = np.empty((len(self.countries), 2), np.int64)
        count_active_by_country(s.orgs.sector, s.orgs.country, s.orgs.n_active, active)
        self._country_activity.append(active)
        self.datacollector.collect(self)

    def _keep_ended_partnerships(self) -> None:
        ps = self.state.partnerships
        n = int(self.state.world.tally[T_ENDED])
        if n:
            self._history_chunks.append(np.stack([
                ps.ended_serial[:n], ps.ended_age[:n], ps.ended_cause[:n], ps.ended_kind[:n],
                ps.ended_broker[:n], ps.ended_goal[:n], ps.ended_size[:n],
                np.full(n, self.steps, np.int64), ps.ended_country[:n],
                *ps.ended_members[:n].T], axis=1))

    # --- views ---
    @property
    def organisations(self) -> AgentSet:
        """Every organisation agent, in row order."""
        return AgentSet(self._create_agents(), random=self.random)

    def organisation(self, row: int) -> Organisation:
        return self._create_agents()[row]

    def organisations_in(self, order: np.ndarray) -> AgentSet:
        """Organisation agents in the given row order."""
        agents = self._create_agents()
        return AgentSet([agents[i] for i in order], random=self.random)

    def platforms_in(self, order: np.ndarray) -> AgentSet:
        return AgentSet([self.platform_agents[i] for i in order], random=self.random)

    @property
    def partnerships(self) -> list[Partnership]:
        """Active partnerships, in pool-slot order."""
        active = np.flatnonzero(self.state.partnerships.active)
        return [Partnership(self, int(k)) for k in active]

    def partnership_history(self) -> pd.DataFrame:
        """One row per ended partnership: serial, age (months), end cause, kind, broker
        (platform row, -1 solo, -2 event), focal goal (1..17), size, the step it ended and
        its home country (row index into `countries`) and its members' rows (`member_0`...;
        -1 where the position was empty)."""
        columns = [*HISTORY_COLUMNS,
                   *(f"member_{a}" for a in range(self.params.max_members))]
        if not self._history_chunks:
            return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns}
                                ).astype({"end_cause": "object", "kind": "object"})
        table = np.concatenate(self._history_chunks)
        frame = pd.DataFrame(table, columns=columns)
        frame["end_cause"] = np.asarray(END_CAUSES, dtype=object)[frame["end_cause"]]
        frame["kind"] = np.asarray(PARTNERSHIP_KINDS, dtype=object)[frame["kind"]]
        frame["goal"] += 1
        return frame

    def country_activity(self, months: int | None = None) -> np.ndarray:
        """Organisations and SMEs in an active partnership, per step and country, over the
        last `months` steps (all when None): int64 [steps, n_countries, 2]."""
        chunks = self._country_activity[-months:] if months else self._country_activity
        if not chunks:
            return np.zeros((0, len(self.countries), 2), np.int64)
        return np.stack(chunks)

    def country_summary(self) -> pd.DataFrame:
        """One row per country: size, staff serving it, participation, partnerships,
        failures and outcomes (see `sim.countries.country_summary`)."""
        return country_summary(self)

    def end_cause_of(self, serial: int) -> str | None:
        """End cause of partnership `serial`, or None if it has not ended."""
        for chunk in self._history_chunks:
            hit = np.flatnonzero(chunk[:, 0] == serial)
            if hit.size:
                return END_CAUSES[int(chunk[hit[0], 2])]
        return None

    def run(self, steps: int) -> dict[str, Any]:
        """Run `steps` months and return the run summary."""
        for _ in range(steps):
            self.step()
        return self.summary()

    def summary(self) -> dict[str, Any]:
        """One-row summary of the run so far (see `sim.metrics.run_summary`)."""
        return run_summary(self)
