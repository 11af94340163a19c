"""``simulate frontier SCENARIO --budget B``: the best mixes of programmes for a budget.

Every mix of the scenario's templates (or ``--templates``) with 0 to ``--max-count``
copies each whose expected R&D spend is within the budget is evaluated on the same
futures; the Pareto set on mean NPV against the downside (``--measure``) is printed,
confirmed by full runs, and written with every mix to ``frontier.csv``, drawn in
``frontier.png`` and put in ``report.html`` beside the run of today's portfolios.
"""

from __future__ import annotations

import click

from simulator.cli.app import (
    BACKENDS,
    echo_written,
    extends_option,
    fail,
    format_option,
    load,
    main,
    progress_wanted,
)
from simulator.cli.options import output_dir, progress_bar, usage_error
from simulator.core.errors import ScenarioError

#: ``--measure`` choices: ``simulator.studies.mixes.MEASURES``, named here so that
#: ``simulate --help`` imports nothing heavy (tests/studies/test_frontier.py holds them equal)
MEASURES = ("cvar05", "prob_loss", "prob_no_launch")


@main.command("frontier")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--budget",
    required=True,
    metavar="USD_M|PORTFOLIO",
    help="Expected R&D spend a mix may use: USD millions, or a portfolio's name "
    "(its budget block's cap, else its mean spend).",
)
@click.option("--templates", metavar="A,B,...", help="Templates to combine (default: all).")
@click.option(
    "--max-count",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Copies of each template a mix may hold.",
)
@click.option(
    "--measure",
    type=click.Choice(MEASURES),
    default="cvar05",
    show_default=True,
    help="The downside the frontier trades mean NPV against.",
)
@click.option(
    "--basis",
    type=click.Choice(["oop", "pv"]),
    help="Spend counted against the budget (default: the portfolio's, else oop).",
)
@click.option(
    "--confirm",
    default="all",
    show_default=True,
    metavar="all|none|N",
    help="Re-run the Pareto mixes in full (all, none, or the N best by mean).",
)
@click.option(
    "--annual-budget",
    type=click.FloatRange(min=0, min_open=True),
    help="An annual R&D budget (USD M) for the confirming full runs.",
)
@click.option("-n", "--iterations", type=click.IntRange(min=1), help="Iterations per mix.")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="Override a field.")
@click.option("--backend", type=click.Choice(BACKENDS), default="local", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes for --backend local.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Output directory.")
@click.option("--no-report", is_flag=True, help="Write frontier.csv and frontier.png only.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@format_option
@extends_option
def frontier_command(
    scenario,
    budget,
    templates,
    max_count,
    measure,
    basis,
    confirm,
    annual_budget,
    iterations,
    seed,
    sets,
    backend,
    workers,
    out_dir,
    no_report,
    quiet,
    fmt,
    allow_extends_outside,
):
    """The efficient frontier of SCENARIO's templates under an R&D budget."""
    from simulator.report.atomic import write_directory
    from simulator.report.strategy import plot_frontier
    from simulator.studies.frontier import FrontierError, frontier_run

    try:
        s = load(scenario, sets, allow_extends_outside, iterations=iterations, seed=seed)
    except ScenarioError as exc:
        fail(exc)
    confirm_value = _confirm(confirm)
    names = [t.strip() for t in templates.split(",")] if templates else None
    if names is not None and not all(names):
        usage_error(f"--templates: expected names separated by commas, got {templates!r}")
    out = output_dir(out_dir, s.name, "frontier")
    bar, progress = progress_bar(progress_wanted(quiet), "simulating programmes")
    try:
        with bar:
            table, base = frontier_run(
                s,
                budget,
                templates=names,
                max_count=max_count,
                measure=measure,
                basis=basis,
                confirm=confirm_value,
                annual_budget_musd=annual_budget,
                backend=backend,
                workers=workers,
                progress=progress,
            )
    except FrontierError as exc:
        usage_error(str(exc))

    def write(d):
        table.to_csv(d / "frontier.csv", index=False, float_format="%.6g")
        from matplotlib.figure import Figure

        fig = Figure(figsize=(9, 5.5), dpi=120)
        plot_frontier(table, ax=fig.subplots())
        fig.tight_layout()
        fig.savefig(d / "frontier.png")
        if not no_report:
            from simulator.report.html import write_report
            from simulator.results.result import Result

            write_report(Result(base), d / "report.html", tables={"frontier": table})

    out = write_directory(out, write, scenario=s)  # a sibling if another run took out
    if echo_written(fmt, out / "frontier.csv", {"mixes": table}, scenario=s.name):
        return
    click.echo(format_frontier(table, s))
    click.echo(
        f"\noutputs: {out}/  (frontier.csv, frontier.png{'' if no_report else ', report.html'})"
    )


def _confirm(text: str) -> bool | int:
    if text in ("all", "none"):
        return text == "all"
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        usage_error(f"--confirm: expected all, none or a whole number, got {text!r}")
    return value


def format_frontier(table, scenario) -> str:
    """The frontier as the terminal prints it: the Pareto mixes, then today's portfolios."""
    from simulator.report.strategy import mix_label, where_today_sits

    a = table.attrs
    column = {
        "cvar05": "cvar05_musd",
        "prob_loss": "prob_loss",
        "prob_no_launch": "prob_no_launch",
    }[a["measure"]]
    sec = a["seconds"]
    lines = [
        f"{scenario.name}: frontier of {len(a['templates'])} templates (0-{a['max_count']} each) "
        f"within an expected R&D spend ({a['basis']}) of {a['budget_musd']:,.0f} USD M "
        f"({a['budget_label']}); {a['iterations']:,} iterations per mix, seed {a['seed']}",
        f"{len(table):,} mixes evaluated in {sec['evaluate']:.1f} s ({a['mixes_per_second']:,.0f}"
        f" a second) after {sec['simulate']:.1f} s simulating; confirmed in {sec['confirm']:.1f} s",
        "",
        f"{'Pareto mix':<64}{'spend':>8}{'mean NPV':>10}{'downside':>10}{'recomb. err':>12}",
    ]
    fmt = "{:,.0f}" if column.endswith("musd") else "{:.1%}"
    for _, r in table[table["pareto"]].iterrows():
        err = r.get("recombination_error_mean_musd", float("nan"))
        lines.append(
            f"{mix_label(r, a['templates'])[:63]:<64}{r['spend_' + a['basis'] + '_musd']:>8,.0f}"
            f"{r['npv_mean_musd']:>10,.0f}{fmt.format(r[column]):>10}"
            f"{'-' if err != err else f'{err:+.2g}':>12}"
        )
    lines += ["", f"downside: {a['measure']}; today's portfolios:"]
    for p, r in where_today_sits(table).iterrows():
        text = (
            f"  {p}: spend {r['spend_' + a['basis'] + '_musd']:,.0f}, mean NPV "
            f"{r['npv_mean_musd']:,.0f}, downside {fmt.format(r[column])}"
        )
        if isinstance(r.get("best_mix_as_safe"), str):
            text += (
                f"; the best mix at least as safe: {r['best_mix_as_safe']} "
                f"(mean {r['its_npv_mean_musd']:,.0f}, {r['gap_musd']:+,.0f})"
            )
        lines.append(text)
    return "\n".join(lines)
