"""The `cnop` command: run the local stack, one component, or storage chores.

    cnop up                  DynamoDB Local, Redis, the four services and the edge (Ctrl-C stops)
    cnop up --stores-only    just DynamoDB Local and Redis, to run a component from an IDE
    cnop serve COMPONENT     one of auth, user, inventory, order, edge, in the foreground
    cnop tables create       the DynamoDB tables, where they are missing

Every command reads its configuration once, from the CNOP_* environment (shared.settings).
"""

from __future__ import annotations

import importlib

import click

from shared.settings import SERVICES, Settings, load_settings

COMPONENTS: tuple[str, ...] = (*SERVICES, "edge")


def _settings() -> Settings:
    """The process settings, with a configuration error shown as a usage error."""
    try:
        return load_settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise click.ClickException(f"invalid configuration: {error}") from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """CNOP (Cloud Native Order Processor) developer commands."""


@main.command()
@click.option(
    "--stores-only",
    is_flag=True,
    help="Start only DynamoDB Local and Redis, no services and no edge.",
)
def up(stores_only: bool) -> None:
    """Run the whole local stack in the foreground until Ctrl-C."""
    from shared.stack import StackError, run_stack

    try:
        code = run_stack(_settings(), components=() if stores_only else COMPONENTS)
    except StackError as error:
        raise click.ClickException(str(error)) from error
    raise SystemExit(code)


@main.command()
@click.argument("component", type=click.Choice(COMPONENTS))
def serve(component: str) -> None:
    """Run one COMPONENT (a gRPC service or the edge) until it is told to stop."""
    settings = _settings()
    module = importlib.import_module(f"{component}.server")
    module.serve(settings)


@main.group()
def tables() -> None:
    """DynamoDB table chores."""


@tables.command("create")
def tables_create() -> None:
    """Create every CNOP table that does not exist yet."""
    from shared.dynamo import create_all_tables

    create_all_tables(_settings())
    click.echo("tables ready")


if __name__ == "__main__":
    main()
