"""Replays the IAM call sequences recorded against real AWS on our backend, step by step.

The data is `tests/data/aws_recorded/scenarios.json` (provenance and format in the README next to it).
`run_scenario(scenario, account)` plays one scenario through the backend contract (`get_backend`) and
returns one `StepResult` per step. `test_aws_recorded.py` makes one test of each scenario, and

    DJANGO_SETTINGS_MODULE=iamconsole.settings python -m tests.contract.recorded --report

prints PASS/FAIL per scenario with the first difference, then `aws-recorded: PASSED/TOTAL steps`.

What is compared: an error's Code, Message (recorded tokens substituted or matched), HTTP status and
fault type; for a success, the set of top-level output members (or of one member's members, or a list
member's length and item members), the scenario's own assertions, and a credential report's CSV.
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import re
import secrets
import sys
import time
import traceback
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

DATA = Path(__file__).resolve().parents[1] / "data" / "aws_recorded" / "scenarios.json"
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
RECORDED_ACCOUNT = "111111111111"  # the account ID as the snapshots wrote it
TEMPLATE = re.compile(r"\{\{(\w+)\}\}")
TOKEN = re.compile(r"<[^<>\s]+>")
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"
MISSING = object()
# Scenario `requires` values we can satisfy locally: a user's own calls run on a backend bound to that user.
SATISFIABLE = {"as_user"}


@cache
def load() -> dict:
    return json.loads(DATA.read_text())


def scenarios() -> list[dict]:
    return load()["scenarios"]


@dataclass
class StepResult:
    """One step's outcome. `status`: pass | fail (both counted) | setup (`any`, not counted) | skip."""

    index: int
    op: str
    status: str
    detail: str = ""

    @property
    def counted(self) -> bool:
        return self.status in ("pass", "fail")

    def __str__(self):
        return f"step {self.index} {self.op}: {self.detail}"


class Mismatch(Exception):
    """The step could not be prepared, or its answer differs from AWS's."""


def text(value):
    """Blobs (TOTP seeds, report content) compared as text."""
    return value.decode() if isinstance(value, bytes | bytearray) else value


def get_path(obj, path: str):
    """`A.B[0].C` -> the value or MISSING; `A[*].B` -> the list of every item's B."""
    current, many = [obj], False
    for part in re.findall(r"\[\*\]|\[\d+\]|[^.\[\]]+", path):
        found = []
        for item in current:
            if part == "[*]":
                many = True
                found.extend(item if isinstance(item, list) else [])
            elif part.startswith("["):
                index = int(part[1:-1])
                if isinstance(item, list) and index < len(item):
                    found.append(item[index])
            elif isinstance(item, dict) and part in item:
                found.append(item[part])
        current = found
    if many:
        return current
    return current[0] if current else MISSING


# ----------------------------------------------------------------------------- generated material


@cache
def _rsa_key(index: int):
    """The index-th RSA key of this process: distinct within a scenario, shared across scenarios
    (each test has its own database, so reuse is invisible and saves the key generation time)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject: str, issuer: str, key, signer, *, ca=False) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    def name(common_name):
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Checks"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )

    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def _private_key(key) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def generate(kind: str, keys) -> str | dict:
    """One `generate` value; `keys()` hands out the scenario's next RSA key. Kinds we do not know how
    to make come from the file's fixtures."""
    from cryptography.hazmat.primitives import serialization

    if kind == "ssh_public_key":
        public = keys().public_key()
        return public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode()
    if kind == "x509_certificate":
        key = keys()
        return _certificate("Signing", "Signing", key, key)
    if kind == "root_cert_and_key":
        key = keys()
        return {"body": _certificate("Root", "Root", key, key, ca=True), "key": _private_key(key)}
    if kind == "cert_with_chain":
        root, leaf = keys(), keys()
        return {
            "chain": _certificate("Chain Root", "Chain Root", root, root, ca=True),
            "body": _certificate("Chain Leaf", "Chain Root", leaf, root),
            "key": _private_key(leaf),
        }
    return load()["fixtures"][kind][0]


# ----------------------------------------------------------------------------- one scenario


class ScenarioRun:
    """The state of one scenario being played: its variables and the account's backends."""

    def __init__(self, scenario: dict, account, *, deep: bool = False):
        self.scenario, self.account, self.deep = scenario, account, deep
        self.vars = {"account": account.account_id, "region": REGION, "partition": "aws"}
        for var, prefix in scenario.get("names", {}).items():
            self.vars[var] = prefix[1:] if prefix.startswith("=") else prefix + secrets.token_hex(4)
        key_count = iter(range(100))
        for var, kind in scenario.get("generate", {}).items():
            value = generate(kind, lambda: _rsa_key(next(key_count)))
            if isinstance(value, dict):
                self.vars.update({f"{var}_{part}": v for part, v in value.items()})
            else:
                self.vars[var] = value
        self.clock = time.time()  # when this scenario's TOTP codes are computed (see tick)

    # -- parameters
    def var(self, name: str):
        if name not in self.vars:
            raise Mismatch(f"{{{{{name}}}}} is not set (an earlier step failed?)")
        return self.vars[name]

    def resolve(self, value):
        if isinstance(value, str):
            whole = TEMPLATE.fullmatch(value)
            if whole:  # keeps the saved value's type (a list, a dict, a number)
                return self.var(whole[1])
            return TEMPLATE.sub(lambda m: str(text(self.var(m[1]))), value)
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            if "$totp" in value:
                return self.totp(value)
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def totp(self, spec: dict) -> str:
        import pyotp

        code = pyotp.TOTP(str(text(self.var(spec["$totp"])))).at(
            self.clock, counter_offset=spec.get("offset", 0)
        )
        if "as" in spec:
            self.vars[spec["as"]] = code
        return code

    # -- calls
    def backend(self, user_var: str | None):
        from iamconsole.backends import get_backend

        if user_var is None:
            return get_backend(self.account)
        from users.models import IAMUser

        user = IAMUser.objects.get(account=self.account, name_lower=str(self.var(user_var)).lower())
        return get_backend(self.account, principal=user)

    def call(self, step: dict, params: dict):
        """The step's output dict, or the IAMError it raised. Any other exception is a Mismatch."""
        from iamconsole.backends import IAMError

        try:
            method = getattr(self.backend(step.get("as_user")), step["method"])
            if step.get("paginate"):
                return self.paginate(method, params, step["paginate"])
            retry = step.get("retry") or {"tries": 1}
            for attempt in range(retry["tries"]):
                out = method(**params)
                if (
                    attempt == retry["tries"] - 1
                    or get_path(out, retry["until"]["path"]) == retry["until"]["eq"]
                ):
                    return out
                time.sleep(0.02)  # local work is quick: AWS's half-second pauses would only slow the suite
        except IAMError as error:
            return error
        except Exception as exc:  # noqa: BLE001 - a crash in an operation is this step's failure
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            raise Mismatch(f"raised {type(exc).__name__}: {exc} ({where})") from exc

    @staticmethod
    def paginate(method, params: dict, members: list[str]) -> dict:
        """Follows Marker until the listing ends; the result holds each listed member, concatenated."""
        full, page_params = {member: [] for member in members}, dict(params)
        for _ in range(1000):
            page = method(**page_params)
            for member in members:
                full[member].extend(page.get(member, []))
            if not page.get("IsTruncated"):
                break
            page_params["Marker"] = page["Marker"]
        return full

    def run(self) -> list[StepResult]:
        results = []
        for index, step in enumerate(self.scenario["steps"], 1):
            op, expect = step["op"], step["expect"]
            if step.get("requires") and step["requires"] not in SATISFIABLE:
                results.append(StepResult(index, op, "skip", f"needs {step['requires']}"))
                continue
            setup = expect.get("any") or step.get("count") is False
            try:
                if '"$totp"' in json.dumps(step["params"]):
                    self.tick()
                params = self.resolve(step["params"])
                answer = self.call(step, params)
                problem = self.check(step, answer)
            except Mismatch as mismatch:
                problem = str(mismatch)
            if setup:
                results.append(StepResult(index, op, "setup", problem or ""))
            else:
                results.append(StepResult(index, op, "fail" if problem else "pass", problem or ""))
        return results

    def tick(self):
        """Reads the clock for this step's TOTP codes, first waiting out the last second of a 30-second
        window so that the codes are still current when the backend checks them."""
        left = 30 - time.time() % 30
        if left < 1:
            time.sleep(left + 0.05)
        self.clock = time.time()

    # -- comparisons
    def check(self, step: dict, answer) -> str | None:
        from iamconsole.backends import IAMError

        expect = step["expect"]
        if "error" in expect:
            return self.check_error(expect["error"], answer)
        if isinstance(answer, IAMError):
            return f"expected success, got {answer.code}: {answer.message}"
        problem = self.check_output(step, answer)
        for var, path in step.get("save", {}).items():
            value = get_path(answer, path)
            if value is MISSING:
                problem = problem or f"{path} missing from the output (needed later as {var})"
            else:
                self.vars[var] = value
        problem = problem or self.check_asserts(step, answer) or self.check_csv(step, answer)
        if problem is None and self.deep and step.get("deep", True) and "recorded" in step:
            member = expect.get("member")
            recorded, view = step["recorded"], self.filtered(step, answer)
            if member:
                recorded, view = recorded[member], view.get(member, MISSING)
            problem = self.compare(recorded, view, member or "", set(step.get("ordered", [])))
            problem = problem and f"deep: {problem}"
        return problem

    def check_error(self, want: dict, error) -> str | None:
        from iamconsole.backends import IAMError

        expected = f"{want['Code']}: {self.expected_text(want.get('Message'))}"
        if not isinstance(error, IAMError):
            return f"expected {expected}, got success"
        if error.code != want["Code"]:
            return f"expected {expected}, got {error.code}: {error.message}"
        if "Message" in want:
            if want["Message"] is None:
                if error.message:
                    return f"AWS sends {want['Code']} without a message, got {error.message!r}"
            elif not self.matches(want["Message"], error.message):
                return f"{error.code} message differs: expected {self.expected_text(want['Message'])!r}, got {error.message!r}"
        if want.get("HTTPStatusCode") not in (None, error.http_status):
            return f"{error.code}: HTTP status {error.http_status}, AWS {want['HTTPStatusCode']}"
        if want.get("Type") not in (None, error.type):
            return f"{error.code}: fault type {error.type}, AWS {want['Type']}"
        return None

    def check_output(self, step: dict, out: dict) -> str | None:
        expect = step["expect"]
        if "member" not in expect:
            if "fields" in expect and set(out) != set(expect["fields"]):
                return _set_difference("top-level members", expect["fields"], out)
            return None
        member = expect["member"]
        if member not in out:
            return f"member {member} missing (got {sorted(out)})"
        value = self.filtered(step, out)[member]
        if "fields" in expect:
            if not isinstance(value, dict):
                return f"{member} is a {type(value).__name__}, not a structure"
            if set(value) != set(expect["fields"]):
                return _set_difference(f"{member} members", expect["fields"], value)
        if "count" in expect:
            if not isinstance(value, list):
                return f"{member} is a {type(value).__name__}, not a list"
            if len(value) != expect["count"]:
                kept = " (after the scenario's filter)" if step.get("filter") else ""
                return f"{member} has {len(value)} item(s){kept}, AWS {expect['count']}"
            if expect.get("item_fields") is not None:
                got = set().union(*(item for item in value if isinstance(item, dict)))
                if got != set(expect["item_fields"]):
                    return _set_difference(f"{member}[] members", expect["item_fields"], got)
        return None

    def filtered(self, step: dict, out: dict) -> dict:
        """The output with a list member reduced to the items the recording kept (the test filtered it)."""
        spec = step.get("filter")
        if not spec or not isinstance(out.get(spec["member"]), list):
            return out
        keep = {str(text(value)) for value in self.resolve(spec["in"])}
        items = [
            i for i in out[spec["member"]] if isinstance(i, dict) and str(text(i.get(spec["key"]))) in keep
        ]
        return {**out, spec["member"]: items}

    def check_asserts(self, step: dict, out: dict) -> str | None:
        for check in step.get("asserts", []):
            path, value = check["path"], get_path(out, check["path"])
            if check.get("absent"):
                if value is not MISSING:
                    return f"{path} should be absent, got {value!r}"
                continue
            if value is MISSING:
                return f"{path} missing"
            if "eq" in check and text(value) != self.resolve(check["eq"]):
                return f"{path}: expected {self.resolve(check['eq'])!r}, got {value!r}"
            if "len" in check and (not isinstance(value, list | dict | str) or len(value) != check["len"]):
                return f"{path}: expected {check['len']} item(s), got {value!r}"
            items = [text(item) for item in value] if isinstance(value, list) else []
            if "includes" in check and self.resolve(check["includes"]) not in items:
                return f"{path} lacks {self.resolve(check['includes'])!r}"
            if "excludes" in check and self.resolve(check["excludes"]) in items:
                return f"{path} still has {self.resolve(check['excludes'])!r}"
        return None

    def check_csv(self, step: dict, out: dict) -> str | None:
        """A credential report: AWS's header, exactly one row for the scenario's user, and that row's
        values (timestamps as timestamps; the two access-key and two certificate slots in either order,
        since which key AWS lists first is not something the recording can pin down)."""
        spec = step["expect"].get("csv")
        if not spec:
            return None
        if spec["member"] not in out:
            return f"{spec['member']} missing"
        reader = csv.DictReader(io.StringIO(text(out[spec["member"]])))
        if reader.fieldnames != spec["header"]:
            return f"CSV header differs: expected {spec['header']}, got {reader.fieldnames}"
        wanted = str(self.resolve(spec["row_value"]))
        rows = [row for row in reader if row.get(spec["row_key"]) == wanted]
        if len(rows) != 1:
            return f"CSV has {len(rows)} row(s) for {spec['row_key']} {wanted}, AWS 1"
        row, slots = rows[0], {}
        for column, recorded in spec["row"].items():
            slot = re.fullmatch(r"(access_key|cert)_([12])_(\w+)", column)
            if slot:
                slots.setdefault(slot[1], {}).setdefault(slot[3], [None, None])[int(slot[2]) - 1] = column
            elif not self.csv_value_matches(recorded, row.get(column)):
                return f"CSV {column}: expected {recorded!r}, got {row.get(column)!r}"
        for prefix, fields in slots.items():
            want = [tuple(spec["row"][cols[i]] for cols in fields.values()) for i in (0, 1)]
            got = [tuple(row.get(cols[i]) for cols in fields.values()) for i in (0, 1)]
            if not any(
                all(self.csv_value_matches(w, g) for w, g in zip(want[a], got[b], strict=True))
                and all(self.csv_value_matches(w, g) for w, g in zip(want[1 - a], got[1 - b], strict=True))
                for a, b in ((0, 0), (0, 1))
            ):
                return f"CSV {prefix}_1/2 {list(fields)}: expected {want}, got {got}"
        return None

    def csv_value_matches(self, recorded: str, actual) -> bool:
        if recorded.startswith("<timestamp"):
            return re.fullmatch(TIMESTAMP, actual or "") is not None
        return self.matches(recorded, actual)

    def compare(self, recorded, actual, path: str, ordered: set) -> str | None:
        """The recorded body against ours, value by value (`--deep`). Tokens match what they stand for
        (any text when unknown, any timestamp for a date); lists of structures or strings may come in
        any order unless the step lists their path under `ordered`."""
        where = path or "output"
        if isinstance(recorded, dict):
            if isinstance(actual, str) and path.rsplit(".", 1)[-1] in ("PolicyDocument", "Document"):
                with contextlib.suppress(ValueError):  # the JSON text, or URL-encoded as on the wire
                    actual = json.loads(actual if actual.lstrip().startswith("{") else unquote(actual))
            if not isinstance(actual, dict):
                return f"{where}: expected a structure, got {actual!r}"
            if set(recorded) != set(actual):
                return _set_difference(f"{where} members", recorded, actual)
            return next(
                (
                    p
                    for k in recorded
                    if (p := self.compare(recorded[k], actual[k], f"{path}.{k}".lstrip("."), ordered))
                ),
                None,
            )
        if isinstance(recorded, list):
            if not isinstance(actual, list) or len(actual) != len(recorded):
                return f"{where}: expected {len(recorded)} item(s), got {actual!r}"
            if path in ordered:
                pairs = zip(recorded, actual, strict=True)
                return next(
                    (
                        p
                        for i, (r, a) in enumerate(pairs)
                        if (p := self.compare(r, a, f"{path}[{i}]", ordered))
                    ),
                    None,
                )
            left = list(actual)
            for i, item in enumerate(recorded):
                match = next(
                    (a for a in left if self.compare(item, a, f"{path}[{i}]", ordered) is None), MISSING
                )
                if match is MISSING:
                    return f"{path}[{i}]: no item matches {item!r} (got {actual!r})"
                left.remove(match)
            return None
        if isinstance(recorded, str) and TOKEN.fullmatch(recorded) and not isinstance(actual, str):
            return None if actual is not MISSING else f"{where} missing"  # a date, a blob, a number
        if isinstance(recorded, str):
            if isinstance(actual, str) and self.matches(recorded, actual):
                return None
            return f"{where}: expected {self.expected_text(recorded)!r}, got {actual!r}"
        if recorded != actual or isinstance(recorded, bool) != isinstance(actual, bool):
            return f"{where}: expected {recorded!r}, got {actual!r}"
        return None

    # -- recorded text with tokens
    def token_value(self, token: str) -> str | None:
        """What a snapshot token stands for here; None when it matches any text."""
        placeholders = self.scenario.get("placeholders", {})
        if token in placeholders:
            var = placeholders[token]
            return str(text(self.vars[var])) if var in self.vars else None
        return {"<partition>": "aws", "<region>": REGION}.get(token)

    def pattern(self, recorded: str) -> str:
        def literal(part):
            return re.escape(part).replace(RECORDED_ACCOUNT, self.account.account_id)

        parts, end = [], 0
        for token in TOKEN.finditer(recorded):
            value = self.token_value(token[0])
            parts += [
                literal(recorded[end : token.start()]),
                re.escape(value) if value is not None else ".+?",
            ]
            end = token.end()
        return "".join([*parts, literal(recorded[end:])])

    def matches(self, recorded: str, actual) -> bool:
        return re.fullmatch(self.pattern(recorded), actual or "", re.DOTALL) is not None

    def expected_text(self, recorded: str | None) -> str | None:
        if recorded is None:
            return None
        substituted = TOKEN.sub(lambda m: self.token_value(m[0]) or m[0], recorded)
        return substituted.replace(RECORDED_ACCOUNT, self.account.account_id)


def _set_difference(what: str, want, got) -> str:
    want, got = set(want), set(got)
    return f"{what} differ: missing {sorted(want - got)}, extra {sorted(got - want)}"


def unsatisfiable(scenario: dict) -> list[str]:
    """The scenario's `requires` values we cannot meet locally (none today: `as_user` is met by binding
    the backend to that user)."""
    return [need for need in scenario.get("requires", []) if need not in SATISFIABLE]


def run_scenario(scenario: dict, account, *, deep: bool = False) -> list[StepResult]:
    """Plays `scenario` on `account` (a fresh one: nothing is cleaned up afterwards); `deep` also
    compares each recorded body value by value."""
    return ScenarioRun(scenario, account, deep=deep).run()


# ----------------------------------------------------------------------------- the progress report


def gap_reason(results: list[StepResult]) -> str:
    """A one-line reason for aws_recorded_gaps.py, from a failing scenario's first difference."""
    first = next(result for result in results if result.status == "fail")
    missing = re.search(r"does not implement the IAM action (\w+)", first.detail)
    if missing:
        return f"{missing[1]} not implemented"
    if "got AccessDenied" in first.detail and "is not authorized" in first.detail:
        return "AccessDenied: IAM-user authorization arrives with the policy engine"
    return " ".join(str(first).split())[:160]


def _literal(value: str) -> str:
    """A string literal as `ruff format` writes it: double quotes unless they would need escaping."""
    return repr(value) if '"' in value and "'" not in value else json.dumps(value, ensure_ascii=False)


def write_gaps(failing: dict[str, list[StepResult]]) -> None:
    """Rewrites aws_recorded_gaps.py with the scenarios failing now. Reasons are made afresh from each
    first difference, except a reason written by hand (not in gap_reason's shapes), kept while its
    scenario still fails."""
    from tests.contract.aws_recorded_gaps import GAPS

    def reason(sid, results):
        kept = GAPS.get(sid, "")
        made = kept.endswith(" not implemented") or kept.startswith(("step ", "AccessDenied: IAM-user"))
        return kept if kept and not made else gap_reason(results)

    path = Path(__file__).with_name("aws_recorded_gaps.py")
    head = path.read_text().split("GAPS: dict[str, str] = {", 1)[0]
    lines = [f"    {_literal(sid)}: {_literal(reason(sid, results))},\n" for sid, results in failing.items()]
    path.write_text(head + "GAPS: dict[str, str] = {\n" + "".join(lines) + "}\n")
    print(f"wrote {len(lines)} gap(s) to {path}")


def report(only: list[str], verbose: bool, deep: bool, gaps: bool) -> int:
    """Each scenario in its own rolled-back transaction on a throwaway SQLite database under var/."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.services import create_account
    from tests.contract.aws_recorded_gaps import GAPS

    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(
            Path(settings.VAR_DIR) / "aws_recorded.sqlite3"
        )
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    passed = total = 0
    failing = {}
    by_topic: dict[str, list[int]] = {}
    try:
        for scenario in scenarios():
            if only and not any(part in scenario["id"] for part in only):
                continue
            if unsatisfiable(scenario):
                print(f"SKIP {scenario['id']}: needs {', '.join(unsatisfiable(scenario))}")
                continue
            try:
                with transaction.atomic():
                    account = create_account(
                        account_id=ACCOUNT_ID, root_email="root@example.com", root_password="Root-pass-1234"
                    )
                    results = run_scenario(scenario, account, deep=deep)
                    transaction.set_rollback(True)
            except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the report
                results = [StepResult(0, "(scenario)", "fail", f"{type(exc).__name__}: {exc}")]
            counted = [r for r in results if r.counted]
            ok = sum(r.status == "pass" for r in counted)
            failures = [r for r in results if r.status == "fail"]
            passed, total = passed + ok, total + len(counted)
            topic = by_topic.setdefault(scenario["topic"], [0, 0])
            topic[0], topic[1] = topic[0] + ok, topic[1] + len(counted)
            gap = scenario["id"] in GAPS
            note = " [known gap]" if failures and gap else " [listed as a gap: remove it]" if gap else ""
            line = f"{'FAIL' if failures else 'PASS'} {scenario['id']} ({ok}/{len(counted)}){note}"
            print(line + (f": {failures[0]}" if failures else ""))
            if failures:
                failing[scenario["id"]] = results
            if verbose:
                for result in failures[1:]:
                    print(f"    {result}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print("by topic: " + ", ".join(f"{name} {ok}/{n}" for name, (ok, n) in sorted(by_topic.items())))
    if gaps:
        write_gaps(failing)
    print(f"aws-recorded: {passed}/{total} steps")
    return 0 if passed == total else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--report", action="store_true", help="replay every scenario and print the results")
    parser.add_argument("--only", default="", help="comma-separated substrings of scenario ids")
    parser.add_argument("--deep", action="store_true", help="also compare the recorded bodies value by value")
    parser.add_argument(
        "--write-gaps",
        action="store_true",
        help="rewrite aws_recorded_gaps.py with the scenarios failing now",
    )
    parser.add_argument("--verbose", action="store_true", help="print every failing step, not just the first")
    args = parser.parse_args(argv)
    if not args.report:
        parser.print_help()
        return 2
    if args.write_gaps and (args.only or args.deep):
        parser.error(
            "--write-gaps needs the whole set, compared as the tests compare it (no --only, no --deep)"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    return report([part for part in args.only.split(",") if part], args.verbose, args.deep, args.write_gaps)


if __name__ == "__main__":
    sys.exit(main())
