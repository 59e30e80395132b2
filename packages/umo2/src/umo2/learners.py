"""UMO2's two online learners (our stand-ins for the paper's AdaPFOL and AdaBGD, see the README) and the
baselines' schedulers/admission rules. All are batched over rows [B] and links [L] / commodities [C].

Scheduling (term (a) of the drift-plus-penalty bound): each link picks a mode to maximise W_t(l) c_t(l, m),
W_t the back-pressure weight, seeing c_t only for the mode it played.
Admission (term (b) against the utility): choose lambda_t to minimise V (-f_t(lambda)) + <q_t, lambda>, q_t the
source backlogs, seeing only the scalar f_t(lambda_t).
"""

from __future__ import annotations

import numpy as np


class Stateful:
    """What a checkpoint needs of a learner: the arrays (and integer counters) named in ``STATE``."""

    STATE: tuple[str, ...] = ()

    def state_arrays(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(getattr(self, k)) for k in self.STATE}

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        for k in self.STATE:
            v = np.asarray(arrays[k])
            # counters are ints (a checkpoint stores them as 1-element arrays)
            setattr(self, k, int(v.item()) if isinstance(getattr(self, k), int) else v.copy())


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def sample_modes(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw per (row, link) from p [B, L, M] with uniforms u [B, L] in (0, 1]."""
    cdf = np.cumsum(p, axis=2)
    return np.minimum((cdf < u[:, :, None]).sum(axis=2), p.shape[2] - 1)


class ModeLearner(Stateful):
    """AdaPFOL-style bandit learner over each link's modes (exponential weights with fixed share).

    Gains are importance-weighted, g_hat(m) = W c / p(m) for the played mode only, so their size is that of
    the queue differential W, which is unbounded and moves with the queues. With ``adaptive=True`` the
    learning rate is scale-free, eta_t = sqrt(ln M / (M sum_{s<=t} W_s^2)) per link, which makes the update
    invariant to rescaling W; with ``adaptive=False`` it is eta_t = sqrt(ln M / (M t)), right for unit-scale
    gains only (the fixed-rate baseline). ``explore`` mixes uniform play in (bounds the importance weights);
    ``share`` mixes uniform weight back after each update (fixed share: lets it track a switching best mode).
    ``scale_memory`` [R]: "share" discounts the sum of W^2 at the fixed-share rate (the rate follows the
    scale of the current block); "full" keeps the plain cumulative sum (the textbook scale-free rate, which
    decays like 1/sqrt(t) once W is steady).
    """

    STATE = ("log_w", "sum_sq", "p", "t")

    def __init__(
        self,
        n_rows: int,
        n_links: int,
        n_modes: int,
        *,
        explore: np.ndarray | float,
        share: np.ndarray | float,
        adaptive: bool = True,
        scale_memory: str = "share",
    ):
        if scale_memory not in ("share", "full"):
            raise ValueError(f"scale_memory must be 'share' or 'full', got {scale_memory!r}")
        self.scale_memory = scale_memory
        self.n_modes = n_modes
        self.log_w = np.zeros((n_rows, n_links, n_modes))
        self.sum_sq = np.zeros((n_rows, n_links))
        self.explore = np.broadcast_to(np.asarray(explore, dtype=float), (n_rows,))[:, None, None]
        self.share = np.broadcast_to(np.asarray(share, dtype=float), (n_rows,))[:, None, None]
        self.adaptive = adaptive
        self.t = 0
        self.p = np.full((n_rows, n_links, n_modes), 1.0 / n_modes)
        self._rows, self._links = np.indices((n_rows, n_links))  # fancy indices of the played modes

    def probabilities(self) -> np.ndarray:
        self.p = (1.0 - self.explore) * softmax(self.log_w) + self.explore / self.n_modes
        return self.p

    def choose(self, W: np.ndarray, u: np.ndarray) -> np.ndarray:
        return sample_modes(self.probabilities(), u)

    def update(self, modes: np.ndarray, W: np.ndarray, observed: np.ndarray, active: np.ndarray) -> None:
        """``observed`` [B, L]: capacity of the played mode (meaningful where ``active``)."""
        self.t += 1
        M = self.n_modes
        # W^2 summed with the same forgetting as the fixed share, so the rate stays matched to the scale of
        # the current block instead of decaying like 1/sqrt(t) (the best mode switches)
        keep = 1.0 - self.share[:, :, 0] if self.scale_memory == "share" else 1.0
        self.sum_sq = keep * self.sum_sq + np.where(active, W * W, 0.0)
        if self.adaptive:
            with np.errstate(divide="ignore"):
                eta = np.where(self.sum_sq > 0, np.sqrt(np.log(M) / (M * self.sum_sq)), 0.0)
        else:
            eta = np.full_like(W, np.sqrt(np.log(M) / (M * self.t)))
        played = (self._rows, self._links, modes)
        gain = np.where(active, W * observed / self.p[played], 0.0)
        logits = self.log_w.copy()
        logits[played] += eta * gain
        w = softmax(logits)
        w = (1.0 - self.share) * w + self.share / M
        self.log_w = np.log(w)


class GreedyStale(Stateful):
    """Stale back-pressure: play the mode with the best last observed capacity; no exploration."""

    STATE = ("last",)

    def __init__(self, n_rows: int, n_links: int, n_modes: int):
        self.last = np.full((n_rows, n_links, n_modes), np.inf)  # untried modes first

    def choose(self, W: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.argmax(self.last, axis=2)

    def update(self, modes: np.ndarray, W: np.ndarray, observed: np.ndarray, active: np.ndarray) -> None:
        cur = np.take_along_axis(self.last, modes[:, :, None], axis=2)[:, :, 0]
        np.put_along_axis(self.last, modes[:, :, None], np.where(active, observed, cur)[:, :, None], axis=2)


class RandomModes(Stateful):
    def __init__(self, n_modes: int):
        self.n_modes = n_modes

    def choose(self, W: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.minimum((u * self.n_modes).astype(np.int64), self.n_modes - 1)

    def update(self, *args: object) -> None:
        pass


class BanditAdmission(Stateful):
    """AdaBGD-style one-point bandit gradient descent on lambda (Flaxman, Kalai, McMahan 2005).

    Play lambda_t = y_t + delta xi_t, xi_t uniform on the unit sphere of R^C, y_t in the shrunk box
    [delta, lambda_max - delta]; g_hat = (C / delta) f_t(lambda_t) xi_t estimates grad f_t(y_t); descend on
    V (-f) + <q, lambda>:  y <- Proj(y - eta_t (q_t - V g_hat)). ``residual=True`` uses
    f_t(lambda_t) - f_{t-1}(lambda_{t-1}) in place of f_t(lambda_t) (one-point residual feedback). ``adaptive=True`` uses the queue-dependent
    rate eta_t = eta0 / ((V + ||q_t||_inf) sqrt(t)); ``adaptive=False`` uses eta0 / sqrt(t) (unit scale).
    ``rate`` [R] picks the queue-dependent form: "instant" scales by this slot's Lipschitz bound
    V + ||q_t||_inf (above); "cumulative" uses eta0 / sqrt(sum_{s<=t} (V + ||q_s||_inf)^2) (AdaGrad-norm on the
    same bound; equal to "instant" while the queues are steady, smaller after a backlog spike).
    """

    STATE = ("y", "t", "xi", "f_prev", "lip_sq")

    def __init__(
        self,
        n_rows: int,
        n_commodities: int,
        lambda_max: float,
        *,
        V: np.ndarray,
        delta: np.ndarray,
        eta0: float,
        adaptive: bool = True,
        residual: bool = True,
        rate: str = "instant",
    ):
        if rate not in ("instant", "cumulative"):
            raise ValueError(f"rate must be 'instant' or 'cumulative', got {rate!r}")
        self.rate = rate
        self.lip_sq = np.zeros((n_rows, 1))
        self.C = n_commodities
        self.lambda_max = lambda_max
        self.V = np.asarray(V, dtype=float).reshape(n_rows, 1)
        self.delta = np.minimum(np.asarray(delta, dtype=float).reshape(n_rows, 1), lambda_max / 2)
        self.y = np.full((n_rows, n_commodities), lambda_max / 2)
        self.eta0, self.adaptive = eta0, adaptive
        self.t = 0
        self.xi = np.zeros((n_rows, n_commodities))
        self.residual = residual
        self.f_prev = np.zeros(n_rows)

    def choose(self, q: np.ndarray, normals: np.ndarray) -> np.ndarray:
        self.xi = normals / np.linalg.norm(normals, axis=1, keepdims=True)
        return self.y + self.delta * self.xi

    def update(self, f_value: np.ndarray, q: np.ndarray) -> None:
        self.t += 1
        # residual feedback (Zhang et al. 2022): subtracting the previous observation keeps E[g_hat] and
        # removes the f_t(y)^2 / delta^2 term from its variance
        signal = f_value - self.f_prev if self.residual else f_value
        self.f_prev = f_value
        g_hat = (self.C / self.delta) * signal[:, None] * self.xi
        grad = q - self.V * g_hat
        if self.adaptive:
            lip = self.V + np.abs(q).max(axis=1, keepdims=True)  # Lipschitz bound of V(-f) + <q, .>
            self.lip_sq = self.lip_sq + lip * lip
            eta = queue_rate(self.eta0, lip, self.t, self.lip_sq, self.rate)
        else:
            eta = self.eta0 / np.sqrt(self.t)
        self.y = np.clip(self.y - eta * grad, self.delta, self.lambda_max - self.delta)


def queue_rate(eta0: float, lip: np.ndarray, t: int, lip_sq: np.ndarray, rate: str) -> np.ndarray:
    """Queue-dependent step size of the admission learner from this slot's Lipschitz bound ``lip`` and the
    running sum ``lip_sq`` of its squares (including this slot): eta0 / (lip sqrt(t)) or eta0 / sqrt(lip_sq)."""
    if rate == "instant":
        return eta0 / (lip * np.sqrt(t))
    return eta0 / np.sqrt(lip_sq)


class OracleAdmission(Stateful):
    """Knows f_t: lambda_k = argmax V w_t ln(1 + lambda) - q_k lambda = clip(V w_t / q_k - 1, 0, lambda_max)."""

    STATE = ("weight",)

    def __init__(self, lambda_max: float, V: np.ndarray):
        self.lambda_max = lambda_max
        self.V = np.asarray(V, dtype=float)[:, None]
        self.weight = np.ones_like(self.V)

    def choose(self, q: np.ndarray, normals: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            lam = np.where(q > 0, self.V * self.weight / q - 1.0, self.lambda_max)
        return np.clip(lam, 0.0, self.lambda_max)

    def update(self, f_value: np.ndarray, q: np.ndarray) -> None:
        pass


class FixedAdmission(Stateful):
    def __init__(self, n_rows: int, n_commodities: int, rate: float):
        self.lam = np.full((n_rows, n_commodities), rate)

    def choose(self, q: np.ndarray, normals: np.ndarray) -> np.ndarray:
        return self.lam

    def update(self, f_value: np.ndarray, q: np.ndarray) -> None:
        pass
