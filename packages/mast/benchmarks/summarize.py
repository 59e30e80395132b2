"""Summarise reproduction records: per experiment and method, mean ± s.e. over seeds of several metrics.

python packages/mast/benchmarks/summarize.py runs/reproduce/quick [metric ...]
python packages/mast/benchmarks/summarize.py runs/reproduce/quick --curve return
"""

from paperkit.summary import main

if __name__ == "__main__":
    main(
        default_metrics=("final_return", "train_flops_rel", "infer_flops_rel", "q_overestimation", "density")
    )
