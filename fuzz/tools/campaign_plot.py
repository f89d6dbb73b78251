#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""campaign_plot.py - the PNG plots of a ci/campaign run.

    campaign_plot.py OUT      reads OUT/timeline.json, writes
                              OUT/plots/coverage.png and OUT/plots/execs.png
                              (one panel per target), prints their paths

Coverage: the edges of the libFuzzer build that the shared corpus (both
engines' finds) reaches, its features (edges x hit-count buckets and the
schedule features) and its schedule features alone (fuzz/sim/schedcov.h),
measured every 30 s with -runs=0, and the edges
AFL++'s main instance has found (its own map, libFuzzer's finds imported); exec/s
is libFuzzer's average over the running epoch and the sum of AFL++'s
instances' rates. Needs matplotlib (Debian python3-matplotlib).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(out):
    with open(os.path.join(out, "timeline.json")) as f:
        timeline = json.load(f)
    pdir = os.path.join(out, "plots")
    os.makedirs(pdir, exist_ok=True)
    targets = list(timeline)
    n = max(1, len(targets))
    series = {
        "coverage": [("lf_cov", "shared corpus: libFuzzer edges (-runs=0)"),
                     ("lf_ft", "shared corpus: libFuzzer features"),
                     ("lf_sched", "shared corpus: schedule features"),
                     ("afl_edges", "AFL++ main: edges found")],
        "exec/s": [("lf_eps", "libFuzzer (all workers)"), ("afl_eps", "AFL++ (all instances)")],
    }
    for what, fname in (("coverage", "coverage.png"), ("exec/s", "execs.png")):
        fig, axes = plt.subplots(n, 1, figsize=(9, 2.4 * n + 0.8), squeeze=False, sharex=True)
        for ax, t in zip(axes[:, 0], targets):
            rows = timeline[t]
            x = [r["t"] / 60.0 for r in rows]
            for key, label in series[what]:
                # AFL++ writes no stats in its first minute: leave that out
                pts = [(xi, r[key]) for xi, r in zip(x, rows) if r.get(key)]
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".",
                            markersize=3, label=label)
            ax.set_ylabel("edges, features" if what == "coverage" else "exec/s")
            ax.set_ylim(bottom=0)
            ax.set_xlim(left=0)
            ax.set_title(t, fontsize=10)
            ax.grid(True, alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7, loc="best")
        axes[-1, 0].set_xlabel("minutes")
        fig.suptitle("ringtorture campaign: %s over time" % what)
        fig.tight_layout()
        path = os.path.join(pdir, fname)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        print(os.path.relpath(path, out))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
