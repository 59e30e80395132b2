"""The README's claims are well-formed data: ids unique, experiments, methods and metrics exist."""

from paperkit.claims import check_claims

from ovmse.experiments import CLAIMS, EXPERIMENTS


def test_claims_fit_the_experiments():
    check_claims(CLAIMS, EXPERIMENTS)
    assert len({c.id for c in CLAIMS}) == len(CLAIMS)
    headroom = {c.id for c in CLAIMS if c.headroom}
    assert headroom and all(c.requires in headroom for c in CLAIMS if c.requires)


def test_medium_design_shares_data_and_theta_off():
    """spread3_medium: every variant of a seed shares θ_off; the α arms share the dataset, not θ_off."""
    from ovmse.experiments import MEDIUM_PRESETS, make_config
    from ovmse.train import data_config, pretrain_config

    def cfg(method, seed=0):
        return make_config(method, seed, "quick", MEDIUM_PRESETS, n_agents=3)

    ft = cfg("ft")
    assert (ft.behaviour_pick, ft.dataset_episodes, ft.online_steps, ft.eval_episodes) == (
        0.5,
        1000,
        15_000,
        20,
    )
    for m in ("scratch", "ft_ovm", "ft_se", "ovmse", "ft_turn"):
        assert pretrain_config(cfg(m)) == pretrain_config(ft)
    for m in ("ft_a1", "ft_a20"):
        assert pretrain_config(cfg(m)) != pretrain_config(ft)
        assert data_config(cfg(m)) == data_config(ft)
    assert data_config(cfg("ft", 3)) == data_config(ft)  # one dataset for every seed (data_seed 0)


def test_listener_medium_is_the_medium_design_on_speaker_listener():
    from ovmse.experiments import CLAIMS, MEDIUM_PRESETS, make_config
    from ovmse.train import pretrain_config

    def cfg(method, seed=0):
        return make_config(method, seed, "quick", MEDIUM_PRESETS, env="simple_speaker_listener")

    spread = make_config("ft", 0, "quick", MEDIUM_PRESETS, n_agents=3)
    ft = cfg("ft")
    assert ft.env == "simple_speaker_listener"
    # only the task differs from spread3_medium
    assert {k for k, v in vars(ft).items() if vars(spread)[k] != v} == {"env"}
    for m in ("scratch", "ft_ovm", "ft_se", "ovmse", "ft_turn"):
        assert pretrain_config(cfg(m)) == pretrain_config(ft)
    # the α arms train their own θ_off from the same behaviour policy and dataset
    assert pretrain_config(cfg("ft_a1")) != pretrain_config(ft) and cfg("ft_a1").cql_alpha == 1.0
    listener = [c for c in CLAIMS if c.experiment == "listener_medium"]
    assert len(listener) == 8 and {c.evidence for c in listener} == {"listener-medium"}
    # the α = 1 design: the same configs as listener_medium's α = 1 arm, so θ_off is shared
    a1 = [c for c in CLAIMS if c.experiment == "listener_medium_a1"]
    assert len(a1) == 6 and all(c.method.endswith("_a1") for c in a1)
    for m in ("scratch_a1", "ft_ovm_a1", "ft_se_a1", "ovmse_a1"):
        assert pretrain_config(cfg(m)) == pretrain_config(cfg("ft_a1"))


def test_listener_full_is_listener_medium_a1_at_the_briefs_budget():
    """listener_full_a1 changes only the learning budget: same dataset (cached once), its own θ_off."""
    from ovmse.experiments import CLAIMS, MEDIUM_FULL_PRESETS, MEDIUM_PRESETS, make_config
    from ovmse.train import data_config, pretrain_config

    def cfg(method, presets):
        return make_config(method, 0, "quick", presets, env="simple_speaker_listener")

    medium, full = cfg("ft_a1", MEDIUM_PRESETS), cfg("ft_a1", MEDIUM_FULL_PRESETS)
    changed = {k: vars(full)[k] for k, v in vars(medium).items() if vars(full)[k] != v}
    assert changed == {
        "offline_updates": 5000,
        "online_steps": 30_000,
        "eps_anneal_steps": 15_000,
        "memory_anneal_steps": 10_000,
    }
    assert data_config(full) == data_config(medium) and pretrain_config(full) != pretrain_config(medium)
    for m in ("scratch_a1", "ft_ovm_a1", "ft_se_a1", "ovmse_a1"):
        assert pretrain_config(cfg(m, MEDIUM_FULL_PRESETS)) == pretrain_config(full)
    claims = [c for c in CLAIMS if c.experiment == "listener_full_a1"]
    assert len(claims) == 6 and {c.evidence for c in claims} == {"listener-full"}
    assert all("30k online steps" in c.statement for c in claims)
