"""``check``: listen to the built guides and say, with times to jump to, what is not as written.

Exit 0 when every guide is within tolerance, 1 when one is not; the report goes to the
terminal (every sentence, every hold, the pace and loudness, then one table) and, with
``--json``, to a file for a podcast's own CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import check as listening
from ..check import DEFAULT_PACE, GuideCheck, Tolerances, clock
from ..errors import UsageError
from ..files import write_text
from ..script import load_scripts
from .app import cli, handle_errors
from .shared import OUT_OPTION, SCRIPT_ARGS, settings

DEFAULTS = Tolerances()


@cli.command()
@SCRIPT_ARGS
@OUT_OPTION
@click.option("--json", "json_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the whole report here, as JSON.")
@click.option("--suggest", is_flag=True,
              help="For each word heard wrong, try respellings with the same voice and propose a lexicon entry.")
@click.option("-q", "--quiet", is_flag=True, help="Print only what is out of tolerance, and the table.")
@click.option("--timing", type=float, default=DEFAULTS.timing, show_default=True,
              help="Seconds a hold, pause or break may be off where the track is silent around it.")
@click.option("--timing-bed", type=float, default=DEFAULTS.timing_bed, show_default=True,
              help="The same over a bed (a word's fading tail sinks under it).")
@click.option("--loudness", type=float, default=DEFAULTS.loudness, show_default=True,
              help="LU the integrated loudness may be off the script's target.")
@click.option("--true-peak", type=float, default=DEFAULTS.true_peak, show_default=True,
              help="Highest true peak allowed, dBTP.")
@click.option("--pace", default=f"{DEFAULT_PACE[0]:g}-{DEFAULT_PACE[1]:g}", show_default=True,
              help="Words a minute each section may take (sentence gaps counted, timed pauses not).")
@click.option("--words", "content_words", type=int, default=DEFAULTS.content_words, show_default=True,
              help="Content words that may be missed or misheard per guide.")
@handle_errors
def check(scripts: tuple[Path, ...], out_dir: Path | None, json_path: Path | None, suggest: bool, quiet: bool,
          timing: float, timing_bed: float, loudness: float, true_peak: float, pace: str,
          content_words: int) -> None:
    """Listen to built guides and compare them with their scripts (default: every guide built).

    For each guide: every sentence as heard, with each word missed or misheard and its time
    (m:ss); every hold, pause and break as measured; the pace of each section; loudness and
    true peak. Needs the optional recogniser: pip install 'audio-guide[check]'.
    """
    tolerances = Tolerances(timing=timing, timing_bed=timing_bed, loudness=loudness, true_peak=true_peak,
                            pace=_pace(pace), content_words=content_words)
    chosen = settings(scripts, out_dir, None)
    built = [(g, chosen.out_dir / f"{g.slug}.mp3") for g in load_scripts(chosen.scripts)]
    missing = [(g, mp3) for g, mp3 in built if not mp3.is_file()]
    if scripts and missing:
        guide, mp3 = missing[0]
        raise UsageError(f"{mp3} does not exist: {guide.path} is not built; build it first with: "
                         f"audio-guide build {guide.path}")
    built = [(g, mp3) for g, mp3 in built if mp3.is_file()]
    if not built:
        raise UsageError(f"no built guide in {chosen.out_dir}/; build them first with: audio-guide build")
    listening.ready()  # the install command now, not after the first guide
    reports: list[GuideCheck] = []
    for guide, mp3 in built:
        report = listening.check_guide(guide, mp3, tolerances, _progress)
        reports.append(report)
        _show(report, quiet)
        if suggest and report.content_slips:
            click.echo("  respellings (paste under the script's lexicon:):")
            for line in listening.suggest_respellings(guide, report, _progress):
                click.echo(f"    {line}")
    _table(reports)
    if json_path is not None:
        write_text(json_path, json.dumps({"ok": all(r.ok for r in reports),
                                          "guides": [r.to_dict() for r in reports]}, indent=2) + "\n")
    if not all(r.ok for r in reports):
        raise SystemExit(1)


def _progress(message: str) -> None:
    click.echo(f"{message}...", err=True)  # on stderr: the report on stdout stays clean to pipe


def _pace(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split("-"))
    except ValueError:
        raise UsageError(f"--pace {text}: expected two numbers of words a minute, e.g. --pace 100-130.") from None
    if not 0 < low <= high:
        raise UsageError(f"--pace {text}: expected a low and a high number, low first, e.g. --pace 100-130.")
    return low, high


def _show(report: GuideCheck, quiet: bool) -> None:
    click.echo(f"{report.slug}: {report.mp3}")
    for note in report.notes:
        click.echo(f"  note: {note}")
    if not quiet:
        for sentence in report.sentences:
            mark = "ok" if not sentence.slips else f"{len(sentence.slips)} off"
            click.echo(f"  {clock(sentence.at):>7}  {mark:<6} {'(reminder) ' if sentence.reminder else ''}"
                       f"{sentence.text}")
            for slip in sentence.slips:
                what = f"heard '{slip.heard}'" if slip.heard else "not heard"
                if slip.counts:
                    why = ""
                elif not slip.content:
                    why = " (a function word or another ending: not counted)"
                else:
                    why = f" (heard right alone: '{slip.again}'; not counted)"
                click.echo(f"  {clock(slip.at):>7}         '{slip.word}': {what}{why}")
        for t in report.timings:
            measured = f"{t.measured:.3f}s" if t.measured is not None else "not measured"
            how = "over the bed" if t.bed else "silence"
            click.echo(f"  {clock(t.at):>7}  {'ok' if t.ok else 'OFF':<6} {t.kind} (line {t.line}): {measured} "
                       f"{how}, script {t.expected:.3f}s" + (f"; {t.note}" if t.note else ""))
        for p in report.pace:
            verdict = ("ok" if p.ok else "OFF") if p.judged else "-"
            click.echo(f"  section {p.section + 1}: {verdict:<4} {p.wpm:.0f} words a minute ({p.words} words in "
                       f"{p.seconds:.1f}s of speaking) {p.title}")
        level = report.loudness
        click.echo(f"  loudness: {'ok' if level.ok else 'OFF'}  {level.integrated:.1f} LUFS (target "
                   f"{level.target:g}), true peak {level.true_peak:.1f} dBTP")
    for problem in report.problems():
        click.echo(f"  problem: {problem}")
    click.echo(f"  verdict: {'pass' if report.ok else 'FAIL'}")


def _table(reports: list[GuideCheck]) -> None:
    rows = [("guide", "words", "timings", "pace", "loudness", "verdict")]
    for r in reports:
        slips = len(r.content_slips)
        off_timings = sum(not t.ok for t in r.timings)
        rates = [p.wpm for p in r.pace if p.judged]
        rows.append((r.slug,
                     "-" if not r.words_checked else ("ok" if r.words_ok else f"{slips} off"),
                     "-" if not r.words_checked else (
                         "ok" if r.timings_ok else f"{off_timings} of {len(r.timings)} off"),
                     f"{min(rates):.0f}-{max(rates):.0f} wpm" + ("" if r.pace_ok else " OFF") if rates else "-",
                     f"{r.loudness.integrated:.1f} LUFS" + ("" if r.loudness.ok else " OFF"),
                     "pass" if r.ok else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    click.echo("")
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
