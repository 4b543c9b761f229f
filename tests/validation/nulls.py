"""Null model of the alliance network: the same degree sequence, links rewired at random.

The alliance network (`sim.metrics.partnership_network`) links organisations that were
partners in a partnership active in the last months. Its giant component could be nothing
more than what its degree sequence implies (a random graph with these degrees has one too),
so the validation suite compares it with degree-preserving rewirings of itself
(`networkx.double_edge_swap`: two links a-b, c-d become a-d, c-b, never a loop or a double
link), a few per seed, seeded by the seed.

Kept with the validation suite rather than in `sim`: only this check uses it, on the suite's
cached edge lists; the model's outputs and notebooks do not.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np

#: Largest "small" component (organisations), as in the network pattern's measure.
SMALL_MAX = 7
#: Rewirings per seed, and swaps per link in each (enough to forget the original links:
#: every link is picked about 20 times).
N_REWIRINGS = 5
SWAPS_PER_EDGE = 10


def graph_of(edges: Iterable[tuple[int, int]]) -> nx.Graph:
    """The undirected simple graph of an edge list (its nodes: every endpoint)."""
    graph = nx.Graph()
    graph.add_edges_from((int(a), int(b)) for a, b in edges)
    return graph


def component_profile(graph: nx.Graph) -> tuple[float, int]:
    """Largest component's share of the graph's nodes, and the number of the other
    components with 2..SMALL_MAX nodes."""
    sizes = np.sort([len(c) for c in nx.connected_components(graph)])[::-1]
    if sizes.size == 0:
        return float("nan"), 0
    rest = sizes[1:]
    return float(sizes[0] / sizes.sum()), int(((rest >= 2) & (rest <= SMALL_MAX)).sum())


def rewired(graph: nx.Graph, seed: int, swaps_per_edge: int = SWAPS_PER_EDGE) -> nx.Graph:
    """A degree-preserving random rewiring of `graph` (a copy; `graph` is left as it was)."""
    copy = graph.copy()
    edges = copy.number_of_edges()
    if edges >= 2:
        nswap = swaps_per_edge * edges
        nx.double_edge_swap(copy, nswap=nswap, max_tries=100 * nswap, seed=seed)
    return copy


def null_profile(graph: nx.Graph, seed: int, n: int = N_REWIRINGS) -> tuple[float, float]:
    """Mean over `n` rewirings of `graph` of its `component_profile` (largest share, small
    components); the rewirings' seeds are drawn from `seed`."""
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=n)
    profiles = np.array([component_profile(rewired(graph, int(s))) for s in seeds],
                        dtype=np.float64)
    return float(profiles[:, 0].mean()), float(profiles[:, 1].mean())
