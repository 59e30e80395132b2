"""Console scripts in a few lines of tyro.

    def main() -> None:
        run_cli({"train": train_command, "evaluate": evaluate_command,
                 "reproduce": reproduce_command(EXPERIMENTS)}, prog="uniinf")

Errors are one line on stderr with exit status 2, never a traceback or a boxed panel: a flag tyro cannot
parse (``prog: error: --seed: invalid literal for int() ...``), a config's ``__post_init__`` check named by its
flag (``prog: error: --seed: seed must be an int >= 0, got -1``), an unknown flag with the nearest valid one, a
``ValueError`` or ``OSError`` raised while running. Output folders among a command's arguments (``--out``,
``--run-dir``, ... and such fields of a config) are checked writable before the command starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import tyro

from paperkit.config import OUTPUT_NAMES
from paperkit.experiments import Experiment, reproduce
from paperkit.runs import check_output_dir
from paperkit.runtime import set_threads

T = TypeVar("T")

# `def train_command(cfg: Flat[Config])` gives flags `--lr` rather than `--cfg.lr`.
Flat = Annotated[T, tyro.conf.OmitArgPrefixes]


def _output_paths(kwargs: Mapping[str, Any]) -> Iterator[tuple[str, Path]]:
    """(flag, path) of every output folder among a command's arguments, configs' fields included."""
    for name, value in kwargs.items():
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield from _output_paths({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
        elif name in OUTPUT_NAMES and isinstance(value, str | os.PathLike) and str(value):
            yield "--" + name.replace("_", "-"), Path(value)


class _ParseStderr(io.StringIO):
    """Holds what tyro writes to stderr while it parses; the command itself writes to the real stderr."""


def _checked(fn: Callable[..., Any], real_stderr: Any) -> Callable[..., Any]:
    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        sys.stderr = real_stderr  # parsing is over: the command's own output (progress bars) goes through
        for flag, path in _output_paths(kwargs):
            check_output_dir(path, name=flag)
        return fn(*args, **kwargs)

    return command


_FIELD_MESSAGE = re.compile(r"^([a-z_][a-z0-9_]*) (must .*|is .*)$")


def one_line_error(panel: str) -> str:
    """tyro's boxed error panel as one line naming the flag as typed."""
    # rich draws the box with unicode or, on a plain stream, ASCII characters
    rows = [re.sub(r"^[│|╭╰+\s]+|[│|╮╯+\s]+$", "", ln) for ln in panel.splitlines()]
    rows = [r for r in rows if r]
    title = re.sub(r"^[─\-\s]+|[─\-\s]+$", "", rows[0]) if rows else "error"
    blocks: list[list[str]] = [[]]  # the panel's sections, split at its rules
    for r in rows[1:]:
        if set(r) <= set("─- "):
            blocks.append([])
        else:
            blocks[-1].append(r)
    blocks = [b for b in blocks if b]  # without a box, a rule follows the title
    first = " ".join(blocks[0]) if blocks else title
    suggestions = [r.split()[0] for b in blocks[1:] for r in b if r.startswith("--")]
    if m := re.match(r"^Error parsing (\S+): (.*)$", first):
        where, message = m.groups()
        if field := _FIELD_MESSAGE.match(message):  # a config check raised in __post_init__: name its flag
            return f"--{field.group(1).replace('_', '-')}: {message}"
        return f"{where}: {message}" if where.startswith("--") else message
    if first.startswith("Unrecognized options"):
        available = [r for b in blocks[1:] for r in b if r.startswith("Available subcommands")]
        hint = (
            f"did you mean {suggestions[0]}?" if suggestions else (available[0].lower() if available else "")
        )
        return first + (f" ({hint})" if hint else "")
    return first


def run_cli(
    commands: Mapping[str, Callable[..., Any]],
    *,
    prog: str,
    description: str = "",
    args: Sequence[str] | None = None,
) -> Any:
    argv = list(sys.argv[1:] if args is None else args)
    # --tensorboard: every MetricsLogger of this run writes TensorBoard scalars (read from the environment)
    if "--tensorboard" in argv:
        argv.remove("--tensorboard")
        os.environ["PAPERKIT_TENSORBOARD"] = "1"
    description = (description + "\n\n" if description else "") + (
        "Any subcommand also takes --tensorboard: TensorBoard scalars and the config under the run folder "
        "(pip install paperkit[tensorboard])."
    )
    real_stderr = sys.stderr
    buffer = _ParseStderr()
    wrapped = {name: _checked(fn, real_stderr) for name, fn in commands.items()}
    try:
        with contextlib.redirect_stderr(buffer):
            return tyro.extras.subcommand_cli_from_dict(
                wrapped, prog=prog, description=description, args=argv
            )
    except SystemExit as e:
        captured = buffer.getvalue()
        if e.code in (0, None) or not captured.strip():
            real_stderr.write(captured)
            raise
        print(f"{prog}: error: {one_line_error(captured)} (see {prog} --help)", file=real_stderr)
        raise SystemExit(2) from None
    except ValueError as e:
        print(f"{prog}: error: {e}", file=real_stderr)
        raise SystemExit(2) from None
    except BrokenPipeError:  # output piped into `head`: nothing to report
        raise SystemExit(0) from None
    except OSError as e:
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        print(
            f"{prog}: error:{where}: {e.strerror or e}" if where else f"{prog}: error: {e}", file=real_stderr
        )
        raise SystemExit(2) from None
    finally:
        sys.stderr = real_stderr


def select_experiments(experiments: Sequence[Experiment], only: Sequence[str] = ()) -> list[Experiment]:
    """The experiments named in ``only`` (all when empty), in the package's order; an unknown name is refused
    with the valid ones."""
    names = {e.name for e in experiments}
    bad = [n for n in only if n not in names]
    if bad:
        raise ValueError(f"unknown experiment(s) {bad}; valid: {sorted(names)}")
    return [e for e in experiments if not only or e.name in only]


def reproduce_command(experiments: Sequence[Experiment]) -> Callable[..., None]:
    """A ``reproduce`` subcommand running every experiment of a package at a preset."""

    def reproduce_cmd(
        preset: Literal["smoke", "quick", "paper"] = "smoke",
        seeds: int | None = None,
        out: Path = Path("runs/reproduce"),
        only: tuple[str, ...] = (),
    ) -> None:
        """Run the package's reproductions (every method x seed) and print the headline tables.

        Args:
            preset: smoke (< 60 s), quick (< 10 min on 2 cores), paper (the brief's full scaled-down plan).
            seeds: seeds per method (default: the experiment's own number for the preset).
            out: results root; finished cells found there are skipped.
            only: experiment names to run (default: all).
        """
        chosen = select_experiments(experiments, only)
        check_output_dir(out, name="--out")
        reproduce(chosen, preset=preset, seeds=seeds, out=out)

    return reproduce_cmd


def batched_command(
    experiments: Sequence[Experiment],
    run_batched: Callable[..., float],
    *,
    what: str = "every seed of a method",
    default_out: Path = Path("runs/reproduce"),
    threads: int | None = None,
) -> Callable[..., None]:
    """A subcommand running ``reproduce``'s cells through a package's ``run_batched(exp, preset, seeds, out,
    methods) -> seconds`` (seed-vectorised batches): the same records in the same folders. ``threads``: the
    torch/BLAS thread count to set first (None leaves it)."""

    def batched_cmd(
        preset: Literal["smoke", "quick", "paper"] = "smoke",
        seeds: int | None = None,
        out: Path = default_out,
        only: tuple[str, ...] = (),
        methods: tuple[str, ...] = (),
    ) -> None:
        """``reproduce`` with WHAT played as seed-vectorised batches: the same records in the same folders
        (``out/<preset>/...``), a fraction of the time.

        Args:
            preset: smoke, quick or paper.
            seeds: seeds 0..n-1 per method (default: the experiment's own number for the preset).
            out: results root; finished cells found there are skipped.
            only: experiment names to run (default: all).
            methods: methods to run (default: all of each experiment's).
        """
        if seeds is not None and seeds < 1:
            raise ValueError(f"--seeds must be >= 1, got {seeds}")
        chosen = select_experiments(experiments, only)
        unknown = sorted(set(methods) - {m for e in chosen for m in e.methods})
        if unknown:
            raise ValueError(f"unknown method(s) {unknown} for {[e.name for e in chosen]}")
        check_output_dir(out, name="--out")
        if threads is not None:
            set_threads(threads)
        for exp in chosen:
            n = seeds if seeds is not None else exp.seeds[preset]
            wanted = tuple(m for m in exp.methods if not methods or m in methods)
            if not wanted:  # --methods names none of this experiment's (an empty tuple would mean "all")
                continue
            seconds = run_batched(exp, preset, list(range(n)), out, wanted)
            print(f"[{exp.key}] {len(wanted)} methods x {n} seeds batched: {seconds:.1f} s", flush=True)
        if not methods:
            reproduce(chosen, preset=preset, seeds=seeds, out=out)  # every cell is done: prints the tables

    batched_cmd.__doc__ = (batched_cmd.__doc__ or "").replace("WHAT", what)
    return batched_cmd


def regret_report_command(experiments: Sequence[Experiment]) -> Callable[..., None]:
    """A ``report`` subcommand summarising a reproduction folder's cumulative-regret curves."""

    def report_cmd(out: Path, svg_dir: Path | None = None) -> None:
        """Summarise a finished reproduction folder (e.g. runs/reproduce/quick): final regret ± 95% CI, log-log slope.

        Args:
            out: the preset folder written by ``reproduce``.
            svg_dir: also write one log-log regret plot per experiment there (SVG).
        """
        from paperkit.regret import regret_svg, summarize

        print(summarize(out, experiments=experiments))
        if svg_dir is not None:
            svg_dir.mkdir(parents=True, exist_ok=True)
            for exp in experiments:
                try:
                    (svg_dir / f"{exp.name}.svg").write_text(regret_svg(out, exp.name, exp.methods))
                except ValueError:
                    continue  # experiment not run

    return report_cmd
