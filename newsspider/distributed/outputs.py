"""The outputs of one distributed run across its workers, from their run manifests.

    python -m newsspider.distributed.outputs RUN_ID [DATA_DIR ...]   # default DATA_DIR: data
    python -m newsspider.distributed.outputs RUN_ID data --json      # one JSON object

Each worker wrote ``runs/<RUN_ID>-<worker>.json`` in its data directory (several workers may
share one). Printed: one line per worker (new, revised, failed, exit status), then every
JSON Lines feed and post file the run wrote, as paths one can pass to ``cat`` or ``rsync``.
The same with ``jq``: ``jq -s '[.[].new[]] | length' data/runs/RUN_ID-*.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def manifests(run_id: str, data_dirs: Sequence[Path]) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for data_dir in data_dirs:
        for path in sorted((data_dir / "runs").glob(f"{run_id}-*.json")):
            manifest = json.loads(path.read_text(encoding="utf-8"))
            found.append((data_dir, manifest))
    return found


def summary(run_id: str, data_dirs: Sequence[Path]) -> dict[str, Any]:
    workers = []
    feeds: list[str] = []
    posts: set[str] = set()
    for data_dir, manifest in manifests(run_id, data_dirs):
        outputs = manifest.get("outputs", {})
        feeds += [str(data_dir / feed) for feed in outputs.get("jsonl", [])]
        posts |= {str(data_dir / post) for post in outputs.get("posts", [])}
        workers.append(
            {
                "worker": str(manifest["run_id"]).removeprefix(f"{run_id}-"),
                "data_dir": str(data_dir),
                "new": len(manifest.get("new", [])),
                "revised": len(manifest.get("revised", [])),
                "failed": len(manifest.get("failed", [])),
                "exit_status": manifest.get("exit_status"),
            }
        )
    return {"run_id": run_id, "workers": workers, "jsonl": feeds, "posts": sorted(posts)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_id")
    parser.add_argument("data_dirs", nargs="*", type=Path, default=[Path("data")])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args(argv)
    result = summary(options.run_id, options.data_dirs)
    if not result["workers"]:
        print(f"no manifest of run {options.run_id} found", file=sys.stderr)
        return 1
    if options.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for worker in result["workers"]:
        print(
            "worker {worker}: {new} new, {revised} revised, {failed} failed,"
            " exit status {exit_status} ({data_dir})".format(**worker)
        )
    for path in result["jsonl"] + result["posts"]:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
