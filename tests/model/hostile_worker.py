"""A child process that opens hostile inputs under a memory cap and reports what happened.

Started by the ``hostile_worker`` fixture (conftest.py) with ``RLIMIT_AS`` set; reads one
JSON request per line on stdin and answers one JSON line on stdout:

    {"kind": "session", "path": P}                  Session.load(P)
    {"kind": "script", "text": T, "sizes": [...]}   parse, plan and time the script

Answer: ``outcome`` ("ok", or the exception's class name), ``message`` (its text, cut to
2,000 characters, with its length), ``seconds`` (wall time of the call) and ``peak_mb``
(the process's peak resident memory so far, from ``ru_maxrss``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(request: dict) -> None:
    if request["kind"] == "session":
        from mlpviz.model.session import Session

        Session.load(request["path"])
        return
    from mlpviz.model.script import parse_script, plan_events
    from mlpviz.model.timeline import Timeline

    actions = parse_script(request["text"])
    plan = plan_events(actions, request["sizes"], n_samples=100)
    Timeline.from_events(plan, fps=120, seconds_per_stage=0.6, seconds_per_train=2.0)


def main() -> None:
    warnings.simplefilter("error")  # a warning would reach a user's terminal: report it
    from mlpviz.model.session import Session  # noqa: F401  (imports before the first timing)

    print(json.dumps({"ready": True, "peak_mb": _peak_mb()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        start = time.perf_counter()
        try:
            _run(request)
            outcome, message = "ok", ""
        except BaseException as exc:  # the parent decides which outcomes are allowed
            outcome, message = type(exc).__name__, str(exc)
        answer = {"outcome": outcome, "message": message[:2000], "length": len(message),
                  "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
