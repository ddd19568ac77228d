"""`rnnviz lesson`: the lessons, one phenomenon each, and their checks run headless.

`rnnviz lesson --list`; `rnnviz lesson NAME` prints its text, steps and checks; `rnnviz lesson NAME
--check --seed S` trains its preset and says of each check whether it was seen, with the measured
value (exit status 1 when one was not). Under --json, stdout is one JSON object.
"""

import argparse

from ..core.lessons.lesson import Lesson, lesson_names, load
from ..core.lessons.measures import MEASURES
from ..core.lessons.run import CheckResult, run_lesson
from .numbers import seed
from .output import Output, add_output_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="a lesson (see --list)")
    parser.add_argument("--list", action="store_true", help="the lessons, one line each")
    parser.add_argument(
        "--check", action="store_true", help="train the lesson's preset and evaluate its checks"
    )
    parser.add_argument("--seed", type=seed, default=0, help="training seed (default 0)")
    add_output_arguments(parser, "stdout is one JSON object: the lesson, or its checks' results")


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    if args.list or args.name is None:
        lessons = [load(name) for name in lesson_names()]
        out.record({"lessons": [{"name": x.name, "title": x.title} for x in lessons]})
        for lesson in lessons:
            out.say(f"{lesson.name:<24} {lesson.title}")
        return 0
    lesson = load(args.name)
    if not args.check:
        _describe(out, lesson)
        return 0
    out.say(f"{lesson.title}: training its preset on {lesson.data}, seed {args.seed}")
    results = run_lesson(lesson, args.seed)
    out.record(
        {
            "lesson": lesson.name,
            "seed": args.seed,
            "passed": all(r.seen for r in results),
            "checks": [_result_record(r) for r in results],
        }
    )
    for result in results:
        mark = "seen" if result.seen else "NOT SEEN"
        out.say(f"  [{mark}] {result.check.claim} (measured {result.value:.3g})")
    missing = sum(not r.seen for r in results)
    if missing:
        out.say(f"{missing} of {len(results)} checks not seen")
    return 1 if missing else 0


def _result_record(result: CheckResult) -> dict:
    check = result.check
    return {
        "claim": check.claim,
        "measure": check.measure,
        "run": check.run,
        "at": check.at,
        "bound": check.bound,
        "value": result.value,
        "seen": result.seen,
    }


def _describe(out: Output, lesson: Lesson) -> None:
    out.record({"lesson": lesson.name, "title": lesson.title, "text": lesson.text})
    out.say(lesson.title)
    out.say(lesson.text)
    if lesson.equation:
        out.say(f"  {lesson.equation}")
    out.say(f"data: {lesson.data}; runs: {', '.join(r.label for r in lesson.runs)}")
    for i, step in enumerate(lesson.steps, 1):
        out.say(f"{i}. {step}")
    out.say("checks:")
    for check in lesson.checks:
        what = MEASURES[check.measure][1]
        out.say(f"  - {check.claim} ({what} of {check.run} {check.bound})")
