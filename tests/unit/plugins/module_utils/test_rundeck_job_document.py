"""What rundeck_job sends: checked definitions, import documents, switches, warnings."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import canonical_job
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_document import (
    check_definition,
    convergence_warning,
    definition_uuid,
    import_document,
    same_identity,
    switch_only,
)

STEPS = {"commands": [{"exec": "true"}]}
JOB_ID = "5f0e6c1a-8d2b-4f3c-9a4e-1b2c3d4e5f60"


def record(definition, job_id=JOB_ID):
    canonical = canonical_job(definition)
    return dict(id=job_id, name=canonical["name"], group=canonical.get("group", ""), project="web",
                href=None, permalink=None, definition=canonical)


@pytest.mark.parametrize("definition, problem", [
    ("name: deploy", "must be a mapping"),
    ({"sequence": STEPS}, "has no name"),
    ({"name": "  ", "sequence": STEPS}, "has no name"),
    ({"name": "ops/deploy", "sequence": STEPS}, "put the folder part in group"),
    ({"name": "deploy"}, "sequence.commands must list at least one step"),
    ({"name": "deploy", "sequence": {"commands": []}}, "sequence.commands must list at least one step"),
])
def test_definitions_rundeck_could_not_import_are_refused(definition, problem):
    with pytest.raises(InputError, match=problem.replace(".", r"\.")):
        check_definition(definition)


def test_an_existing_job_keeps_its_uuid_and_its_switches():
    current = record({"name": "deploy", "executionEnabled": False, "scheduleEnabled": False, "sequence": STEPS})
    document = import_document({"name": "deploy", "id": "ignored", "sequence": STEPS}, current)
    assert document["uuid"] == JOB_ID
    assert "id" not in document
    assert document["executionEnabled"] is False and document["scheduleEnabled"] is False


def test_switches_given_win_over_the_definition_and_the_server():
    current = record({"name": "deploy", "executionEnabled": False, "sequence": STEPS})
    document = import_document({"name": "deploy", "executionEnabled": False, "sequence": STEPS}, current,
                               {"executionEnabled": True, "scheduleEnabled": None})
    assert document["executionEnabled"] is True
    assert document["scheduleEnabled"] is True


def test_a_new_job_gets_the_server_defaults_for_unset_switches():
    document = import_document({"name": "deploy", "sequence": STEPS}, None)
    assert "executionEnabled" not in document and "uuid" not in document


def test_only_switches_differing_are_flipped_without_an_import():
    current = record({"name": "deploy", "sequence": STEPS})
    wanted = record({"name": "deploy", "executionEnabled": False, "scheduleEnabled": False, "sequence": STEPS})
    assert switch_only(current, wanted) == [("execution", False), ("schedule", False)]
    wanted = record({"name": "deploy", "executionEnabled": False, "description": "new", "sequence": STEPS})
    assert switch_only(current, wanted) is None


def test_a_job_stored_differently_from_its_definition_is_reported():
    wanted = record({"name": "deploy", "description": "x", "sequence": STEPS})
    assert convergence_warning(record({"name": "deploy", "description": "x", "sequence": STEPS}), wanted) is None
    warning = convergence_warning(record({"name": "deploy", "sequence": STEPS}), wanted)
    assert "deploy (%s)" % JOB_ID in warning and "in: description" in warning


def test_identity_options_win_over_the_definition():
    definition = same_identity({"name": "a", "group": "x", "id": "old", "sequence": STEPS}, uuid="new", name="b",
                               group="/y/")
    assert definition == {"name": "b", "group": "y", "uuid": "new", "sequence": STEPS}
    assert definition_uuid({"id": "from-export"}) == "from-export"
    assert definition_uuid({"name": "only"}) is None
