"""The run configuration: one frozen dataclass, validated on construction."""

from __future__ import annotations

from dataclasses import dataclass

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

from mast.envs import check_env_spec, parse_env_kwargs

TOPOLOGIES = ("dense", "static", "set", "rigl")
BOOTSTRAPS = ("double_q", "max", "soft_mellowmax")


@dataclass(frozen=True)
class Config:
    """MAST / sparse QMIX on a PettingZoo Parallel env. Defaults = MAST at 90% sparsity (brief's scaled plan)."""

    # environment
    env: str = "simple_spread"
    """PettingZoo Parallel env: the built-in simple_spread / simple_speaker_listener, or an import path
    'package.module' (its parallel_env, e.g. mpe2.simple_reference_v3) or 'package.module:callable'.
    ``train(cfg, env=factory)`` overrides it with a callable."""
    env_kwargs: str = ""
    """Keyword arguments of an import-path env, as Python literals: "N=5, local_ratio=0.5"."""
    n_agents: int = 3
    """Agents in the built-in simple_spread (other envs: set their own argument in env_kwargs)."""
    max_cycles: int = 25
    """Episode limit T (episodes are padded to it; a longer episode is cut there, as a time limit). Passed
    to an import-path env whose callable takes max_cycles, unless env_kwargs sets it."""
    reward_scale: float = 0.1
    """Multiplies the team reward; Soft Mellowmax is scale-dependent (ω × Q gap matters)."""
    team_reward: str = "sum"
    """How agents' rewards become the team reward: sum or mean."""
    total_env_steps: int = 150_000
    """Training budget in environment steps."""

    # value decomposition learner
    mixer: str = "qmix"
    """qmix (monotone hypernetwork mixer) or vdn (sum)."""
    shared_agent_params: bool = False
    """One network shared by all agents (+ agent id) instead of one per agent (MAST's default: per agent)."""
    rnn_hidden: int = 64
    """GRU width of the agent networks."""
    mixer_embed: int = 32
    """QMIX mixing embedding width."""
    hypernet_hidden: int = 64
    """Hidden width of the QMIX hypernetworks."""
    mixer_state_transform: str = "tanh"
    """State fed to the QMIX hypernetworks: tanh (bounded; needed on MPE's unbounded state) or none (raw)."""
    lr: float = 5e-4
    """RMSprop learning rate."""
    rms_alpha: float = 0.99
    """RMSprop smoothing constant."""
    rms_eps: float = 1e-5
    """RMSprop epsilon."""
    grad_clip: float = 10.0
    """Gradient-norm clip."""
    gamma: float = 0.99
    """Discount."""
    batch_size: int = 32
    """Episodes per update (one update per collected episode)."""
    buffer_size: int = 5000
    """Capacity (episodes) of the off-policy replay buffer."""
    target_update_episodes: int = 200
    """Hard target-network copy (weights and masks) every this many episodes."""
    eps_start: float = 1.0
    """Initial ε of ε-greedy exploration."""
    eps_end: float = 0.05
    """Final ε."""
    eps_anneal_steps: int = 30_000
    """Env steps over which ε decays linearly."""

    # MAST's target-value fixes
    bootstrap: str = "soft_mellowmax"
    """Per-agent next-state value fed to the target mixer: double_q, max or soft_mellowmax."""
    sm_omega: float = 10.0
    """Soft Mellowmax ω (paper: 5 or 10 per task)."""
    sm_alpha: float = 1.0
    """Soft Mellowmax α [R] (α = 0 is mellowmax)."""
    lambda_early: float = 0.0
    """TD(λ) before ``lambda_switch_steps`` (hybrid schedule [R]: 1-step first)."""
    lambda_late: float = 0.6
    """TD(λ) after ``lambda_switch_steps`` [R]."""
    lambda_switch_steps: int = 15_000
    """Env step at which λ switches from early to late [R: 10% of training]."""
    dual_buffer: bool = True
    """Add the small on-policy FIFO and mix its episodes into every batch."""
    on_buffer_size: int = 64
    """Capacity (episodes) of the on-policy buffer [R]."""
    on_batch: int = 16
    """Episodes per batch drawn from the on-policy buffer [R]."""

    # sparse training
    topology: str = "rigl"
    """dense, static (fixed random mask, SS), set (random growth) or rigl (gradient growth)."""
    sparsity: float = 0.9
    """Overall sparsity of the agent nets, mixer and hypernetworks' weight matrices, in [0, 1)."""
    allocation: str = "er"
    """Per-layer density: er (Erdős–Rényi) or uniform."""
    global_topk_across_agents: bool = True
    """One drop/grow budget per layer across agents (per-agent budgets float) instead of per agent [R]."""
    topology_interval_episodes: int = 100
    """Drop/grow every this many updates (= episodes)."""
    drop_fraction: float = 0.5
    """Initial drop fraction ζ0 of the cosine schedule."""
    topology_end_fraction: float = 1.0
    """Topology updates stop after this fraction of training (T_end)."""

    # evaluation / bookkeeping
    eval_every_steps: int = 5000
    """Greedy evaluation every this many env steps."""
    eval_episodes: int = 10
    """Episodes per greedy evaluation."""
    checkpoint_every_episodes: int = 0
    """Save a resumable checkpoint every this many episodes (0 = only at the end, when a run dir is given)."""
    seed: int = 0
    """Root seed of every random stream."""

    def __post_init__(self) -> None:
        check_env_spec("env", self.env)
        parse_env_kwargs(self.env_kwargs)
        check_int_at_least("n_agents", self.n_agents, 1)
        check_int_at_least("max_cycles", self.max_cycles, 1)
        check_positive("reward_scale", self.reward_scale)
        check_choice("team_reward", self.team_reward, ("sum", "mean"))
        check_int_at_least("total_env_steps", self.total_env_steps, 1)
        check_choice("mixer", self.mixer, ("qmix", "vdn"))
        check_choice("mixer_state_transform", self.mixer_state_transform, ("none", "tanh"))
        for name in ("rnn_hidden", "mixer_embed", "hypernet_hidden", "batch_size", "buffer_size"):
            check_int_at_least(name, getattr(self, name), 1)
        check_positive("lr", self.lr)
        check_range("rms_alpha", self.rms_alpha, 0.0, 1.0, high_open=True)
        check_positive("rms_eps", self.rms_eps)
        check_positive("grad_clip", self.grad_clip)
        check_range("gamma", self.gamma, 0.0, 1.0)
        check_int_at_least("target_update_episodes", self.target_update_episodes, 1)
        check_range("eps_start", self.eps_start, 0.0, 1.0)
        check_range("eps_end", self.eps_end, 0.0, 1.0)
        check_int_at_least("eps_anneal_steps", self.eps_anneal_steps, 1)
        check_choice("bootstrap", self.bootstrap, BOOTSTRAPS)
        check_positive("sm_omega", self.sm_omega)
        check_non_negative("sm_alpha", self.sm_alpha)
        check_range("lambda_early", self.lambda_early, 0.0, 1.0)
        check_range("lambda_late", self.lambda_late, 0.0, 1.0)
        check_int_at_least("lambda_switch_steps", self.lambda_switch_steps, 0)
        check_int_at_least("on_buffer_size", self.on_buffer_size, 1)
        check_int_at_least("on_batch", self.on_batch, 0)
        if self.dual_buffer and self.on_batch >= self.batch_size:
            raise ValueError(f"on_batch must be < batch_size ({self.batch_size}), got {self.on_batch}")
        check_choice("topology", self.topology, TOPOLOGIES)
        check_range("sparsity", self.sparsity, 0.0, 1.0, high_open=True)
        if self.topology == "dense" and self.sparsity != 0.0:
            raise ValueError(f"sparsity must be 0 when topology='dense', got {self.sparsity}")
        check_choice("allocation", self.allocation, ("er", "uniform"))
        check_int_at_least("topology_interval_episodes", self.topology_interval_episodes, 1)
        check_range("drop_fraction", self.drop_fraction, 0.0, 1.0)
        check_range("topology_end_fraction", self.topology_end_fraction, 0.0, 1.0)
        check_int_at_least("eval_every_steps", self.eval_every_steps, 1)
        check_int_at_least("eval_episodes", self.eval_episodes, 1)
        check_int_at_least("checkpoint_every_episodes", self.checkpoint_every_episodes, 0)
        check_int_at_least("seed", self.seed, 0)

    @property
    def sparse(self) -> bool:
        return self.topology != "dense"
