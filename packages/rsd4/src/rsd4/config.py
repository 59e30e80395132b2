"""Run configuration: one frozen dataclass, validated on construction."""

from __future__ import annotations

import dataclasses
from typing import Literal

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

METHODS = ("rsd4", "rtd3", "sd3", "td3", "constant", "greedy")
LEARNED = ("rsd4", "rtd3", "sd3", "td3")


@dataclasses.dataclass(frozen=True)
class Config:
    """One scheduling run: a system, a method, a budget."""

    method: Literal["rsd4", "rtd3", "sd3", "td3", "constant", "greedy"] = "rsd4"
    """rsd4 (paper) | rtd3 | sd3 | td3 | constant (energy heuristic) | greedy (deadline-first heuristic)"""
    n_users: int = 4
    """N users"""
    tau_max: int = 6
    """largest deadline τ_max (τ_n ~ U{1..τ_max})"""
    n_channels: int = 4
    """C channel states (Markov chain)"""
    arrival: Literal["poisson", "bernoulli"] = "poisson"
    """arrival process of the simulated system"""
    observe_channel: bool = False
    """True: full observation; False: channel hidden (the POMDP)"""
    channel_stickiness: float = 0.0
    """ρ: channel matrix ρ·I + (1−ρ)·(random row-stochastic); 0 = the released code's random matrix  [S]"""
    user_feature: Literal["index", "params"] = "index"
    """per-user row feature: the user index n (released code) or the user's constants (β_n, d_n)  [S]"""
    n_hops: int = 1
    """hops per flow (1 = the single-hop MobiHoc system; > 1 = the multi-hop ToN extension)  [S]"""
    merge: Literal["path", "none"] = "path"
    """multi-hop only. path: node-level merging, one agent row per user spanning the nodes of its path;
    none: one row per (user, node), rewarded with the user's end-to-end deliveries (team reward)  [S]"""
    episode_len: int = 100
    """slots per episode"""
    system_seed: int = 0
    """seed of the user parameters (fixed across methods and run seeds)"""
    budget_fraction: float = 0.5
    """E_0 = this fraction of the energy/slot of the always-e=1 policy"""
    episodes: int = 1500
    """training episodes (env episodes, each gives N per-user sequences)"""
    n_envs: int = 10
    """env copies stepped together per rollout"""
    warmup_episodes: int = 100
    """uniform random actions for the first this many episodes"""
    batch_episodes: int = 50
    """per-user episodes per batch (the released code: 50; the brief's CPU plan: 16)"""
    updates_per_episode: float | None = None
    """learner updates per collected env episode; None = n_users, as the released code (N ``train()`` calls
    per 100-slot episode, ``main_tb_pair.py``)"""
    separate_batches: bool = True
    """two actors (SD3, RSD4): each (critic, actor) pair samples its own batch, as the released code's
    ``train()``; False: both pairs share one batch"""
    buffer_episodes: int = 10_000
    """replay capacity in per-user episodes"""
    hidden: int = 32
    """hidden width (and LSTM size)"""
    lr_actor: float = 3e-3
    """actor Adam learning rate"""
    lr_critic: float = 3e-3
    """critic Adam learning rate"""
    weight_decay: float = 0.0
    """Adam weight decay (the released code: 0.1)  [S]"""
    gamma: float = 0.99
    """discount (the released code: 1.0 over the finite horizon)  [S]"""
    tau: float = 0.05
    """target soft-update rate"""
    policy_freq: int = 2
    """delayed policy updates: actor and targets every this many critic updates"""
    beta: float = 0.01
    """softmax-operator inverse temperature"""
    n_noise: int = 10
    """M noisy target actions in the softmax operator"""
    importance_sampling: bool = False
    """divide softmax weights by the Gaussian pdf of the noise"""
    policy_noise: float = 0.2
    """target-policy noise σ"""
    expl_noise: float = 0.1
    """exploration noise σ"""
    reward_scale: float = 0.1
    """rewards are multiplied by this for learning  [S]"""
    obs_scale: float = 0.2
    """observations are multiplied by this for the networks  [S]"""
    lam_init: float = 1.0
    """initial Lagrange multiplier λ (one per node when multi-hop)"""
    dual: bool = True
    """run the dual loop on λ (see ``dual.py``); False keeps λ fixed (the released code)"""
    dual_every: int = 50
    """episodes between dual updates"""
    dual_lr: float = 0.5
    """η_0 of the dual (integral) step on the relative violation (Ē − E_0)/E_0"""
    dual_decay: float = 0.0
    """step schedule η_k = η_0 / (1 + k)^decay (0 = constant step, the brief's plan)  [S]"""
    dual_kp: float = 0.0
    """proportional gain: λ = [λ_I + k_p·err]⁺ reacts at once to overspending (PID-Lagrangian)  [S]"""
    dual_ema: float = 0.0
    """Ē is a running average: Ē <- ema·Ē + (1−ema)·(new estimate); 0 = the latest estimate only  [S]"""
    dual_eval_episodes: int = 10
    """greedy evaluation episodes that estimate Ē for a dual update"""
    final_policy: Literal["last", "mixture"] = "mixture"
    """last: the final iterate; mixture: the best randomised mix (per episode) of the iterates measured by
    the dual loop after ``mixture_from`` of training, within the budget (``dual.mixture_weights``)  [S]"""
    mixture_from: float = 0.5
    """fraction of training after which the dual loop's measured iterates are kept for the mixture"""
    eval_episodes: int = 20
    """final evaluation episodes (fixed seeds)"""
    eval_every: int = 100
    """episodes between curve points"""
    transfer_users: int = 0
    """if > 0, also evaluate the trained per-user agent on a system with this many users (C4)"""
    checkpoint_every: int = 0
    """episodes between checkpoints in run_dir (0 = never)"""
    run_dir: str = ""
    """folder for metrics and checkpoints ('' = none)"""
    seed: int = 0
    """seed of the run's random streams"""

    @property
    def update_rate(self) -> float:
        """Learner updates per collected env episode (``updates_per_episode``, or N when None)."""
        return float(self.n_users if self.updates_per_episode is None else self.updates_per_episode)

    def __post_init__(self) -> None:
        check_choice("method", self.method, METHODS)
        check_int_at_least("n_users", self.n_users, 1)
        check_int_at_least("tau_max", self.tau_max, 1)
        check_int_at_least("n_channels", self.n_channels, 1)
        check_range("channel_stickiness", self.channel_stickiness, 0.0, 1.0)
        check_choice("user_feature", self.user_feature, ("index", "params"))
        check_int_at_least("n_hops", self.n_hops, 1)
        check_choice("merge", self.merge, ("path", "none"))
        if self.n_hops > self.tau_max + 1:
            raise ValueError(
                f"n_hops={self.n_hops} needs tau_max >= n_hops - 1 (one hop per slot), got tau_max={self.tau_max}"
            )
        if self.n_hops > 1 and self.method == "greedy":
            raise ValueError("method='greedy' is defined for single-hop systems only (n_hops=1)")
        check_choice("arrival", self.arrival, ("poisson", "bernoulli"))
        check_int_at_least("episode_len", self.episode_len, 2)
        check_int_at_least("system_seed", self.system_seed, 0)
        check_range("budget_fraction", self.budget_fraction, 0.0, 1.0, low_open=True)
        check_int_at_least("episodes", self.episodes, 1)
        check_int_at_least("n_envs", self.n_envs, 1)
        check_int_at_least("warmup_episodes", self.warmup_episodes, 0)
        check_int_at_least("batch_episodes", self.batch_episodes, 1)
        if self.updates_per_episode is not None:
            check_non_negative("updates_per_episode", self.updates_per_episode)
        check_int_at_least("buffer_episodes", self.buffer_episodes, self.batch_episodes)
        check_int_at_least("hidden", self.hidden, 1)
        for name in ("lr_actor", "lr_critic", "reward_scale", "obs_scale", "policy_noise", "dual_lr"):
            check_positive(name, getattr(self, name))
        check_non_negative("weight_decay", self.weight_decay)
        check_range("gamma", self.gamma, 0.0, 1.0)
        check_range("tau", self.tau, 0.0, 1.0, low_open=True)
        check_int_at_least("policy_freq", self.policy_freq, 1)
        check_non_negative("beta", self.beta)
        check_int_at_least("n_noise", self.n_noise, 1)
        check_non_negative("expl_noise", self.expl_noise)
        check_non_negative("lam_init", self.lam_init)
        check_non_negative("dual_decay", self.dual_decay)
        check_non_negative("dual_kp", self.dual_kp)
        check_range("dual_ema", self.dual_ema, 0.0, 1.0, high_open=True)
        check_choice("final_policy", self.final_policy, ("last", "mixture"))
        check_range("mixture_from", self.mixture_from, 0.0, 1.0)
        check_int_at_least("dual_every", self.dual_every, 1)
        check_int_at_least("dual_eval_episodes", self.dual_eval_episodes, 1)
        check_int_at_least("eval_episodes", self.eval_episodes, 2)
        check_int_at_least("eval_every", self.eval_every, 1)
        check_int_at_least("transfer_users", self.transfer_users, 0)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        check_int_at_least("seed", self.seed, 0)
        if self.checkpoint_every and not self.run_dir:
            raise ValueError("checkpoint_every > 0 needs a run_dir")
