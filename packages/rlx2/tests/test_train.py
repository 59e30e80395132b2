import shutil

import pytest
import torch
from paperkit import load_checkpoint

from rlx2.config import Config
from rlx2.train import make_env, train

TINY = dict(env_id="Pendulum-v1", hidden=32, start_steps=200, batch_size=32, delta_t=20, delay_nstep=100,
            buffer_min=200, buffer_check_interval=100, eval_interval=200, eval_episodes=1)  # fmt: skip


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="Discrete action space"):
        make_env("CartPole-v1")
    with pytest.raises(ValueError, match="actor_sparsity"):
        Config(actor_sparsity=1.0)
    with pytest.raises(ValueError, match="critic_sparsity"):
        Config(critic_sparsity=-0.1)
    with pytest.raises(ValueError, match="nstep"):
        Config(nstep=0)
    with pytest.raises(ValueError, match="algo"):
        Config(algo="ddpg")
    with pytest.raises(ValueError, match="buffer_max"):
        Config(buffer_max=10, buffer_min=100)
    with pytest.raises(ValueError, match="distance_form"):
        Config(distance_form="l1")


@pytest.mark.parametrize("algo", ["td3", "sac"])
def test_target_masks_follow_online_masks_and_sparsity_is_exact(tmp_path, algo):
    cfg = Config(**TINY, algo=algo, total_steps=600, checkpoint_every=600, run_dir=str(tmp_path / "r"))
    res = train(cfg)
    assert res.topology_updates > 0
    ck = load_checkpoint(tmp_path / "r" / "final")
    t = ck.tensors
    for net, n_layers in (("actor", 3), ("critic", 6)):
        for i in range(n_layers):
            mask = t[f"mask.{net}.{i}"]
            names = [k for k in t if k.startswith(f"{net}.") and k.endswith("weight")]
            online = t[sorted(names)[i]]
            assert torch.all(online[~mask] == 0)
            target_key = f"{net}_target." + sorted(names)[i].split(".", 1)[1]
            if net == "critic" or algo == "td3":  # SAC has no target actor
                assert torch.all(t[target_key][~mask] == 0)
    assert res.actor_density == pytest.approx(0.1, abs=0.01)
    assert res.critic_density == pytest.approx(0.15, abs=0.01)
    assert res.train_flops_rel < 0.3


def test_resume_is_bit_exact(tmp_path):
    full = Config(**TINY, total_steps=800, checkpoint_every=400, run_dir=str(tmp_path / "a"))
    train(full)
    (tmp_path / "b").mkdir()
    shutil.copytree(tmp_path / "a" / "checkpoint", tmp_path / "b" / "checkpoint")
    assert load_checkpoint(tmp_path / "b" / "checkpoint").step == 400
    train(Config(**TINY, total_steps=800, checkpoint_every=400, run_dir=str(tmp_path / "b"), resume=True))
    a = load_checkpoint(tmp_path / "a" / "final").tensors
    b = load_checkpoint(tmp_path / "b" / "final").tensors
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_rlx2_learns_point_reach(tmp_path):
    # a uniform-random policy scores about -40 on PointReach, the optimal one about -4
    cfg = Config(env_id="rlx2/PointReach-v0", hidden=64, total_steps=1600, start_steps=400, batch_size=64,
                 delta_t=50, delay_nstep=200, buffer_max=3000, buffer_min=600, buffer_check_interval=200,
                 eval_interval=400, eval_episodes=10, final_window=1, run_dir=str(tmp_path))  # fmt: skip
    res = train(cfg)
    assert res.curve[0][1] < -25  # before learning
    assert res.final_return > -15
    assert res.topology_updates > 0 and res.actor_density < 0.2


def test_point_reach_passes_the_gymnasium_env_checker():
    import gymnasium as gym
    from gymnasium.utils.env_checker import check_env

    from rlx2.envs import PointReach

    check_env(PointReach(), skip_render_check=True)
    env = gym.make("rlx2/PointReach-v0")
    env.reset(seed=3)
    steps = 0
    trunc = term = False
    while not (term or trunc):
        _, _, term, trunc, _ = env.step(env.action_space.sample())
        steps += 1
    assert steps == 40 and trunc and not term


@pytest.mark.parametrize("algo", ["td3", "sac"])
def test_lazy_target_masking_is_bit_identical_to_masking_every_update(tmp_path, monkeypatch, algo):
    from rlx2.sparse import MaskedLayers

    cfg = dict(**TINY, algo=algo, total_steps=500, checkpoint_every=500)
    train(Config(**cfg, run_dir=str(tmp_path / "lazy")))
    monkeypatch.setattr(MaskedLayers, "sync_target", lambda self, layers: self.apply_to_weights(layers))
    res = train(Config(**cfg, run_dir=str(tmp_path / "always")))
    assert res.topology_updates > 0
    lazy = load_checkpoint(tmp_path / "lazy" / "final").tensors
    always = load_checkpoint(tmp_path / "always" / "final").tensors
    assert lazy.keys() == always.keys()
    for key in lazy:
        assert torch.equal(lazy[key], always[key]), key


def test_mujoco_compiler_warnings_become_python_warnings(tmp_path, monkeypatch):
    """Gymnasium's HalfCheetah model makes MuJoCo warn ("settotalmass is deprecated"); by default MuJoCo prints
    that to stderr and appends it to MUJOCO_LOG.TXT in the working directory on every gym.make."""
    mujoco = pytest.importorskip("mujoco")
    monkeypatch.chdir(tmp_path)
    with pytest.warns(DeprecationWarning, match="MuJoCo: compiler attribute 'settotalmass'"):
        make_env("HalfCheetah-v5").close()
    assert not (tmp_path / "MUJOCO_LOG.TXT").exists()
    assert mujoco.get_mju_user_warning() is None  # MuJoCo's own handler is back afterwards
