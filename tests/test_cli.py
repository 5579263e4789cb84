"""The command group: the commands a user and the docs rely on, --help and --version, --debug
anywhere, and an unknown command as exit 2 (each command: tests/cli/test_<command>.py)."""

from click.testing import CliRunner

from symgrad.cli import cli

COMMANDS = {"derive", "mlp", "jacobian", "kinds", "exercise", "stress", "homework", "check"}
COMMANDS |= {"grade", "serve"}


def test_the_group_has_the_documented_commands():
    assert COMMANDS <= set(cli.commands), COMMANDS - set(cli.commands)
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name}" in result.output, name


def test_short_help_option_and_version():
    assert CliRunner().invoke(cli, ["-h"]).output == CliRunner().invoke(cli, ["--help"]).output
    version = CliRunner().invoke(cli, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("symgrad ")


def test_unknown_command_is_exit_2():
    result = CliRunner().invoke(cli, ["derivee", "x"])
    assert result.exit_code == 2 and "derivee" in result.output


def test_every_command_has_help_with_an_example_or_usage():
    for name in COMMANDS:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert result.output.startswith(f"Usage: cli {name}") or f"{name} [OPTIONS]" in (
            result.output
        ), name
