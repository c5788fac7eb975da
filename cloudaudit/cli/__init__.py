"""The ``cloudaudit`` command line."""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from cloudaudit._version import __version__
from cloudaudit.cli._common import (
    EXIT_CONFIG,
    EXIT_FAIL,
    EXIT_OK,
    as_of_option,
    complete_policy,
    config_errors,
    fail_on_option,
    parse_options,
    quiet_option,
    resolve_policy,
    run_and_emit,
    write_atomic,
)
from cloudaudit.cli._once import OnceGroup
from cloudaudit.cli._outputs import NonEmptyPath, format_option, output_option
from cloudaudit.errors import CloudAuditError
from cloudaudit.outcome import EXIT_INTERRUPTED
from cloudaudit.report import Report

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

# Commands that are not providers. The provider commands come from the provider table
# (cloudaudit._provider_table) and the ``cloudaudit.providers`` entry points: each is imported
# only when used, so that `cloudaudit --help` never imports a cloud SDK.
OTHER_COMMANDS: dict[str, tuple[str, str]] = {
    "inventory": (
        "cloudaudit.cli.inventory",
        "Judge resources from inventory files and exports (Config, Asset, Graph...).",
    ),
}


class _LazyAuditGroup(OnceGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        from cloudaudit.providers._registry import provider_names

        return sorted({*provider_names(), *OTHER_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in OTHER_COMMANDS:
            module_name = OTHER_COMMANDS[cmd_name][0]
            command: click.Command = importlib.import_module(module_name).command
            return command
        from cloudaudit.providers._registry import provider_class, provider_specs

        spec = provider_specs().get(cmd_name)
        if spec is None:
            return None
        if spec.cli is not None:
            command = importlib.import_module(spec.cli).command
            return command
        from cloudaudit.cli._plugin import plugin_command

        try:
            cls = provider_class(cmd_name)
        except CloudAuditError as exc:
            return _unavailable(cmd_name, str(exc))
        return plugin_command(spec, cls)


def _unavailable(name: str, why: str) -> click.Command:
    @click.command(name=name, help=why, context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def unavailable(args: tuple[str, ...]) -> None:
        click.echo(f"error: {why}", err=True)
        sys.exit(EXIT_CONFIG)

    return unavailable


def _people_or_json(people: str, default: str | None = None) -> Callable[[F], F]:
    """``--format PEOPLE|json`` for the commands that are not audits."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice((people, "json")),
        default=default or people,
        show_default=True,
        help=f"{people} for people, json for machines.",
    )


class _Main(OnceGroup):
    """The top-level group: Ctrl-C anywhere exits 130 with one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cloudaudit")
def main() -> None:
    """Where does our data really live, and who operates the place it lives in?

    \b
    Exit codes:
      0  nothing to fail on
      1  a --fail-on condition holds (default: a violation); `diff`: new violations
      2  usage or configuration error (also: a missing SDK extra)
      3  not audited: a provider audited no scope, or its credentials were refused
         (whatever --fail-on says)
    130  interrupted (Ctrl-C)

    \b
    Shell completion (bash, zsh, fish):
      eval "$(_CLOUDAUDIT_COMPLETE=bash_source cloudaudit)"
      eval "$(_CLOUDAUDIT_COMPLETE=zsh_source cloudaudit)"
      _CLOUDAUDIT_COMPLETE=fish_source cloudaudit | source
    """  # noqa: D301 - \b is click's no-rewrap marker


SDK_LOGGERS = ("azure", "google", "alibabacloud", "Tea")
"""Cloud SDK loggers whose warnings (e.g. every credential DefaultAzureCredential tried) would
otherwise reach stderr through logging's last resort; what failed is in the coverage gaps."""


@main.group(cls=_LazyAuditGroup)
def audit() -> None:
    """Audit a cloud (or an inventory file) against a policy."""
    for name in SDK_LOGGERS:
        sdk = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in sdk.handlers):
            sdk.addHandler(logging.NullHandler())  # still propagates to handlers a user set up


@main.command()
@click.option(
    "--policy",
    default="us-foreign-adversaries",
    show_default=True,
    shell_complete=complete_policy,
    help="Built-in policy to run the demo with (the demo adds two exemptions).",
)
@click.option(
    "--option",
    "policy_options",
    multiple=True,
    metavar="NAME=true|false",
    help="Set a policy option, e.g. --option us_dpf=true (repeatable).",
)
@format_option()
@output_option()
@as_of_option
@fail_on_option(default=("never",))
@quiet_option
@config_errors
def demo(
    policy: str,
    policy_options: tuple[str, ...],
    fmt: str,
    output: Path | None,
    as_of: datetime | None,
    fail_on: tuple[str, ...],
    quiet: bool,
) -> None:
    """Audit a built-in sample estate on four clouds. No credentials, no network.

    Takes the audits' --option and --as-of, so a policy option or a date can be tried on it.
    Exits 0 unless --fail-on is given (the demo is expected to find violations).
    """
    from cloudaudit._audit import audit as run_audit
    from cloudaudit.demo import demo_policy, demo_providers

    pol = demo_policy(policy, options=parse_options(policy_options) or None)
    today = as_of.date() if as_of is not None else None

    def make(progress: Callable[..., None] | None = None) -> Report:
        return run_audit(list(demo_providers()), pol, progress=progress, today=today)

    run_and_emit(make, fmt, output, fail_on=fail_on, quiet=quiet)


@main.command("diff")
@click.argument("old", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path))
@_people_or_json("text")
@click.option(
    "--output",
    type=NonEmptyPath(dir_okay=False, path_type=Path),
    default=None,
    help="Write the diff to FILE (atomically) instead of stdout.",
)
def diff_command(old: Path, new: Path, fmt: str, output: Path | None) -> None:
    """Show the drift from report OLD.json to report NEW.json.

    Lists new violations, resolved ones, newly unknown resources and coverage changes.
    Exits 1 when something new violates, 0 otherwise, 2 when a file is not a report.
    """
    from cloudaudit.cli._render import render_diff
    from cloudaudit.diff import diff

    d = diff(read_report(old), read_report(new))
    text = d.model_dump_json(indent=2) + "\n" if fmt == "json" else render_diff(d)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
    sys.exit(EXIT_FAIL if d.new_violations else EXIT_OK)


def read_report(path: Path) -> Report:
    """Read a saved JSON report, or exit 2 with one line saying why the file is not one."""
    from pydantic import ValidationError

    try:
        return Report.from_json(path.read_bytes())
    except OSError as exc:
        why = exc.strerror or str(exc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        why = f"{first['msg']} at {where}" + (
            f" ({exc.error_count()} problems)" if exc.error_count() > 1 else ""
        )
    click.echo(
        f"error: {path} is not a cloudaudit JSON report: {why}; give a file written by "
        "--format json",
        err=True,
    )
    sys.exit(EXIT_CONFIG)


@main.command("render")
@click.argument("report_file", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path))
@format_option()
@output_option()
@quiet_option
def render_command(report_file: Path, fmt: str, output: Path | None, quiet: bool) -> None:
    """Render a saved JSON report (REPORT_FILE) again, in any format: no audit, no cloud call.

    The output is byte for byte what the audit would have written in that format.
    """
    from cloudaudit.cli._common import emit_report

    emit_report(read_report(report_file), fmt, output, quiet=quiet)


@main.group(cls=OnceGroup, invoke_without_command=True)
@_people_or_json("text")
@click.pass_context
def policies(ctx: click.Context, fmt: str) -> None:
    """List the built-in policies with their citations."""
    if ctx.invoked_subcommand is not None:
        return
    from cloudaudit.policies import builtin_policy_names, load_policy

    loaded = [(name, load_policy(name)) for name in builtin_policy_names()]
    if fmt == "json":
        rows = [
            {
                "name": name,
                "id": p.id,
                "version": p.version,
                "title": p.title,
                "citation": p.citation,
                "effective": str(p.effective),
                "reviewed": str(p.reviewed),
                "link": p.link,
            }
            for name, p in loaded
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for name, p in loaded:
        click.echo(
            f"{name}\n    {p.title}\n    citation: {p.citation}; effective "
            f"{p.effective}; reviewed {p.reviewed}\n    {p.link}"
        )


@policies.command("show")
@click.argument("name")
@click.option("--option", "policy_options", multiple=True, metavar="NAME=true|false")
@config_errors
def policies_show(name: str, policy_options: tuple[str, ...]) -> None:
    """Show one policy: its lists, countries, options and exemptions."""
    from cloudaudit.catalog import country_name
    from cloudaudit.policies import load_lists

    p = resolve_policy(name, policy_options)
    click.echo(f"{p.id} (version {p.version})\n{p.title}\n\n{p.description}\n")
    click.echo(
        f"citation: {p.citation}\neffective: {p.effective}\nreviewed: {p.reviewed}\n"
        f"link: {p.link}\naxes: {', '.join(p.axes)}\nunknown counts as: {p.unknown}"
    )
    rules = p.rules
    click.echo(f"\n{rules.mode} countries:")
    for code in sorted(rules.countries):
        click.echo(f"  {code}  {country_name(code)}  ({rules.countries[code].list.citation})")
    for code in sorted(rules.subdivisions) + sorted(rules.partial_subdivisions):
        click.echo(f"  {code}  {country_name(code)}")
    for code, (_term, opt) in sorted(rules.excluded_by_option.items()):
        click.echo(f"  ({code} {country_name(code)} only with option {opt}=true)")
    lists = load_lists()
    for src in rules.sources:
        if src in lists:
            for opt_name, spec in lists[src].options.items():
                value = p.options.get(opt_name, spec.default)
                click.echo(f"\noption {opt_name} = {str(value).lower()}: {spec.doc}")
    for ex in p.exemptions:
        click.echo(f"\nexemption: {ex.describe()}: {ex.reason} (expires {ex.expires or 'never'})")


@main.command()
@click.argument("provider")
@click.argument("region")
@click.option("--zone", default=None, help="Availability zone (e.g. us-east-1-bue-1a).")
@_people_or_json("table", default="json")
@config_errors
def locate(provider: str, region: str, zone: str | None, fmt: str) -> None:
    """Show what the catalog knows about a provider's region (exit 1 when it knows nothing)."""
    from cloudaudit.catalog import locate as do_locate
    from cloudaudit.models import ProviderId

    try:
        pid = ProviderId(provider)
    except ValueError:
        known = ", ".join(p.value for p in ProviderId)
        raise click.BadParameter(
            f"{provider!r}; use one of: {known}", param_hint="PROVIDER"
        ) from None
    place = do_locate(pid, region, zone)
    if fmt == "json":
        click.echo(json.dumps(place.model_dump(mode="json"), indent=2))
    else:
        for key, value in place.model_dump(mode="json").items():
            if value not in (None, [], ""):
                shown = ", ".join(value) if isinstance(value, list) else value
                click.echo(f"{key:<17} {shown}")
    if not place.known:
        why = place.notes if place.kind.value == "unknown" and place.notes else ""
        click.echo(
            f"note: {provider} {region} is not in the catalog; audits report it as unknown."
            + (f" {why}" if why else ""),
            err=True,
        )
        sys.exit(EXIT_FAIL)


def _add_report_commands() -> None:
    """Commands that work on saved reports (DORA register feed, evidence replay)."""
    from cloudaudit.cli.dora import dora_diff_command, dora_roi_command
    from cloudaudit.cli.evidence import replay_command, verify_command
    from cloudaudit.cli.guardrails import guardrails_command

    main.add_command(dora_roi_command)
    main.add_command(dora_diff_command)
    main.add_command(replay_command)
    main.add_command(verify_command)
    main.add_command(guardrails_command)


_add_report_commands()
