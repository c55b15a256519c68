"""`luth plan configs/runs/luth_paper.yaml`: how long the offline dry run takes, end to end (a
fresh `luth` process: imports, configuration, plan, tables) and the plan itself in process.

Targets: the command within 10 s and the plan within 5 s on this project's 2-core machine
("in seconds" on a fresh clone). Last line: JSON with the figures and targets; exit 1 on a miss.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAPER = REPO / "configs/runs/luth_paper.yaml"
COMMAND_TARGET_S = 10.0
PLAN_TARGET_S = 5.0


def main() -> int:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "luth_assets.cli", "plan", str(PAPER), "--json", "-"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    command_s = time.perf_counter() - t0
    if run.returncode != 0:
        print(run.stderr[-2000:])
        return 1
    plan = json.loads(run.stdout)
    print(f"luth plan {PAPER.name}: {command_s:.1f} s end to end, plan {plan['seconds']:.1f} s; "
          f"{plan['sft']['rows']:,} SFT rows, {plan['totals']['llm_requests']:,} LLM requests, "
          f"{plan['totals']['gpu_hours']:.1f} GPU-hours")
    result = {"command_s": round(command_s, 2), "plan_s": plan["seconds"],
              "sft_rows": plan["sft"]["rows"], "command_target_s": COMMAND_TARGET_S,
              "plan_target_s": PLAN_TARGET_S}
    result["ok"] = command_s <= COMMAND_TARGET_S and plan["seconds"] <= PLAN_TARGET_S
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
