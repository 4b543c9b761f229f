"""Write the synthetic world files sim/data/worlds/synthetic_{1,3,10,51}.csv and their Hydra
options configs/world/<name>.yaml, reproducibly from a seed.

SYNTHETIC, NOT DATA. No country in these files is a real country, and no value in them is a
statistic. They give the model worlds of different countries to run:

- Sizes. 51 countries, as many as the SUN Movement counted. Their sizes are the quantiles
  (k - 0.5)/51 of a lognormal distribution with log-sd `SIZE_SIGMA` (= 1), shuffled and
  rescaled so that the mean is `MEAN_ORGS` (= 2,000) organisations per country: a right-skewed
  spread of about a hundredfold between the smallest and the largest country, with a few
  large countries and many small ones. The lognormal shape and its spread are a choice, not a
  fit to real countries (whose populations spread wider still); `world_scale` rescales every
  size at run time.
- Profiles. Each country's country-level parameters are a convex mix of the four
  illustrative profiles in configs/country/ (baseline, mining_economy, post_conflict,
  strong_sme_base; a profile's unset values are the model defaults), with weights drawn from
  a Dirichlet distribution with every concentration `MIX_CONCENTRATION` (= 0.5), so most
  countries lean towards one profile and some are blends. A mix of valid values is valid,
  and mixed sector shares still sum to 1. Columns only for the parameters some profile sets;
  the others (`n_priority_goals`, `ba_smes_per_staff`) take the run's value.
- Smaller worlds. synthetic_10 and synthetic_3 are countries of synthetic_51 picked at evenly
  spaced size ranks (smallest and largest included, so the skew is kept), rescaled to the same
  mean size; synthetic_1 is one country of `MEAN_ORGS` organisations with the average mix of
  synthetic_51 (the average country's profile).

    python scripts/make_worlds.py             # rewrite the files (seed 2015)
    python scripts/make_worlds.py --check     # exit 1 if the files differ from a fresh draw
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml
from scipy.stats import norm

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.params import COUNTRY_PARAMS, PARAM_FIELDS, SECTORS  # noqa: E402 (path set above)

SEED = 2015
N_COUNTRIES = 51
MEAN_ORGS = 2000
SIZE_SIGMA = 1.0
MIX_CONCENTRATION = 0.5
SUBSETS = (10, 3)
PROFILES = ("baseline", "mining_economy", "post_conflict", "strong_sme_base")
WORLDS_DIR = ROOT / "sim" / "data" / "worlds"
CONFIG_DIR = ROOT / "configs" / "world"
SHARE_UNITS = 10_000  # sector shares are written with four decimals that sum to exactly 1


def load_profiles() -> dict[str, dict[str, object]]:
    """Each profile's full set of country-level values (the model default where unset)."""
    profiles = {}
    for name in PROFILES:
        given = yaml.safe_load((ROOT / "configs" / "country" / f"{name}.yaml").read_text()) or {}
        profiles[name] = {p: tuple(given[p]) if isinstance(given.get(p), list)
                          else given.get(p, PARAM_FIELDS[p].default)
                          for p in COUNTRY_PARAMS if p != "n_orgs"}
    return profiles


def varying(profiles: dict[str, dict[str, object]]) -> list[str]:
    """Country-level parameters on which the profiles differ (the world files' columns)."""
    values = list(profiles.values())
    return [p for p in COUNTRY_PARAMS if p != "n_orgs"
            and any(v[p] != values[0][p] for v in values)]


def sizes(rng: np.random.Generator, n: int, mean: int) -> np.ndarray:
    """`n` lognormal quantile sizes in random order, rescaled to `mean` (exact total)."""
    quantiles = np.exp(SIZE_SIGMA * norm.ppf((np.arange(n) + 0.5) / n))
    return rescale(rng.permutation(quantiles), mean)


def rescale(raw: np.ndarray, mean: int) -> np.ndarray:
    """Integer sizes proportional to `raw` whose total is exactly `mean * len(raw)`."""
    total = mean * raw.size
    exact = raw / raw.sum() * total
    out = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - out), kind="stable")
    out[order[: total - out.sum()]] += 1
    return out


def mix(profiles: dict[str, dict[str, object]], weights: np.ndarray, columns: list[str]
        ) -> dict[str, str]:
    """The cells of one country: each parameter the weighted mix of the profiles."""
    cells = {}
    for p in columns:
        values = np.array([np.atleast_1d(profiles[name][p]) for name in PROFILES], np.float64)
        mixed = weights @ values
        if isinstance(PARAM_FIELDS[p].default, tuple):
            units = np.rint(mixed * SHARE_UNITS).astype(np.int64)
            units[0] = SHARE_UNITS - units[1:].sum()  # SMEs take the rounding
            for sector, u in zip(SECTORS, units, strict=True):
                cells[f"{p}_{sector}"] = f"{u / SHARE_UNITS:.4f}"
        else:
            cells[p] = f"{float(mixed[0]):.4g}"
    return cells


def describe(weights: np.ndarray) -> str:
    """The mix in words: profiles with at least 5% weight, largest first."""
    order = np.argsort(-weights, kind="stable")
    return " + ".join(f"{PROFILES[k]} {weights[k]:.0%}" for k in order if weights[k] >= 0.05)


def header_lines(name: str, n: int, how: str, seed: int) -> list[str]:
    return [
        f"# {name}: SYNTHETIC, NOT DATA. {n} invented {'country' if n == 1 else 'countries'}; "
        "no row is a real country",
        "# and no value is a statistic. Generated by scripts/make_worlds.py "
        f"(seed {seed}; see its docstring).",
        f"# {how}",
        "# Country-level parameters are mixes of the illustrative profiles in configs/country/;",
        "# parameters without a column take the run's value. See docs/ODD.md, Input data.",
    ]


def world_tables(seed: int = SEED) -> dict[str, str]:
    """The text of every world file, by world name."""
    rng = np.random.default_rng(seed)
    profiles = load_profiles()
    columns = varying(profiles)
    n_orgs = sizes(rng, N_COUNTRIES, MEAN_ORGS)
    weights = rng.dirichlet(np.full(len(PROFILES), MIX_CONCENTRATION), size=N_COUNTRIES)
    names = [f"syn_{k + 1:02d}" for k in range(N_COUNTRIES)]
    rows = [{"name": names[k], "n_orgs": str(n_orgs[k]), "profile": describe(weights[k]),
             **mix(profiles, weights[k], columns)} for k in range(N_COUNTRIES)]
    header = list(rows[0])

    def render(name: str, chosen: list[dict[str, str]], how: str) -> str:
        lines = header_lines(name, len(chosen), how, seed) + [",".join(header)]
        lines += [",".join(_quote(row[c]) for c in header) for row in chosen]
        return "\n".join(lines) + "\n"

    spread = (f"Sizes: lognormal quantiles (log-sd {SIZE_SIGMA:g}) with mean {MEAN_ORGS} "
              "organisations per country; profiles: Dirichlet"
              f"({MIX_CONCENTRATION:g}) mixes of the four profiles.")
    out = {f"synthetic_{N_COUNTRIES}": render(f"synthetic_{N_COUNTRIES}", rows, spread)}
    by_size = np.argsort(n_orgs, kind="stable")
    for k in SUBSETS:
        picked = sorted(by_size[np.rint(np.linspace(0, N_COUNTRIES - 1, k)).astype(int)])
        sub_sizes = rescale(n_orgs[picked].astype(np.float64), MEAN_ORGS)
        chosen = [{**rows[i], "n_orgs": str(size)} for i, size in zip(picked, sub_sizes,
                                                                       strict=True)]
        how = (f"{k} countries of synthetic_{N_COUNTRIES} at evenly spaced size ranks, "
               f"rescaled to mean {MEAN_ORGS} organisations per country.")
        out[f"synthetic_{k}"] = render(f"synthetic_{k}", chosen, how)
    mean_weights = weights.mean(axis=0)
    average = {"name": "syn_average", "n_orgs": str(MEAN_ORGS),
               "profile": "average of synthetic_51: " + describe(mean_weights),
               **mix(profiles, mean_weights, columns)}
    out["synthetic_1"] = render("synthetic_1", [average],
                                f"One country of {MEAN_ORGS} organisations with the average "
                                f"profile mix of synthetic_{N_COUNTRIES}.")
    return out


def _quote(cell: str) -> str:
    return f'"{cell}"' if "," in cell or '"' in cell else cell


def config_text(name: str) -> str:
    return (f"# @package model\n# SYNTHETIC, NOT DATA: the world file sim/data/worlds/{name}.csv"
            " (scripts/make_worlds.py).\n"
            f"world: {name}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true",
                        help="only check that the files match a fresh draw; exit 1 if not")
    args = parser.parse_args(argv)
    files = {}
    for name, text in world_tables(args.seed).items():
        files[WORLDS_DIR / f"{name}.csv"] = text
        files[CONFIG_DIR / f"{name}.yaml"] = config_text(name)
    stale = [path for path, text in files.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path}: differs from scripts/make_worlds.py --seed {args.seed}",
                  file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
