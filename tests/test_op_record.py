"""The Op record module: the registry symgrad.ops hands over, the lookups that read it, and
their errors."""

import dataclasses

import pytest

from symgrad import op_record, ops
from symgrad.errors import SymgradError


def test_the_registry_is_the_ops_literal_itself():
    assert op_record._ops() is ops.OPS
    assert op_record.get("relu") is ops.OPS["relu"]


def test_a_record_added_to_ops_is_seen_by_every_lookup(monkeypatch):
    twin = dataclasses.replace(ops.OPS["sigmoid"], name="sigmoid2", aliases=("sig2",))
    monkeypatch.setitem(ops.OPS, "sigmoid2", twin)
    assert op_record.get("sigmoid2") is twin
    assert op_record.canonical("sig2") == "sigmoid2"
    assert op_record.functions()["sig2"] == 1
    assert "sigmoid2" in op_record.activations()


def test_unknown_op_is_one_clear_error_naming_the_known_ones():
    with pytest.raises(SymgradError, match=r"no operation named 'nope'.*relu"):
        op_record.get("nope")


def test_lookups_before_registration_fail_loudly(monkeypatch):
    monkeypatch.setattr(op_record, "_registry", None)
    with pytest.raises(RuntimeError, match="import symgrad.ops"):
        op_record.get("add")


def test_kink_points_of_one_input_ops():
    assert op_record.kink_points("relu") == (0.0,)
    assert op_record.kink_points("abs") == (0.0,)
    assert op_record.kink_points("sigmoid") == ()
    assert op_record.kink_points("max") == ()  # two inputs: no points on a line


def test_every_name_re_exported_by_ops_is_the_same_object():
    for name in op_record.__all__:
        assert getattr(ops, name) is getattr(op_record, name), name
