"""``python -m bioviz.site``: build the static site (``make site``); see :mod:`bioviz.site`."""

import argparse
import time
from pathlib import Path

from bioviz.site import ROOT, build


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bioviz.site", description=__doc__)
    parser.add_argument("--source", type=Path, default=ROOT / "notebooks", help="the notebooks as committed")
    parser.add_argument(
        "--executed",
        type=Path,
        default=ROOT / "build" / "executed",
        help="executed copies (make test leaves them)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="where the site goes")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    build(args.source, args.executed, args.out)
    print(f"site built in {time.perf_counter() - t0:.1f} s: open {args.out / 'index.html'}")


if __name__ == "__main__":
    main()
