"""The backend answers as real AWS did: one test per scenario of tests/data/aws_recorded/scenarios.json.

Each scenario is a sequence of IAM calls with AWS's recorded answers (provenance in the data's README);
tests/contract/recorded.py replays it on a fresh account. Scenarios we knowingly fail are listed in
aws_recorded_gaps.py and run as strict xfails, so fixing one makes its entry fail until it is removed.
"""

import pytest

from tests.contract import recorded
from tests.contract.aws_recorded_gaps import GAPS


def _param(scenario):
    gap = GAPS.get(scenario["id"])
    marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
    return pytest.param(scenario, id=scenario["id"], marks=marks)


@pytest.mark.parametrize("scenario", [_param(s) for s in recorded.scenarios()])
def test_the_backend_answers_as_aws_did(account, scenario):
    if recorded.unsatisfiable(scenario):
        pytest.skip(f"needs {', '.join(recorded.unsatisfiable(scenario))}")
    results = recorded.run_scenario(scenario, account)

    failures = [str(result) for result in results if result.status == "fail"]
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
    if not any(result.counted for result in results):
        pytest.skip("; ".join(f"{r}" for r in results if r.status == "skip") or "no step to check")


def test_every_listed_gap_is_a_scenario():
    assert set(GAPS) - {s["id"] for s in recorded.scenarios()} == set()


# The runner itself: it must be able to fail, and it must read the recorded tokens as AWS wrote them.


def _scenario(*steps, placeholders=None):
    return {
        "id": "self-test",
        "names": {"user1": "user-"},
        "placeholders": placeholders or {},
        "steps": list(steps),
    }


def _create_user(**expect):
    return {
        "op": "CreateUser",
        "method": "create_user",
        "params": {"UserName": "{{user1}}"},
        "expect": expect,
    }


def test_the_runner_matches_a_recorded_message_with_its_tokens(account):
    duplicate = _create_user(
        error={
            "Code": "EntityAlreadyExists",
            "Message": "User with name <user-name:1> already exists.",
            "HTTPStatusCode": 409,
            "Type": "Sender",
        }
    )
    scenario = _scenario(_create_user(fields=["User"]), duplicate, placeholders={"<user-name:1>": "user1"})

    assert [r.status for r in recorded.run_scenario(scenario, account)] == ["pass", "pass"]


def test_the_runner_fails_a_step_whose_message_names_the_wrong_entity(account):
    scenario = _scenario(
        _create_user(ok=True),
        _create_user(
            error={"Code": "EntityAlreadyExists", "Message": "User with name someone-else already exists."}
        ),
    )

    second = recorded.run_scenario(scenario, account)[1]

    assert second.status == "fail"
    assert "message differs" in second.detail


def test_the_runner_fails_on_missing_or_extra_output_members(account):
    scenario = _scenario(_create_user(fields=["User", "Extra"]))

    (result,) = recorded.run_scenario(scenario, account)

    assert result.status == "fail"
    assert result.detail == "top-level members differ: missing ['Extra'], extra []"


def test_the_runner_substitutes_the_account_id_and_saved_values(account):
    get = {
        "op": "GetUser",
        "method": "get_user",
        "params": {"UserName": "{{user1}}"},
        "expect": {"ok": True},
        "asserts": [{"path": "User.Arn", "eq": "arn:aws:iam::{{account}}:user/{{user1}}"}],
    }
    missing = {
        "op": "GetUser",
        "method": "get_user",
        "params": {"UserName": "ghost"},
        "expect": {
            "error": {"Code": "NoSuchEntity", "Message": "The user with name <anything> cannot be found."}
        },
    }
    scenario = _scenario({**_create_user(ok=True), "save": {"id1": "User.UserId"}}, get, missing)

    assert [r.status for r in recorded.run_scenario(scenario, account)] == ["pass", "pass", "pass"]


def test_the_runner_calls_as_the_named_user_for_as_user_steps(account):
    denied = {
        "op": "GetUser",
        "method": "get_user",
        "params": {},
        "as_user": "user1",
        "expect": {
            "error": {
                "Code": "AccessDenied",
                "Message": "User: arn:<partition>:iam::111111111111:user/<user-name:1> is not authorized to perform: "
                "iam:GetUser on resource: arn:<partition>:iam::111111111111:user/<user-name:1> because no "
                "identity-based policy allows the iam:GetUser action",
            }
        },
    }
    scenario = _scenario(_create_user(ok=True), denied, placeholders={"<user-name:1>": "user1"})

    assert [r.status for r in recorded.run_scenario(scenario, account)] == ["pass", "pass"]


def test_the_runner_computes_totp_codes_from_a_seed_given_as_bytes(account):
    run = recorded.ScenarioRun(_scenario(), account)
    run.vars["seed"] = b"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's SHA-1 test key, in Base32
    run.clock = 1111111141  # RFC 6238: T=1111111111 gives 050471, T=1111111109 gives 081804

    codes = run.resolve([{"$totp": "seed", "offset": -1}, {"$totp": "seed", "offset": -2, "as": "kept"}])

    assert codes == ["050471", "081804"]
    assert run.resolve("{{kept}}") == "081804"
