"""--params files: a missing key named with its shape, a byte-order mark accepted, a
duplicate key refused."""

from __future__ import annotations

import json

from click.testing import CliRunner
from support.mlp import (
    LECTURE,
    cli_error,
)

from symgrad.cli import cli


def test_missing_key_names_key_and_shape(tmp_path):
    params = {k: v for k, v in LECTURE.items() if k != "b2"}
    assert "b2: missing key (expected shape (3,))" in cli_error(
        ["--layers", "3,4,3,2"], tmp_path, params
    )


def test_params_file_with_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(LECTURE).encode("utf-8"))
    run = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,4,3,2", "--params", str(path), "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["check"]["passed"] is True


def test_duplicate_key_in_params_file_is_rejected(tmp_path):
    text = json.dumps(LECTURE)[:-1] + ', "W1": [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]}'
    message = cli_error(["--layers", "3,4,3,2"], tmp_path, text)
    assert message.endswith(f"params: duplicate key W1 in {tmp_path / 'p.json'}")
