"""Top-1 and top-3 accuracy of the learned department suggestions on held-out demo history.

    python -m bench.suggestions [--reports 6000] [--seed 7]

Trains on 80 % of a generated history of closed reports (boards/demo/history.py) and asks for
suggestions on the other 20 %, overall and for the reports filed as 9999 其他事项 (the case the
suggestions exist for: rules could not decide and a dispatcher must)."""

import argparse
import json
import random

from boards.demo.history import generate
from dispatch.core import suggest


def grid_pairs() -> list[tuple[str, str]]:
    with open("boards/demo/grids.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return [(f["properties"]["code"], f["properties"]["community"]) for f in features]


def accuracy(reports, seed: int) -> dict:
    rng = random.Random(seed)
    shuffled = reports[:]
    rng.shuffle(shuffled)
    cut = int(len(shuffled) * 0.8)
    train, held_out = shuffled[:cut], shuffled[cut:]
    model = suggest.train((suggest.features(r.category, r.description, r.grid, r.community),
                           r.department) for r in train)
    result = {}
    for label, subset in (("all", held_out),
                          ("9999", [r for r in held_out if r.category == "9999"])):
        top1 = top3 = 0
        for r in subset:
            ranked = [d for d, _ in suggest.suggest(
                model, suggest.features(r.category, r.description, r.grid, r.community), 3)]
            top1 += bool(ranked) and ranked[0] == r.department
            top3 += r.department in ranked
        result[label] = {"n": len(subset), "top1": top1 / max(len(subset), 1),
                         "top3": top3 / max(len(subset), 1)}
    result["trained_on"] = len(train)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = accuracy(generate(args.reports, grid_pairs(), seed=args.seed), args.seed)
    print(f"trained on {result['trained_on']} closed reports; held out "
          f"{result['all']['n']} ({result['9999']['n']} filed as 9999)")
    for label in ("all", "9999"):
        r = result[label]
        print(f"  {label:>4}: top-1 {r['top1']:.1%}   top-3 {r['top3']:.1%}")


if __name__ == "__main__":
    main()
