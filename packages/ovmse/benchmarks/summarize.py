"""Summarise reproduction records: per experiment and method, mean ± s.e. over seeds of several metrics.

python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick [metric ...]
python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick --curve return
"""

from paperkit.summary import main

DEFAULT = (
    "initial_return",
    "min_early_return",
    "auc_return",
    "final_return",
    "multi_deviator_fraction",
    "offline_return",
)

if __name__ == "__main__":
    main(default_metrics=DEFAULT)
