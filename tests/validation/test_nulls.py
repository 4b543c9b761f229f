"""The degree-preserving null of the alliance network, on graphs whose answer is known."""

from __future__ import annotations

import networkx as nx

from .nulls import component_profile, graph_of, null_profile, rewired


def test_rewiring_keeps_every_degree_and_moves_the_links() -> None:
    graph = nx.gnm_random_graph(300, 450, seed=1)
    graph.remove_nodes_from([n for n, d in dict(graph.degree()).items() if d == 0])
    null = rewired(graph, seed=3)
    assert dict(null.degree()) == dict(graph.degree())
    assert nx.number_of_selfloops(null) == 0
    assert len(set(map(frozenset, null.edges())) & set(map(frozenset, graph.edges()))) < 0.1 * 450
    assert sorted(rewired(graph, seed=3).edges()) == sorted(null.edges())  # same seed, same null
    assert graph.number_of_edges() == 450  # the original is left as it was


def test_profiles_of_known_graphs() -> None:
    # Disjoint pairs: every node has degree 1, so every rewiring is disjoint pairs again.
    pairs = graph_of((2 * k, 2 * k + 1) for k in range(50))
    assert component_profile(pairs) == (0.02, 49)
    assert null_profile(pairs, seed=0) == (0.02, 49.0)
    # A star of 11 and three triangles: largest 11/20, three components of 3.
    star = graph_of([(0, k) for k in range(1, 11)]
                    + [(a + 11, b + 11) for t in range(3) for a, b in
                       ((3 * t, 3 * t + 1), (3 * t + 1, 3 * t + 2), (3 * t, 3 * t + 2))])
    assert component_profile(star) == (11 / 20, 3)
    # A component of 8 or more besides the largest is not small.
    path = graph_of([(k, k + 1) for k in range(9)] + [(20 + k, 21 + k) for k in range(7)])
    assert component_profile(path) == (10 / 18, 0)
