"""Pages for IAM user groups: the list, Create user group, the group's details with its tabs (Users,
Permissions, Access Advisor) and the actions they offer, and the delete with the console's cascade.

Views orchestrate; the backend decides (STYLE.md 1-2). Every POST ends in a redirect (a client redirect
for htmx) with a flash message naming the object, or re-renders its form with IAM's message on the field
it concerns. A group's pages live under groups/details/<name>, so no group name is shadowed.
"""

import functools
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from iamconsole.backends.errors import AccessDenied, IAMError, NoSuchEntity, ValidationError
from iamconsole.htmx import redirect_or_client_redirect
from policies.can import arn, can
from users.forms_detail import InlinePolicyForm, field_for_error

from .cascade import delete_group_cascade
from .forms import (
    MAX_SELECTED,
    ChooseForm,
    CreateGroupForm,
    DeleteGroupsForm,
    GroupForm,
    RemoveForm,
    selected_names,
)
from .ops_console import SORTS

DETAIL = "groups/group_detail.html"
# The list's columns in the AWS console's words: (sort key, label).
COLUMNS = [
    ("name", "Group name"),
    ("users", "Users"),
    ("permissions", "Permissions"),
    ("created", "Creation time"),
]
TABS = [("users", "Users"), ("permissions", "Permissions"), ("access_advisor", "Access Advisor")]
USERS_SHOWN = POLICIES_SHOWN = 50  # offered at once on the choosers; search narrows
POLICY_KINDS = ("all", "aws", "customer")
NEW_POLICY_DOCUMENT = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "Statement1",\n'
    '      "Effect": "Allow",\n      "Action": [],\n      "Resource": []\n    }\n  ]\n}'
)
CREATE_FIELDS = {"groupName": "group_name", "path": "path", "EntityAlreadyExists": "group_name"}
INLINE_FIELDS = {
    "policyName": "policy_name",
    "policyDocument": "document",
    "MalformedPolicyDocument": "document",
    "LimitExceeded": "document",
}


# -- helpers --------------------------------------------------------------------------------------


def _all(call, key: str, **params) -> list:
    """Every item of a paginated IAM list (follows Marker until IsTruncated is false)."""
    items, marker = [], None
    while True:
        page = call(**params, **({"Marker": marker} if marker else {}))
        items += page[key]
        if not page.get("IsTruncated"):
            return items
        marker = page["Marker"]


def _page_number(data) -> int:
    try:
        return int(data.get("page", "1"))
    except ValueError:
        return 1


def _group_or_404(request, group_name: str) -> dict:
    """GetGroup's Group, or 404 for a name that is unknown (or not even a valid IAM name)."""
    try:
        return request.iam.get_group(GroupName=group_name, MaxItems=1)["Group"]
    except (NoSuchEntity, ValidationError):
        raise Http404(f"No user group named {group_name}.")


def _tab_url(group_name: str, tab: str = "users") -> str:
    return f"{reverse('groups:group_detail', args=[group_name])}?{urlencode({'tab': tab})}"


def _htmx_target(request) -> str | None:
    """The region an htmx (not boosted) request asks for, by its id."""
    return request.htmx.target if request.htmx and not request.htmx.boosted else None


def _render(request, page: str, context: dict, partial: str | None = None):
    """The page `page` of the details template, or for htmx only its region `partial`."""
    template = DETAIL
    if partial and request.htmx and not request.htmx.boosted:
        template += f"#{partial}"
    return render(request, template, {"page": page, "tabs": TABS, **context})


def _policy_type(arn: str) -> str:
    """The console's Type column: AWS managed (job function), or customer managed."""
    if ":aws:policy/job-function/" in arn:
        return "AWS managed - job function"
    return "AWS managed" if ":aws:policy/" in arn else "Customer managed"


def _policy_kind(data) -> str:
    kind = data.get("kind", "all")
    return kind if kind in POLICY_KINDS else "all"


def _policy_rank(policy: dict, needle: str, keep) -> tuple:
    """Selected first, then an exact name, then names starting with the search, customer managed before
    AWS managed, then by name: "ReadOnlyAccess" finds ReadOnlyAccess before the 190 names containing it."""
    name = policy["PolicyName"].lower()
    return (
        policy["Arn"] not in keep,
        name != needle,
        not name.startswith(needle),
        ":aws:policy/" in policy["Arn"],
        name,
    )


def _policies_offered(iam, data, attached=()) -> dict:
    """At most 50 managed policies matching `policy_q` (name substring) of type `kind`, best matches
    first, plus the selected ones wherever they rank; `attached` (ARNs) marked. AWS's service-role
    policies attach to roles only, so they are not offered."""
    chosen = data.getlist("policy")[:MAX_SELECTED]
    query, kind = data.get("policy_q", "").strip()[:128], _policy_kind(data)
    needle = query.lower()
    scope = {"aws": "AWS", "customer": "Local"}.get(kind, "All")
    matches = [
        p
        for p in _all(iam.list_policies, "Policies", Scope=scope, MaxItems=1000)
        if (needle in p["PolicyName"].lower() or p["Arn"] in chosen)
        and p.get("IsAttachable", True)
        and not p["Path"].startswith("/aws-service-role/")
    ]
    matches.sort(key=lambda p: _policy_rank(p, needle, chosen))
    shown = matches[:POLICIES_SHOWN] + [p for p in matches[POLICIES_SHOWN:] if p["Arn"] in chosen]
    for policy in shown:
        policy["Type"] = _policy_type(policy["Arn"])
        policy["Attached"] = policy["Arn"] in attached
    return {
        "policies": shown,
        "policy_total": len(matches),
        "policy_q": query,
        "kind": kind,
        "chosen": chosen,
    }


def _users_offered(iam, data, members=()) -> dict:
    """Up to 50 users matching `user_q`, plus the selected ones not among them; `members` marked."""
    chosen = selected_names(data, "user")[:MAX_SELECTED]
    query = data.get("user_q", "").strip()[:128]
    found = iam.list_users_overview(search=query, per_page=USERS_SHOWN)
    member_names = {name.lower() for name in members}
    for user in found["Users"]:
        user["Member"] = user["UserName"].lower() in member_names
    shown = {user["UserName"] for user in found["Users"]}
    return {
        "users": found["Users"],
        "user_total": found["Total"],
        "user_q": query,
        "chosen_users": chosen,
        "chosen_hidden": [name for name in chosen if name not in shown],
    }


def _run_batch(iam, calls) -> tuple[tuple[str, str] | None, IAMError | None]:
    """Run (field, label, call) triples in one unit of work (`iam.batch()`): all are written or none.
    Returns ((field, label) of the call that failed, its error), or (None, None)."""
    failed = None
    try:
        with iam.batch():
            for field, label, call in calls:
                failed = (field, label)
                call()
    except IAMError as error:
        return failed, error
    return None, None


def _with_user(user: str, error: IAMError) -> str:
    """IAM's message, prefixed with the user it concerns when the message does not name it."""
    return error.message if not user or user in error.message else f"User {user}: {error.message}"


def _access_denied_is_403(view):
    """A read the principal may not make (AccessDenied) is a 403 page with IAM's message, not a 500;
    the backend decides, the view only reports (ARCHITECTURE.md §2)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AccessDenied:
            raise  # iamconsole.middleware answers 403 with IAM's message

    return wrapper


# -- the list -------------------------------------------------------------------------------------


@require_GET
@_access_denied_is_403
def group_list(request):
    """User groups (N): search by name, sort by any column, paginate; htmx swaps the table."""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    descending = request.GET.get("dir") == "desc"
    search = request.GET.get("q", "")[:128]
    result = request.iam.list_groups_overview(
        search=search, sort=sort, descending=descending, page=_page_number(request.GET)
    )
    context = {
        "result": result,
        "groups": result["Groups"],
        "search": search,
        "sort": sort,
        "descending": descending,
        "columns": COLUMNS,
        "page_numbers": range(1, result["Pages"] + 1),
        "can": can(
            request,
            {
                "create": ("iam:CreateGroup", arn(request, "group/*")),
                "delete": ("iam:DeleteGroup", arn(request, "group/*")),
            },
        ),
    }
    template = "groups/group_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#groups-table"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_delete(request):
    """Delete the selected groups after a typed confirmation, with the console's cascade (facts §1.4):
    one flash message per group saying what each step did."""
    names = selected_names(request.POST if request.method == "POST" else request.GET)
    form = DeleteGroupsForm(names, request.POST or None)
    if request.method == "POST" and form.is_valid():
        for deletion in [delete_group_cascade(request.iam, name) for name in names]:
            summary = deletion.summary()
            if deletion.deleted:
                done = f" Before deleting it: {summary}." if summary else ""
                messages.success(request, f"User group {deletion.group_name} deleted.{done}")
            else:
                failed = deletion.steps[-1]
                done = f" Done before the failure: {summary}." if summary else ""
                where = f"{failed.action} {failed.target}"
                messages.error(
                    request,
                    f"User group {deletion.group_name} was not deleted: {where}: {failed.error}.{done}",
                )
        return redirect_or_client_redirect(request, reverse("groups:group_list"))
    return render(request, "groups/group_delete.html", {"form": form, "names": names})


# -- create ---------------------------------------------------------------------------------------


def _create_calls(iam, data) -> list:
    """CreateGroup, then AttachGroupPolicy and AddUserToGroup for each choice, with the field each
    call's error belongs on."""
    name = data["group_name"]
    calls = [("create", "", functools.partial(iam.create_group, GroupName=name, Path=data["path"]))]
    calls += [
        ("policy", "", functools.partial(iam.attach_group_policy, GroupName=name, PolicyArn=arn))
        for arn in data["policy"]
    ]
    calls += [
        ("user", user, functools.partial(iam.add_user_to_group, GroupName=name, UserName=user))
        for user in data["user"]
    ]
    return calls


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_create(request):
    """Create user group: name, path, users to add and policies to attach (both searched on the server,
    selections kept across searches), written together or not at all."""
    data = request.POST if request.method == "POST" else request.GET
    found = _policies_offered(request.iam, data) | _users_offered(request.iam, data)
    creating = request.method == "POST" and request.POST.get("action") == "create"
    form = CreateGroupForm(
        request.POST if creating else None,
        initial={"group_name": data.get("group_name", ""), "path": data.get("path", "")},
        users=found["chosen_users"],
        policies=[p["Arn"] for p in found["policies"]],
    )
    if creating and form.is_valid():
        failed, error = _run_batch(request.iam, _create_calls(request.iam, form.cleaned_data))
        if error is None:
            messages.success(request, f"User group {form.cleaned_data['group_name']} created.")
            return redirect_or_client_redirect(
                request, reverse("groups:group_detail", args=[form.cleaned_data["group_name"]])
            )
        field, label = failed
        if field == "create":
            field = field_for_error(error, CREATE_FIELDS, "group_name")
        form.add_error(field, _with_user(label, error))
    template = "groups/group_create.html"
    if _htmx_target(request) in ("policy-choices", "user-choices"):
        template += f"#{_htmx_target(request)}"
    return render(request, template, {"form": form, **found})


# -- details --------------------------------------------------------------------------------------


def _users_tab(request, group: dict) -> dict:
    return {"members": _all(request.iam.get_group, "Users", GroupName=group["GroupName"])}


def _permissions_tab(request, group: dict) -> dict:
    """The managed policies attached to the group, then its inline policies."""
    iam, name = request.iam, group["GroupName"]
    rows = [
        {
            "name": p["PolicyName"],
            "arn": p["PolicyArn"],
            "type": _policy_type(p["PolicyArn"]),
            "kind": "managed",
        }
        for p in _all(iam.list_attached_group_policies, "AttachedPolicies", GroupName=name)
    ]
    rows += [
        {"name": n, "type": "Customer inline", "kind": "inline"}
        for n in _all(iam.list_group_policies, "PolicyNames", GroupName=name)
    ]
    return {"policies": rows}


def _access_advisor_tab(request, group: dict) -> dict:
    """What the local account records of the members' activity: each access key's last use (service,
    Region, date) and each console sign-in, most recent first. IAM's per-service last-accessed data
    for the group's policies is not recorded, and the page says so."""
    iam, rows = request.iam, []
    members = _all(iam.get_group, "Users", GroupName=group["GroupName"])
    for user in members:
        for key in _all(iam.list_access_keys, "AccessKeyMetadata", UserName=user["UserName"]):
            used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
            if used.get("LastUsedDate"):
                rows.append(
                    {
                        "user": user["UserName"],
                        "service": used["ServiceName"],
                        "region": used["Region"],
                        "credential": f"Access key {key['AccessKeyId']}",
                        "last_accessed": used["LastUsedDate"],
                    }
                )
        if user.get("PasswordLastUsed"):
            rows.append(
                {
                    "user": user["UserName"],
                    "service": "AWS Management Console",
                    "region": "",
                    "credential": "Console password",
                    "last_accessed": user["PasswordLastUsed"],
                }
            )
    rows.sort(key=lambda row: row["last_accessed"], reverse=True)
    return {"activity": rows, "member_count": len(members)}


TAB_CONTEXTS = {
    "users": _users_tab,
    "permissions": _permissions_tab,
    "access_advisor": _access_advisor_tab,
}


@require_GET
@_access_denied_is_403
def group_detail(request, group_name):
    """The group's summary and one tab (`?tab=`, Users by default); htmx swaps only the tabs."""
    group = _group_or_404(request, group_name)
    tab = request.GET.get("tab", "users")
    tab = tab if tab in TAB_CONTEXTS else "users"
    try:
        tab_context = TAB_CONTEXTS[tab](request, group)
    except IAMError as error:  # e.g. AccessDenied for an IAM-user operator: say it in the tab
        tab_context = {"tab_error": error.message}
    here = group["Arn"]
    allowed = can(
        request,
        {
            "edit": ("iam:UpdateGroup", here),
            "delete": ("iam:DeleteGroup", here),
            "add_users": ("iam:AddUserToGroup", here),
            "inline": ("iam:PutGroupPolicy", here),
            "attach": ("iam:AttachGroupPolicy", here),
        },
    )
    context = {**tab_context, "group": group, "tab": tab, "can": allowed}
    return _render(request, "detail", context, partial="group-tabs")


# -- edit name and path ---------------------------------------------------------------------------

EDIT_FIELDS = {"newGroupName": "group_name", "newPath": "path", "EntityAlreadyExists": "group_name"}


def _edited_message(group: dict, changes: dict) -> str:
    old = group["GroupName"]
    if "NewGroupName" in changes and "NewPath" in changes:
        return (
            f"User group {old} renamed to {changes['NewGroupName']} and moved to path {changes['NewPath']}."
        )
    if "NewGroupName" in changes:
        return f"User group {old} renamed to {changes['NewGroupName']}."
    return f"User group {old} moved to path {changes['NewPath']}."


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_edit(request, group_name):
    """UpdateGroup (NewGroupName, NewPath): members and policies stay; then the group's new URL."""
    group = _group_or_404(request, group_name)
    initial = {"group_name": group["GroupName"], "path": group["Path"]}
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        new_name, new_path = form.cleaned_data["group_name"], form.cleaned_data["path"]
        changes = {"NewGroupName": new_name} if new_name != group["GroupName"] else {}
        changes |= {"NewPath": new_path} if new_path != group["Path"] else {}
        if not changes:
            messages.info(request, f"User group {group['GroupName']} was not changed.")
            return redirect_or_client_redirect(request, _tab_url(group["GroupName"]))
        try:
            request.iam.update_group(GroupName=group["GroupName"], **changes)
        except IAMError as error:
            form.add_error(field_for_error(error, EDIT_FIELDS, "group_name"), error.message)
        else:
            messages.success(request, _edited_message(group, changes))
            return redirect_or_client_redirect(request, _tab_url(new_name))
    context = {"group": group, "form": form, "page_title": "Edit user group"}
    return _render(request, "edit", context, partial="edit-dialog")


# -- users: add, remove ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_users_add(request, group_name):
    """Add users to the group: up to 50 users shown per search, selections kept across searches;
    AddUserToGroup for each, all or none."""
    group = _group_or_404(request, group_name)
    data = request.POST if request.method == "POST" else request.GET
    members = [u["UserName"] for u in _all(request.iam.get_group, "Users", GroupName=group["GroupName"])]
    found = _users_offered(request.iam, data, members)
    adding = request.method == "POST" and request.POST.get("action") == "add"
    post = request.POST.copy() if adding else None
    if post is not None:
        post.setlist("choice", found["chosen_users"])
    form = ChooseForm(post, choices=found["chosen_users"], what="user")
    if adding and form.is_valid():
        name = group["GroupName"]
        calls = [
            (
                "choice",
                user,
                functools.partial(request.iam.add_user_to_group, GroupName=name, UserName=user),
            )
            for user in form.cleaned_data["choice"]
        ]
        failed, error = _run_batch(request.iam, calls)
        if error is None:
            added = ", ".join(form.cleaned_data["choice"])
            messages.success(request, f"Added to user group {name}: {added}.")
            return redirect_or_client_redirect(request, _tab_url(name, "users"))
        form.add_error("choice", _with_user(failed[1], error))
    context = {"group": group, "form": form, **found, "page_title": "Add users"}
    return _render(request, "add_users", context, partial="user-choices")


REMOVALS = {
    "user": (
        lambda iam, group, target: iam.remove_user_from_group(GroupName=group, UserName=target),
        "User {target} removed from user group {group}.",
        "users",
    ),
    "managed": (
        lambda iam, group, target: iam.detach_group_policy(GroupName=group, PolicyArn=target),
        "Policy {name} detached from user group {group}.",
        "permissions",
    ),
    "inline": (
        lambda iam, group, target: iam.delete_group_policy(GroupName=group, PolicyName=target),
        "Inline policy {target} deleted from user group {group}.",
        "permissions",
    ),
}
REMOVE_TITLES = {"user": "Remove user", "managed": "Remove policy", "inline": "Delete inline policy"}


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_remove(request, group_name):
    """Confirm, then remove one thing from the group (`kind` user|managed|inline, `target`)."""
    group = _group_or_404(request, group_name)
    data = request.POST if request.method == "POST" else request.GET
    form = RemoveForm(data)
    valid = form.is_valid()
    kind, target = (form.cleaned_data["kind"], form.cleaned_data["target"]) if valid else ("", "")
    name = target.rsplit("/", 1)[-1] if kind == "managed" else target
    back = _tab_url(group["GroupName"], REMOVALS[kind][2] if valid else "users")
    if request.method == "POST" and valid:
        remove, done, _ = REMOVALS[kind]
        try:
            remove(request.iam, group["GroupName"], target)
        except IAMError as error:
            messages.error(
                request, f"Could not remove {name} from user group {group['GroupName']}: {error.message}"
            )
        else:
            messages.success(request, done.format(target=target, name=name, group=group["GroupName"]))
        return redirect_or_client_redirect(request, back)
    context = {"group": group, "form": form, "kind": kind, "target": target, "target_name": name}
    context |= {"back_url": back, "page_title": REMOVE_TITLES.get(kind, "Remove")}
    return _render(request, "remove", context, partial="remove-dialog")


# -- permissions: attach, inline ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_policies_attach(request, group_name):
    """Attach managed policies: searched on the server (at most 50 shown, selections kept), the ones
    already attached marked; AttachGroupPolicy for each, all or none."""
    group = _group_or_404(request, group_name)
    data = request.POST if request.method == "POST" else request.GET
    name = group["GroupName"]
    attached = {
        p["PolicyArn"]
        for p in _all(request.iam.list_attached_group_policies, "AttachedPolicies", GroupName=name)
    }
    found = _policies_offered(request.iam, data, attached)
    attaching = request.method == "POST" and request.POST.get("action") == "attach"
    post = request.POST.copy() if attaching else None
    if post is not None:
        post.setlist("choice", found["chosen"])
    form = ChooseForm(post, choices=[p["Arn"] for p in found["policies"]], what="policy")
    if attaching and form.is_valid():
        calls = [
            ("choice", "", functools.partial(request.iam.attach_group_policy, GroupName=name, PolicyArn=arn))
            for arn in form.cleaned_data["choice"]
        ]
        _, error = _run_batch(request.iam, calls)
        if error is None:
            names = ", ".join(arn.rsplit("/", 1)[-1] for arn in form.cleaned_data["choice"])
            messages.success(request, f"Policies attached to user group {name}: {names}.")
            return redirect_or_client_redirect(request, _tab_url(name, "permissions"))
        form.add_error("choice", error.message)
    context = {"group": group, "form": form, **found, "page_title": "Attach permissions policies"}
    return _render(request, "attach", context, partial="policy-choices")


def _document_text(document) -> str:
    """A policy document as JSON text: IAM returns it decoded (a dict, as boto3 does), indented here
    for the editor; a string is kept as it is."""
    return document if isinstance(document, str) else json.dumps(document, indent=2)


def _inline_policy_page(request, group: dict, policy_name: str | None, document: str):
    """The editor for a new (`policy_name` None) or existing inline policy; PutGroupPolicy on save,
    IAM's MalformedPolicyDocument message on the document."""
    form = InlinePolicyForm(request.POST or None, initial={"policy_name": policy_name, "document": document})
    form.fields["policy_name"].disabled = policy_name is not None  # an existing policy keeps its name
    if request.method == "POST" and form.is_valid():
        name, group_name = form.cleaned_data["policy_name"], group["GroupName"]
        existing = _all(request.iam.list_group_policies, "PolicyNames", GroupName=group_name)
        if policy_name is None and name in existing:
            form.add_error(
                "policy_name", f"User group {group_name} already has an inline policy named {name}."
            )
        else:
            try:
                request.iam.put_group_policy(
                    GroupName=group_name, PolicyName=name, PolicyDocument=form.cleaned_data["document"]
                )
            except IAMError as error:
                form.add_error(field_for_error(error, INLINE_FIELDS, "document"), error.message)
            else:
                verb = "created for" if policy_name is None else "updated on"
                messages.success(request, f"Inline policy {name} {verb} user group {group_name}.")
                return redirect_or_client_redirect(request, _tab_url(group_name, "permissions"))
    title = "Create inline policy" if policy_name is None else f"Edit inline policy {policy_name}"
    context = {"group": group, "form": form, "policy_name": policy_name, "page_title": title}
    return _render(request, "inline", context, partial="inline-policy-form")


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_inline_policy_create(request, group_name):
    """A new inline policy (PutGroupPolicy); a name already in use is refused rather than replaced."""
    group = _group_or_404(request, group_name)
    return _inline_policy_page(request, group, None, NEW_POLICY_DOCUMENT)


@require_http_methods(["GET", "POST"])
@_access_denied_is_403
def group_inline_policy_edit(request, group_name, policy_name):
    """Edit an inline policy's document (GetGroupPolicy, then PutGroupPolicy)."""
    group = _group_or_404(request, group_name)
    try:
        found = request.iam.get_group_policy(GroupName=group["GroupName"], PolicyName=policy_name)
    except (NoSuchEntity, ValidationError):
        raise Http404(f"User group {group['GroupName']} has no inline policy {policy_name}.")
    return _inline_policy_page(request, group, found["PolicyName"], _document_text(found["PolicyDocument"]))
