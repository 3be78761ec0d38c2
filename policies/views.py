"""Pages for managed policies: the list, the details with their tabs, create, edit (a new version),
versions, attachments and delete. Views orchestrate; the backend decides (STYLE.md 1-2).

A policy's pages are addressed by its ARN at the end of the URL (`policies/details/<arn>`,
`policies/edit/<arn>`, ...): the action comes first, so no policy name or path can shadow a route.
AWS managed policies are read-only: their edit, delete and version pages are 404, and the details
page offers only attach and detach (attaching does not change the policy).
"""

import functools
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iamconsole.backends.errors import IAMError, NoSuchEntity, ValidationError
from iamconsole.htmx import redirect_or_client_redirect

from . import visual
from .can import arn, can
from .forms import (
    NEW_POLICY_DOCUMENT,
    AttachForm,
    DeletePolicyForm,
    DetachForm,
    PolicyCreateForm,
    PolicyEditForm,
    VersionForm,
)
from .grammar import validate_policy_document
from .summary import findings, summarize

PAGE_SIZE = 20
VERSIONS_PER_POLICY = 5
TYPES = [
    ("all", "All types"),
    ("aws", "AWS managed"),
    ("job", "AWS managed - job function"),
    ("customer", "Customer managed"),
]
USES = [
    ("all", "All uses"),
    ("permissions", "Permissions policy"),
    ("boundary", "Permissions boundary"),
    ("unused", "Not attached"),
]
SORTS = {
    "name": lambda p: p["PolicyName"].lower(),
    "type": lambda p: (p["Type"], p["PolicyName"].lower()),
    "used_as": lambda p: (p["AttachmentCount"] + p["PermissionsBoundaryUsageCount"], p["PolicyName"].lower()),
    "created": lambda p: p["CreateDate"],
    "updated": lambda p: p["UpdateDate"],
}
COLUMNS = [
    ("name", "Policy name"),
    ("type", "Type"),
    ("used_as", "Used as"),
    ("created", "Creation time"),
    ("updated", "Edited time"),
]
TABS = [
    ("permissions", "Permissions"),
    ("entities", "Entities attached"),
    ("versions", "Policy versions"),
    ("usage", "Policy usage"),
]
DETAIL = "policies/policy_detail.html"
FORM = "policies/policy_form.html"


# -- helpers --------------------------------------------------------------------------------------


def _all(call, key: str, **params) -> list:
    """Every item of a paginated IAM list, 1,000 at a time (follows Marker)."""
    items, marker = [], None
    while True:
        page = call(**params, MaxItems=1000, **({"Marker": marker} if marker else {}))
        items += page[key]
        if not page.get("IsTruncated"):
            return items
        marker = page["Marker"]


def is_aws_managed(arn: str) -> bool:
    """`arn:aws:iam::aws:policy/...`: the account segment of an AWS managed policy is `aws`."""
    parts = arn.split(":")
    return len(parts) > 4 and parts[4] == "aws"


def policy_type(policy: dict) -> str:
    """The console's Type column."""
    if not is_aws_managed(policy["Arn"]):
        return "Customer managed"
    return "AWS managed - job function" if policy["Path"] == "/job-function/" else "AWS managed"


def policy_view(*, own: bool = False):
    """Load the policy of the URL's ARN (GetPolicy) and pass it to the view instead of the ARN.

    An unknown ARN is 404, and so is an AWS managed one when the view changes the policy (`own`):
    they are read-only. Any other IAM refusal (AccessDenied, say), here or in the view, becomes an
    error message on the policy's page (or on the list, for the page itself), never a 500.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, arn):
            if own and is_aws_managed(arn):
                raise Http404("AWS managed policies cannot be changed.")
            back = reverse("policies:policy_list") if view.__name__ == "policy_detail" else _detail_url(arn)
            try:
                policy = request.iam.get_policy(PolicyArn=arn)["Policy"]
                policy = {**policy, "Type": policy_type(policy), "AwsManaged": is_aws_managed(arn)}
                return view(request, policy)
            except (NoSuchEntity, ValidationError) as error:
                raise Http404(error.message)
            except IAMError as error:
                messages.error(request, error.message)
                return redirect_or_client_redirect(request, back)

        return wrapper

    return decorate


def _detail_url(arn: str, tab: str = "permissions") -> str:
    url = reverse("policies:policy_detail", args=[arn])
    return url if tab == "permissions" else f"{url}?{urlencode({'tab': tab})}"


def _render(request, template: str, context: dict, partial: str | None = None):
    """The page, or only its region `partial` for an htmx request that is not boosted."""
    if partial and request.htmx and not request.htmx.boosted:
        template += f"#{partial}"
    return render(request, template, context)


def _document(version: dict):
    """A version's document as a dict (boto3 decodes it; a string is decoded here)."""
    document = version["Document"]
    return json.loads(document) if isinstance(document, str) else document


def _validation(text: str) -> dict:
    """The live check of the editor: IAM's grammar message, or "valid" with the findings."""
    if not text.strip():
        return {}
    try:
        validate_policy_document(text, kind="managed")
    except IAMError as error:
        return {"error": error.message}
    return {"valid": True, "findings": findings(json.loads(text))}


# -- the list -------------------------------------------------------------------------------------


def _list_params(data) -> dict:
    sort = data.get("sort", "name")
    kind, use = data.get("type", "all"), data.get("use", "all")
    try:
        page = max(int(data.get("page", "1")), 1)
    except ValueError:
        page = 1
    return {
        "sort": sort if sort in SORTS else "name",
        "descending": data.get("dir") == "desc",
        "kind": kind if kind in dict(TYPES) else "all",
        "use": use if use in dict(USES) else "all",
        "search": data.get("q", "")[:128],
        "page": page,
    }


def _matching_policies(iam, p: dict) -> list[dict]:
    """ListPolicies (Scope, PolicyUsageFilter) read whole, then filtered, searched and sorted."""
    scope = {"aws": "AWS", "job": "AWS", "customer": "Local"}.get(p["kind"], "All")
    usage = {"permissions": "PermissionsPolicy", "boundary": "PermissionsBoundary"}.get(p["use"])
    params = {"Scope": scope, **({"PolicyUsageFilter": usage} if usage else {})}
    needle = p["search"].strip().lower()
    rows = []
    for policy in _all(iam.list_policies, "Policies", **params):
        if needle and needle not in policy["PolicyName"].lower():
            continue
        if p["kind"] == "job" and policy["Path"] != "/job-function/":
            continue
        if p["use"] == "unused" and (policy["AttachmentCount"] or policy["PermissionsBoundaryUsageCount"]):
            continue
        rows.append({**policy, "Type": policy_type(policy)})
    return sorted(rows, key=SORTS[p["sort"]], reverse=p["descending"])


@require_GET
def policy_list(request):
    """Policies (N): filter by type and use, search by name, sort, paginate; htmx swaps the table."""
    p = _list_params(request.GET)
    try:
        rows, list_error = _matching_policies(request.iam, p), None
    except IAMError as error:  # e.g. AccessDenied for an IAM-user operator
        rows, list_error = [], error.message
    pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(p["page"], pages)
    context = {
        **p,
        "policies": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "total": len(rows),
        "page": page,
        "pages": pages,
        "page_numbers": range(1, pages + 1),
        "types": TYPES,
        "uses": USES,
        "columns": COLUMNS,
        "list_error": list_error,
        "can": can(request, {"create": ("iam:CreatePolicy", arn(request, "policy/*"))}),
    }
    return _render(request, "policies/policy_list.html", context, partial="policies-table")


# -- details --------------------------------------------------------------------------------------


def _permissions_tab(request, policy: dict) -> dict:
    """The summary by service and the JSON of the default version (or of `?version=`)."""
    version_id = request.GET.get("version") or policy["DefaultVersionId"]
    try:
        version = request.iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=version_id)
    except (NoSuchEntity, ValidationError):
        raise Http404(f"No version {version_id} of {policy['Arn']}.")
    document = _document(version["PolicyVersion"])
    return {
        "version": version["PolicyVersion"],
        "summary": summarize(document),
        "document_json": json.dumps(document, indent=2),
    }


def _attached_entities(iam, arn: str) -> list[dict]:
    """The groups, then users, the policy is attached to as a permissions policy (one walk)."""
    groups, users, marker = [], [], None
    while True:
        page = iam.list_entities_for_policy(
            PolicyArn=arn,
            PolicyUsageFilter="PermissionsPolicy",
            MaxItems=1000,
            **({"Marker": marker} if marker else {}),
        )
        groups += page["PolicyGroups"]
        users += page["PolicyUsers"]
        if not page.get("IsTruncated"):
            break
        marker = page["Marker"]
    entities = [{"kind": "group", "name": g["GroupName"], "id": g["GroupId"]} for g in groups]
    return entities + [{"kind": "user", "name": u["UserName"], "id": u["UserId"]} for u in users]


def _entities_tab(request, policy: dict) -> dict:
    return {"entities": _attached_entities(request.iam, policy["Arn"])}


def _versions_tab(request, policy: dict) -> dict:
    return {"versions": _all(request.iam.list_policy_versions, "Versions", PolicyArn=policy["Arn"])}


def _usage_tab(request, policy: dict) -> dict:
    """How the policy is used in this account: as a permissions policy, and as a boundary (users)."""
    boundary_users = _all(
        request.iam.list_entities_for_policy,
        "PolicyUsers",
        PolicyArn=policy["Arn"],
        PolicyUsageFilter="PermissionsBoundary",
    )
    return {"boundary_users": boundary_users}


TAB_CONTEXTS = {
    "permissions": _permissions_tab,
    "entities": _entities_tab,
    "versions": _versions_tab,
    "usage": _usage_tab,
}


@require_GET
@policy_view()
def policy_detail(request, policy):
    """The policy's summary and one tab (`?tab=`, Permissions by default); htmx swaps only the tabs."""
    tab = request.GET.get("tab", "permissions")
    tab = tab if tab in TAB_CONTEXTS else "permissions"
    try:
        tab_context = TAB_CONTEXTS[tab](request, policy)
    except IAMError as error:
        tab_context = {"tab_error": error.message}
    context = {**tab_context, "page": "detail", "policy": policy, "tab": tab, "tabs": TABS}
    context["can"] = can(
        request,
        {
            "edit": ("iam:CreatePolicyVersion", policy["Arn"]),
            "delete": ("iam:DeletePolicy", policy["Arn"]),
            "attach_user": ("iam:AttachUserPolicy", arn(request, "user/*")),
            "attach_group": ("iam:AttachGroupPolicy", arn(request, "group/*")),
            "detach_user": ("iam:DetachUserPolicy", arn(request, "user/*")),
            "detach_group": ("iam:DetachGroupPolicy", arn(request, "group/*")),
        },
    )
    return _render(request, DETAIL, context, partial="policy-tabs")


# -- create and edit ------------------------------------------------------------------------------


STEPS_DONE = {"", "save", "to_visual", "to_json"}  # any other op is a step of the visual editor


def _editor(request, document: str) -> dict:
    """The editor of this request: `mode` (json | visual), the visual `statements`, the `op` pressed
    and, for a POST, `data` with the document the visual editor built (the JSON editor posts its own).

    "to_visual" parses the posted JSON (or stays in JSON with a `note` saying why it cannot); every
    other op of the visual editor is a step: applied, then the document is rebuilt from the statements.
    """
    if request.method != "POST":
        mode = "visual" if request.GET.get("editor") == "visual" else "json"
        data, op = None, ""
    else:
        data = request.POST.copy()
        mode, op = data.get("editor", "json"), data.get("op", "save") or "save"
        document = data.get("document", "")
    editor = {"mode": "json", "statements": [], "op": op, "note": "", "data": data}
    if data is not None and mode == "visual" and "statements" in data:  # a step, or leaving for JSON
        statements = visual.parse(data)
        statements = visual.step(statements, op) if op not in STEPS_DONE else statements
        data["document"] = visual.to_document(statements)
        editor.update(mode="json" if op == "to_json" else "visual", statements=statements)
    elif op == "to_visual" or (mode == "visual" and op != "to_json"):  # from JSON, or opened visual
        try:
            editor.update(mode="visual", statements=visual.from_document(document))
        except visual.NotVisual as reason:
            editor["note"] = f"The visual editor cannot show this policy: {reason}"
    editor["blocks"] = visual.blocks(editor["statements"]) if editor["mode"] == "visual" else []
    return editor


def _editor_form(form_class, editor: dict, initial: dict):
    """The bound form when saving; on the editor's steps an unbound one showing what was posted, so
    that no "required" error shows before the operator presses Create or Save."""
    data = editor["data"]
    if data is None or editor["op"] == "save":
        return form_class(data, initial=initial)
    shown = {name: data.get(name, "") for name in ("name", "description", "document")}
    shown.update(set_default="set_default" in data, delete_oldest="delete_oldest" in data)
    return form_class(initial={**initial, **shown})


def _editor_context(form, editor: dict, form_url: str) -> tuple[dict, str]:
    """The template context shared by create and edit, and the region an htmx step swaps."""
    document = form["document"].value() or ""
    context = {"form": form, "editor": editor, "form_url": form_url, "validation": _validation(document)}
    if editor["mode"] == "visual":
        context.update(
            blocks=editor["blocks"],
            services=visual.services(),
            effects=visual.EFFECTS,
            operators=visual.OPERATORS,
        )
    stepping = editor["mode"] == "visual" and editor["op"] not in STEPS_DONE
    return context, "visual-editor" if stepping else "policy-form"


@require_http_methods(["GET", "POST"])
def policy_create(request):
    """CreatePolicy from the JSON or the visual editor; IAM's message comes back on the field it concerns."""
    editor = _editor(request, NEW_POLICY_DOCUMENT)
    form = _editor_form(PolicyCreateForm, editor, {"document": NEW_POLICY_DOCUMENT})
    if editor["op"] == "save" and form.is_valid():
        data = form.cleaned_data
        extra = {"Description": data["description"]} if data["description"] else {}
        try:
            created = request.iam.create_policy(
                PolicyName=data["name"], PolicyDocument=data["document"], **extra
            )["Policy"]
        except IAMError as error:
            form.add_iam_error(error)
        else:
            messages.success(request, f"Policy {created['PolicyName']} created.")
            return redirect_or_client_redirect(request, _detail_url(created["Arn"]))
    context, partial = _editor_context(form, editor, reverse("policies:policy_create"))
    return _render(request, FORM, {**context, "mode": "create"}, partial=partial)


def _oldest_removable(versions: list[dict]) -> dict | None:
    """The oldest version that is not the default: by creation time, then by number (v2 before v10),
    since versions made in the same second share a CreateDate."""
    others = [v for v in versions if not v["IsDefaultVersion"]]
    number = lambda v: int(v["VersionId"][1:].split(".")[0])  # noqa: E731
    return min(others, key=lambda v: (v["CreateDate"], number(v))) if others else None


@require_http_methods(["GET", "POST"])
@policy_view(own=True)
def policy_edit(request, policy):
    """Edit = CreatePolicyVersion (SetAsDefault as chosen) from the JSON or the visual editor; at five
    versions, optionally delete the oldest non-default one first, once IAM's grammar has accepted the
    new document."""
    arn = policy["Arn"]
    iam = request.iam
    versions = _all(iam.list_policy_versions, "Versions", PolicyArn=arn)
    current = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    initial = {"document": json.dumps(_document(current), indent=2), "set_default": True}
    editor = _editor(request, initial["document"])
    form = _editor_form(PolicyEditForm, editor, initial)
    oldest = _oldest_removable(versions) if len(versions) >= VERSIONS_PER_POLICY else None
    if editor["op"] == "save" and form.is_valid():
        data = form.cleaned_data
        try:
            if oldest and data["delete_oldest"]:
                validate_policy_document(data["document"], kind="managed")  # lose no version in vain
                iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
            new = iam.create_policy_version(
                PolicyArn=arn, PolicyDocument=data["document"], SetAsDefault=data["set_default"]
            )["PolicyVersion"]
        except IAMError as error:
            form.add_iam_error(error)
        else:
            state = "the default version" if data["set_default"] else "not the default version"
            messages.success(
                request, f"Policy {policy['PolicyName']} updated: version {new['VersionId']} is {state}."
            )
            return redirect_or_client_redirect(request, _detail_url(arn))
    context, partial = _editor_context(form, editor, reverse("policies:policy_edit", args=[arn]))
    context.update(mode="edit", policy=policy, versions=versions, oldest=oldest)
    return _render(request, FORM, context, partial=partial)


@require_POST
def policy_validate(request):
    """The editor's live check (htmx, as you type): IAM's MalformedPolicyDocument message or "valid"."""
    text = request.POST.get("document", "")
    return render(request, f"{FORM}#validation", {"validation": _validation(text)})


# -- attach and detach ----------------------------------------------------------------------------


def _attach_choices(request, policy: dict, query: str) -> dict:
    """Users and groups of the account the policy is not yet attached to, matching `query`."""
    attached = _attached_entities(request.iam, policy["Arn"])
    taken = {(e["kind"], e["name"].lower()) for e in attached}
    needle = query.strip().lower()
    users = [
        u
        for u in _all(request.iam.list_users, "Users")
        if ("user", u["UserName"].lower()) not in taken and needle in u["UserName"].lower()
    ]
    groups = [
        g
        for g in _all(request.iam.list_groups, "Groups")
        if ("group", g["GroupName"].lower()) not in taken and needle in g["GroupName"].lower()
    ]
    return {"users": users, "groups": groups, "query": query}


def _attach_all(iam, arn: str, form: AttachForm) -> tuple[list[str], list[str]]:
    """Attach to each chosen entity; (entities done, error lines)."""
    done, errors = [], []
    calls = [("user", u, lambda n: iam.attach_user_policy(UserName=n, PolicyArn=arn)) for u in form.users]
    calls += [
        ("group", g, lambda n: iam.attach_group_policy(GroupName=n, PolicyArn=arn)) for g in form.groups
    ]
    for kind, name, attach in calls:
        label = f"user {name}" if kind == "user" else f"group {name}"
        try:
            attach(name)
        except IAMError as error:
            errors.append(f"{label}: {error.message}")
        else:
            done.append(label)
    return done, errors


@require_http_methods(["GET", "POST"])
@policy_view()
def policy_attach(request, policy):
    """Attach the policy to users and groups chosen from lists (search with `q`)."""
    arn = policy["Arn"]
    form = AttachForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done, errors = _attach_all(request.iam, arn, form)
        if done:
            messages.success(request, f"Policy {policy['PolicyName']} attached to {', '.join(done)}.")
        for line in errors:
            messages.error(request, f"Policy {policy['PolicyName']} was not attached to {line}")
        return redirect_or_client_redirect(request, _detail_url(arn, "entities"))
    query = (request.POST if request.method == "POST" else request.GET).get("q", "")[:128]
    context = {"page": "attach", "policy": policy, "form": form, **_attach_choices(request, policy, query)}
    context["chosen"] = {"user": set(form.users), "group": set(form.groups)}
    return _render(request, DETAIL, context, partial="attach-choices")


@require_http_methods(["GET", "POST"])
@policy_view()
def policy_detach(request, policy):
    """Confirm, then detach the policy from one user or group (`kind`, `name`)."""
    arn = policy["Arn"]
    form = DetachForm(request.POST if request.method == "POST" else request.GET)
    back = _detail_url(arn, "entities")
    if request.method == "POST" and form.is_valid():
        kind, name = form.cleaned_data["kind"], form.cleaned_data["name"]
        label = f"user {name}" if kind == "user" else f"group {name}"
        try:
            if kind == "user":
                request.iam.detach_user_policy(UserName=name, PolicyArn=arn)
            else:
                request.iam.detach_group_policy(GroupName=name, PolicyArn=arn)
        except IAMError as error:
            messages.error(
                request, f"Could not detach policy {policy['PolicyName']} from {label}: {error.message}"
            )
        else:
            messages.success(request, f"Policy {policy['PolicyName']} detached from {label}.")
        return redirect_or_client_redirect(request, back)
    context = {
        "page": "detach",
        "policy": policy,
        "form": form,
        "back_url": back,
        "page_title": "Detach policy",
    }
    return _render(request, DETAIL, context, partial="detach-dialog")


# -- versions -------------------------------------------------------------------------------------


@require_POST
@policy_view(own=True)
def policy_version_default(request, policy):
    """SetDefaultPolicyVersion: the chosen version becomes the one in force."""
    arn = policy["Arn"]
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a policy version.")
    else:
        version_id = form.cleaned_data["version_id"]
        try:
            request.iam.set_default_policy_version(PolicyArn=arn, VersionId=version_id)
        except IAMError as error:
            messages.error(request, f"Could not set version {version_id} as default: {error.message}")
        else:
            messages.success(
                request, f"Version {version_id} of policy {policy['PolicyName']} set as default."
            )
    return redirect_or_client_redirect(request, _detail_url(arn, "versions"))


@require_http_methods(["GET", "POST"])
@policy_view(own=True)
def policy_version_delete(request, policy):
    """Confirm, then DeletePolicyVersion (never the default one: IAM refuses it)."""
    arn = policy["Arn"]
    form = VersionForm(request.POST if request.method == "POST" else request.GET)
    back = _detail_url(arn, "versions")
    if request.method == "POST" and form.is_valid():
        version_id = form.cleaned_data["version_id"]
        try:
            request.iam.delete_policy_version(PolicyArn=arn, VersionId=version_id)
        except IAMError as error:
            messages.error(request, f"Could not delete version {version_id}: {error.message}")
        else:
            messages.success(request, f"Version {version_id} of policy {policy['PolicyName']} deleted.")
        return redirect_or_client_redirect(request, back)
    context = {"page": "version_delete", "policy": policy, "form": form, "back_url": back}
    context["page_title"] = "Delete policy version"
    return _render(request, DETAIL, context, partial="version-delete-dialog")


# -- delete ---------------------------------------------------------------------------------------


def _delete_cascade(iam, policy: dict) -> None:
    """What the console does before DeletePolicy: detach from every user and group, and delete the
    non-default versions. A permissions boundary is left alone (removing it would widen a user's
    permissions), so DeletePolicy then answers IAM's DeleteConflict."""
    arn = policy["Arn"]
    for entity in _attached_entities(iam, arn):
        if entity["kind"] == "user":
            iam.detach_user_policy(UserName=entity["name"], PolicyArn=arn)
        else:
            iam.detach_group_policy(GroupName=entity["name"], PolicyArn=arn)
    for version in _all(iam.list_policy_versions, "Versions", PolicyArn=arn):
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)


@require_http_methods(["GET", "POST"])
@policy_view(own=True)
def policy_delete(request, policy):
    """Delete a customer managed policy after its name is typed: detach it, drop old versions, delete."""
    arn = policy["Arn"]
    form = DeletePolicyForm(policy["PolicyName"], request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _delete_cascade(request.iam, policy)
        except IAMError as error:
            messages.error(request, f"Policy {policy['PolicyName']} was not deleted: {error.message}")
            return redirect_or_client_redirect(request, _detail_url(arn))
        messages.success(request, f"Policy {policy['PolicyName']} deleted.")
        return redirect_or_client_redirect(request, reverse("policies:policy_list"))
    context = {"page": "delete", "policy": policy, "form": form, "page_title": "Delete policy"}
    return _render(request, DETAIL, context, partial="delete-dialog")
