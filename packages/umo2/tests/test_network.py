import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umo2 import RunConfig, differential_backlog, load_topology, parse_topology, queue_step, train


def _diamond(**overrides):
    d = json.loads(load_topology.__globals__["TOPOLOGY_DIR"].joinpath("diamond.json").read_text())
    d.update(overrides)
    return d


def test_bundled_topologies_load():
    for name in ("diamond", "line3"):
        topo = load_topology(name)
        assert topo.n_commodities == 1 and topo.n_modes == 2
        assert topo.usable.all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), name=st.sampled_from(["diamond", "line3"]))
def test_queue_dynamics_conserve_packets_under_random_actions(seed, name):
    topo = load_topology(name)
    rng = np.random.default_rng(seed)
    B = 6
    Q = rng.exponential(2.0, (B, topo.n_nodes, topo.n_commodities))
    Q[:, topo.sink, 0] = 0.0
    for _ in range(30):
        rate = rng.uniform(0, 3, (B, topo.n_links)) * (rng.random((B, topo.n_links)) < 0.8)
        admit = rng.uniform(0, 1.5, (B, topo.n_commodities))
        k = rng.integers(0, topo.n_commodities, (B, topo.n_links))
        new, step = queue_step(topo, Q, rate, k, admit)
        # arrivals - departures from the network = change of the total backlog
        np.testing.assert_allclose(
            new.sum(axis=(1, 2)) - Q.sum(axis=(1, 2)), admit.sum(1) - step.delivered.sum(1), atol=1e-9
        )
        assert (new >= 0).all()
        assert (step.sent <= rate + 1e-12).all()  # a link never moves more than its capacity
        # departures limited by the backlog present at the start of the slot
        out = np.zeros_like(Q)
        np.add.at(out, (slice(None), topo.link_src, 0), step.sent)
        assert (out <= Q + 1e-9).all()
        Q = new


def test_queue_step_hand_case_line():
    topo = load_topology("line3")  # s -> a -> b -> d
    Q = np.array([[[2.0], [0.5], [1.0], [0.0]]])
    new, step = queue_step(
        topo, Q, np.array([[1.0, 1.0, 0.4]]), np.zeros((1, 3), dtype=int), np.array([[0.7]])
    )
    # s sends 1 (has 2), a sends 0.5 (only has 0.5), b sends 0.4 to the sink (delivered)
    np.testing.assert_allclose(step.sent, [[1.0, 0.5, 0.4]])
    np.testing.assert_allclose(new[0, :, 0], [2.0 - 1.0 + 0.7, 0.5 - 0.5 + 1.0, 1.0 - 0.4 + 0.5, 0.0])
    np.testing.assert_allclose(step.delivered, [[0.4]])


def test_shared_queue_split_in_proportion_to_rates():
    topo = load_topology("diamond")  # s->a, s->b, a->d, b->d
    Q = np.zeros((1, 4, 1))
    Q[0, 0, 0] = 1.0
    _, step = queue_step(
        topo, Q, np.array([[1.0, 3.0, 0.0, 0.0]]), np.zeros((1, 4), dtype=int), np.zeros((1, 1))
    )
    np.testing.assert_allclose(step.sent[0, :2], [0.25, 0.75])


def test_differential_backlog_sign_and_single_hop():
    topo = load_topology("line3")
    Q = np.array([[[5.0], [7.0], [1.0], [0.0]]])
    W, _ = differential_backlog(topo, Q)
    np.testing.assert_allclose(W, [[0.0, 6.0, 1.0]])  # s->a: Q_s < Q_a, so no transmission
    W1, _ = differential_backlog(topo, Q, single_hop=True)
    np.testing.assert_allclose(W1, [[5.0, 7.0, 1.0]])


def test_bad_topologies_name_the_element(tmp_path):
    with pytest.raises(ValueError, match="unknown node 'x'"):
        parse_topology(_diamond(links=[{"from": "s", "to": "x", "capacities": [1.0, 0.2]}]))
    with pytest.raises(ValueError, match=r"link 1 \(s->b\) has capacity -0.5"):
        links = _diamond()["links"]
        links[1]["capacities"] = [1.0, -0.5]
        parse_topology(_diamond(links=links))
    with pytest.raises(ValueError, match="cycle a->b->a"):
        links = [
            {"from": "s", "to": "a", "capacities": [1.0]},
            {"from": "a", "to": "b", "capacities": [1.0]},
            {"from": "b", "to": "a", "capacities": [1.0]},
            {"from": "b", "to": "d", "capacities": [1.0]},
        ]
        parse_topology(_diamond(links=links))
    with pytest.raises(ValueError, match="unreachable"):
        parse_topology(
            _diamond(links=[{"from": "s", "to": "a", "capacities": [1.0, 1.0]}], nodes=["s", "a", "d"])
        )
    with pytest.raises(ValueError, match="link a->x lies on no source-to-sink path"):
        links = _diamond()["links"] + [{"from": "a", "to": "x", "capacities": [1.0, 1.0]}]
        parse_topology(_diamond(links=links, nodes=["s", "a", "b", "d", "x"]))
    with pytest.raises(ValueError, match="commodity g source"):
        parse_topology(_diamond(commodities=[{"name": "g", "source": "q", "sink": "d"}]))
    with pytest.raises(ValueError, match="same number of modes"):
        links = _diamond()["links"]
        links[0]["capacities"] = [1.0]
        parse_topology(_diamond(links=links))
    bad = tmp_path / "t.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_topology(bad)
    with pytest.raises(ValueError, match="no topology file"):
        load_topology("nowhere")
    arr = tmp_path / "list.json"
    arr.write_text("[1, 2]")
    with pytest.raises(ValueError, match="must be a mapping"):
        load_topology(arr)


def test_user_topology_file_round_trip(tmp_path):
    # a user's own network: two commodities sharing a relay, written as JSON
    spec = {
        "name": "relay",
        "nodes": ["u", "v", "r", "d"],
        "links": [
            {"from": "u", "to": "r", "capacities": [0.5, 1.0, 0.1]},
            {"from": "v", "to": "r", "capacities": [0.5, 1.0, 0.1]},
            {"from": "r", "to": "d", "capacities": [2.0, 0.2, 1.0]},
        ],
        "commodities": [
            {"name": "f1", "source": "u", "sink": "d"},
            {"name": "f2", "source": "v", "sink": "d"},
        ],
        "admission_max": 1.0,
    }
    path = tmp_path / "relay.json"
    path.write_text(json.dumps(spec))
    topo = load_topology(path)
    assert (topo.n_nodes, topo.n_links, topo.n_modes, topo.n_commodities) == (4, 3, 3, 2)
    np.testing.assert_array_equal(topo.usable, [[True, False], [False, True], [True, True]])
    res = train(RunConfig(algorithm="umo2", topology=str(path), horizon=300, seeds=2))
    assert np.isfinite(res.gap).all() and np.isfinite(res.avg_backlog).all() and min(res.good_mode) > 0
    ypath = tmp_path / "relay.yaml"
    ypath.write_text(json.dumps(spec))  # JSON is valid YAML
    try:
        import yaml  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="PyYAML"):
            load_topology(ypath)
    else:
        assert load_topology(ypath).usable.tolist() == topo.usable.tolist()
