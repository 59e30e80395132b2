"""The run configuration (frozen, validated at construction)."""

from __future__ import annotations

import dataclasses

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

ALGOS = ("td3", "sac")
DISTANCE_FORMS = ("mse", "l2")  # as rlx2.buffer.DISTANCE_FORMS (config stays free of numpy imports)
SAC_COLLECT = ("sample", "mean")
INITS = ("auto", "default", "orthogonal")
TOPOLOGIES = ("rigl", "set", "static")


@dataclasses.dataclass(frozen=True)
class Config:
    """RLx2 on TD3 or SAC. Defaults: the brief's 100k-step HalfCheetah plan (90/85 sparsity)."""

    env_id: str = "HalfCheetah-v5"
    """Gymnasium environment id; it must have a continuous ``Box`` action space."""
    algo: str = "td3"
    """Base off-policy algorithm: ``td3`` or ``sac``."""
    seed: int = 0
    """Root seed; every component draws its own stream from it."""
    total_steps: int = 100_000
    """Environment steps."""
    start_steps: int = 5_000
    """Uniform-random warm-up steps before learning starts."""
    hidden: int = 256
    """Width of both hidden layers of actor and critics."""
    actor_sparsity: float = 0.9
    """Global sparsity of the actor's weight matrices (ER-allocated over its layers); 0 = dense."""
    critic_sparsity: float = 0.85
    """Global sparsity of the critic's weight matrices (both Q heads form one ER pool); 0 = dense."""
    topology: str = "rigl"
    """Topology evolution: ``rigl`` (grow by |dense gradient|, RLx2), ``set`` (grow at random), ``static``."""
    delta_t: int = 1_000
    """Mask-update interval in iterations (critic updates for the critic, actor updates for the actor)."""
    zeta0: float = 0.5
    """Initial drop fraction, cosine-annealed to 0 at the end of training."""
    nstep: int = 3
    """Multi-step TD target length once it is switched on."""
    delay_nstep: int = 10_000
    """Iterations trained with 1-step targets before switching to ``nstep`` (see ``nstep_start_step``)."""
    nstep_start_step: int | None = None
    """Env step at which ``nstep`` targets switch on; overrides ``delay_nstep`` when set. The switch belongs
    after dense TD3's steep learning phase (the paper's 300k of 3M), so schedules key it to env steps measured
    on the task (`benchmarks/steep_phase.py`), not to a fraction of the run."""
    dynamic_buffer: bool = True
    """Shrink the buffer when the policy distance of its oldest transitions exceeds the threshold."""
    buffer_max: int = 100_000
    """Maximum buffer capacity (FIFO)."""
    buffer_min: int = 20_000
    """The dynamic buffer never shrinks below this size."""
    buffer_check_interval: int = 1_000
    """Env steps between policy-distance checks."""
    distance_batch: int = 2_048
    """Number K of oldest transitions the policy distance is averaged over."""
    distance_threshold: float = 0.2
    """Shrink when the policy distance exceeds this."""
    distance_form: str = "mse"
    """[R] Policy distance: ``mse`` = 1/2 mean squared difference of the max-action-scaled actions (the
    official code; the threshold 0.2 is in these units), ``l2`` = mean L2 norm of that difference (the
    paper's Eq. 6)."""
    shrink_fraction: float = 0.1
    """Fraction of the buffer forgotten per shrink."""
    shrink_until_below: bool = False
    """[R] False: one shrink per check (official code). True: shrink until D <= threshold (paper text)."""
    batch_size: int = 256
    lr: float = 3e-4
    """Adam learning rate of actor, critic (and SAC's log-alpha)."""
    gamma: float = 0.99
    tau: float = 0.005
    """Polyak rate of the target networks."""
    policy_noise: float = 0.2
    """TD3 target-policy smoothing noise (x max action)."""
    noise_clip: float = 0.5
    """TD3 clip of the smoothing noise (x max action)."""
    policy_freq: int = 2
    """TD3: critic updates per actor/target update (SAC uses 1)."""
    expl_noise: float = 0.1
    """TD3 Gaussian exploration noise (x max action)."""
    init_alpha: float = 1.0
    """SAC initial entropy temperature (tuned to target entropy -|A|)."""
    sac_collect: str = "sample"
    """[R] SAC's behaviour action: ``sample`` from the policy (SAC as published), or its ``mean`` (what the
    official RLx2 SAC script executes, since its ``select_action`` defaults to the mean)."""
    init: str = "auto"
    """Weight init: ``default`` (PyTorch's uniform; the TD3 reference), ``orthogonal`` (zero biases; the SAC
    reference, from pytorch_sac), ``auto`` = the reference's choice for ``algo``."""
    fast_kernels: bool = True
    """oneDNN matmuls for the linear layers and fused Adam (same maths; ~2x faster on CPU). False = plain
    ``F.linear`` and for-loop Adam."""
    reset_optimizer_state: bool = False
    """[R] Zero Adam moments of moved connections on a topology update (the reference does not)."""
    eval_interval: int = 5_000
    """Env steps between evaluations."""
    eval_episodes: int = 5
    final_window: int = 3
    """The final return is the mean of the last this-many evaluations."""
    checkpoint_every: int = 0
    """Save a checkpoint at the first episode end after every this-many steps (0 = never)."""
    run_dir: str = ""
    """Folder for metrics and checkpoints (empty = a fresh folder under ``runs/``)."""
    resume: bool = False
    """Continue from ``run_dir/checkpoint`` if it exists."""

    def __post_init__(self) -> None:
        check_choice("algo", self.algo, ALGOS)
        check_choice("topology", self.topology, TOPOLOGIES)
        check_choice("sac_collect", self.sac_collect, SAC_COLLECT)
        check_choice("init", self.init, INITS)
        check_choice("distance_form", self.distance_form, DISTANCE_FORMS)
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("total_steps", self.total_steps, 1)
        check_int_at_least("start_steps", self.start_steps, 1)
        check_int_at_least("hidden", self.hidden, 1)
        check_range("actor_sparsity", self.actor_sparsity, 0.0, 1.0, high_open=True)
        check_range("critic_sparsity", self.critic_sparsity, 0.0, 1.0, high_open=True)
        check_int_at_least("delta_t", self.delta_t, 1)
        check_range("zeta0", self.zeta0, 0.0, 1.0)
        check_int_at_least("nstep", self.nstep, 1)
        check_int_at_least("delay_nstep", self.delay_nstep, 0)
        if self.nstep_start_step is not None:
            check_int_at_least("nstep_start_step", self.nstep_start_step, 0)
        check_int_at_least("buffer_min", self.buffer_min, 1)
        check_int_at_least("buffer_max", self.buffer_max, self.buffer_min)
        check_int_at_least("buffer_check_interval", self.buffer_check_interval, 1)
        check_int_at_least("distance_batch", self.distance_batch, 1)
        check_positive("distance_threshold", self.distance_threshold)
        check_range("shrink_fraction", self.shrink_fraction, 0.0, 1.0, low_open=True, high_open=True)
        check_int_at_least("batch_size", self.batch_size, 1)
        check_positive("lr", self.lr)
        check_range("gamma", self.gamma, 0.0, 1.0, high_open=True)
        check_range("tau", self.tau, 0.0, 1.0, low_open=True)
        check_non_negative("policy_noise", self.policy_noise)
        check_non_negative("noise_clip", self.noise_clip)
        check_int_at_least("policy_freq", self.policy_freq, 1)
        check_non_negative("expl_noise", self.expl_noise)
        check_positive("init_alpha", self.init_alpha)
        check_int_at_least("eval_interval", self.eval_interval, 1)
        check_int_at_least("eval_episodes", self.eval_episodes, 1)
        check_int_at_least("final_window", self.final_window, 1)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        if self.resume and not self.run_dir:
            raise ValueError("resume=True needs run_dir (the folder holding the checkpoint)")

    @property
    def init_scheme(self) -> str:
        if self.init != "auto":
            return self.init
        return "orthogonal" if self.algo == "sac" else "default"

    @property
    def nstep_delay_iterations(self) -> int:
        """Iterations trained with 1-step targets: ``delay_nstep``, or the env-step switch converted (one
        update per env step after the warm-up)."""
        if self.nstep_start_step is None:
            return self.delay_nstep
        return max(self.nstep_start_step - self.start_steps, 0)

    @property
    def iterations(self) -> int:
        """Training iterations T_end (one gradient update per env step after warm-up)."""
        return max(self.total_steps - self.start_steps, 1)
