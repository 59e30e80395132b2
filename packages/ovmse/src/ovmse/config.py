"""Configuration of the whole offline-to-online pipeline: one frozen dataclass, validated on construction."""

from __future__ import annotations

from dataclasses import dataclass

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

from ovmse.envs import check_env_spec, parse_env_kwargs
from ovmse.exploration import SE_MODES
from ovmse.targets import OVM_FORMS


@dataclass(frozen=True)
class Config:
    """Behaviour policy -> dataset -> offline CFCQL -> online fine-tuning with OVM and SE.

    Defaults are OVMSE (offline init, OVM blend_max 1→0, SE indep) at the brief's scaled-down sizes.
    """

    # environment
    env: str = "simple_spread"
    """PettingZoo Parallel env: the built-in simple_spread / simple_speaker_listener, or an import path
    'package.module' (its parallel_env, e.g. mpe2.simple_reference_v3) or 'package.module:callable'.
    ``train(cfg, env=factory)`` (and every phase function) overrides it with a callable."""
    env_kwargs: str = ""
    """Keyword arguments of an import-path env, as Python literals: "N=5, local_ratio=0.5"."""
    n_agents: int = 3
    """Agents in the built-in simple_spread (other envs: set their own argument in env_kwargs)."""
    max_cycles: int = 25
    """Episode limit T (episodes are padded to it; a longer episode is cut there, as a time limit). Passed
    to an import-path env whose callable takes max_cycles, unless env_kwargs sets it."""
    reward_scale: float = 0.1
    """Multiplies the team reward."""
    team_reward: str = "sum"
    """sum or mean of the agents' rewards."""
    num_envs: int = 4
    """Env copies stepped in lockstep (one batched forward per step for all copies)."""

    # learner (shared recurrent agents + agent id, QMIX/VDN mixer)
    mixer: str = "qmix"
    """qmix or vdn."""
    rnn_hidden: int = 64
    """GRU width of the shared agent network."""
    mixer_embed: int = 32
    """QMIX embedding width."""
    hypernet_hidden: int = 64
    """QMIX hypernetwork width."""
    mixer_state_transform: str = "tanh"
    """State fed to the QMIX hypernetworks: tanh (bounded; MPE's state is unbounded) or none (raw, pymarl)."""
    optimizer: str = "adam"
    """adam (CFCQL code) or rmsprop (pymarl)."""
    lr: float = 1e-3
    """Learning rate of every phase."""
    grad_clip: float = 10.0
    """Gradient-norm clip."""
    gamma: float = 0.99
    """Discount."""
    td_lambda: float = 0.6
    """TD(λ) of the targets (0 = one-step)."""
    batch_size: int = 32
    """Episodes per update."""
    buffer_size: int = 5000
    """Online replay capacity (episodes)."""
    target_update_episodes: int = 100
    """Hard target copy every this many updates."""
    updates_per_round: int = 4
    """Updates after each round of ``num_envs`` episodes (= num_envs: one update per episode, as pymarl)."""

    # phase 0a: behaviour policy (online QMIX from scratch)
    behaviour_steps: int = 40_000
    """Env steps of the behaviour QMIX run."""
    behaviour_pick: float = 0.5
    """The "medium" snapshot is the trained one whose greedy return is closest to
    ``reference + behaviour_pick * (best - reference)`` (brief: about halfway from random to best)."""
    behaviour_reference: str = "random"
    """``reference`` of ``behaviour_pick``: "random" = a uniform-random policy's return on the evaluation
    episodes (the brief's rule); "first" = the untrained net's greedy return (the former rule)."""
    behaviour_min_frac: float = 0.25
    """Only snapshots taken after at least this fraction of ``behaviour_steps`` (and never the one at
    step 0, the untrained net) are candidates for the "medium" policy."""
    data_seed: int = -1
    """Seed of the behaviour policy and its dataset; -1 = ``seed`` (one dataset per seed). A fixed value
    shares one dataset across seeds, as a published offline dataset is (offline and online phases still
    use ``seed``)."""
    # phase 0b: dataset
    dataset_episodes: int = 1000
    """Episodes in the offline dataset."""
    dataset_eps: float = 0.2
    """ε of the behaviour policy while recording ("medium")."""
    # phase 0c: offline pretraining
    offline_updates: int = 5000
    """CFCQL updates on the dataset."""
    cql_alpha: float = 5.0
    """Weight of the counterfactual CQL penalty."""

    # phase 1: online fine-tuning
    online_steps: int = 30_000
    """Env steps of online fine-tuning."""
    init: str = "offline"
    """offline (θ, θ⁻ ← θ_off) or scratch (fresh networks)."""
    eps_start: float = 0.3
    """Exploration rate at the start of fine-tuning (per team for SE indep: per agent ε/n)."""
    eps_end: float = 0.05
    """Final exploration rate."""
    eps_anneal_steps: int = 15_000
    """Env steps of the linear ε decay."""
    se_mode: str = "indep"
    """egreedy (plain per-agent ε), indep (ε/n per agent), turn (one agent per step) or central_one."""
    se_clock: str = "step"
    """Shared clock of SE turn: step (explorer = (episode + t) mod n) or episode (one explorer per episode)."""
    se_base: str = "current"
    """Greedy actions of non-exploring agents: current online Q or the frozen offline Q."""
    ovm: bool = True
    """Use the offline value function memory in the targets."""
    ovm_form: str = "blend_max"
    """blend_max, offline_bootstrap or scaled_max (scaled_max needs non-negative values)."""
    memory_start: float = 1.0
    """λ_memory at the start of fine-tuning."""
    memory_end: float = 0.0
    """λ_memory after the decay."""
    memory_anneal_steps: int = 10_000
    """Env steps of the linear λ_memory decay (T_mem)."""
    cql_online: bool = False
    """Keep the CFCQL penalty online (a separate baseline)."""
    eval_every_steps: int = 1000
    """Greedy evaluation every this many env steps (and at t = 0)."""
    eval_episodes: int = 10
    """Episodes per greedy evaluation."""
    seed: int = 0
    """Root seed of every random stream."""

    def __post_init__(self) -> None:
        check_env_spec("env", self.env)
        parse_env_kwargs(self.env_kwargs)
        check_int_at_least("n_agents", self.n_agents, 1)
        check_int_at_least("max_cycles", self.max_cycles, 1)
        check_positive("reward_scale", self.reward_scale)
        check_choice("team_reward", self.team_reward, ("sum", "mean"))
        check_int_at_least("num_envs", self.num_envs, 1)
        check_choice("mixer", self.mixer, ("qmix", "vdn"))
        check_choice("mixer_state_transform", self.mixer_state_transform, ("none", "tanh"))
        for name in (
            "rnn_hidden",
            "mixer_embed",
            "hypernet_hidden",
            "batch_size",
            "buffer_size",
            "target_update_episodes",
            "updates_per_round",
            "dataset_episodes",
            "eval_episodes",
            "eval_every_steps",
            "eps_anneal_steps",
        ):
            check_int_at_least(name, getattr(self, name), 1)
        check_choice("optimizer", self.optimizer, ("adam", "rmsprop"))
        check_positive("lr", self.lr)
        check_positive("grad_clip", self.grad_clip)
        check_range("gamma", self.gamma, 0.0, 1.0)
        check_range("td_lambda", self.td_lambda, 0.0, 1.0)
        check_int_at_least("behaviour_steps", self.behaviour_steps, 1)
        check_range("behaviour_pick", self.behaviour_pick, 0.0, 1.0)
        check_choice("behaviour_reference", self.behaviour_reference, ("random", "first"))
        check_range("behaviour_min_frac", self.behaviour_min_frac, 0.0, 1.0)
        check_range("dataset_eps", self.dataset_eps, 0.0, 1.0)
        check_int_at_least("offline_updates", self.offline_updates, 0)
        check_non_negative("cql_alpha", self.cql_alpha)
        check_int_at_least("online_steps", self.online_steps, 0)
        check_choice("init", self.init, ("offline", "scratch"))
        check_range("eps_start", self.eps_start, 0.0, 1.0)
        check_range("eps_end", self.eps_end, 0.0, 1.0)
        check_choice("se_mode", self.se_mode, SE_MODES)
        check_choice("se_clock", self.se_clock, ("step", "episode"))
        check_choice("se_base", self.se_base, ("current", "offline"))
        check_choice("ovm_form", self.ovm_form, OVM_FORMS)
        check_range("memory_start", self.memory_start, 0.0, 1.0)
        check_range("memory_end", self.memory_end, 0.0, 1.0)
        check_int_at_least("memory_anneal_steps", self.memory_anneal_steps, 0)
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("data_seed", self.data_seed, -1)
        if self.init == "scratch" and (self.ovm or self.se_base == "offline"):
            raise ValueError("init='scratch' has no offline memory: set ovm=False and se_base='current'")
