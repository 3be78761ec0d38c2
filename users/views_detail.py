"""The user details page: summary, tabs (?tab=), and the actions it offers (STYLE.md 1-9).

Everything goes through `request.iam`; the backend decides. Each page and dialog is a region of
`users/user_detail.html`: a view renders the whole page, or for htmx the region it owns
(`page.html#region`). Every POST ends in a redirect (a client redirect for htmx) with a flash message
naming the object, or re-renders its form with IAM's message on the field concerned.

The Security credentials tab belongs to `users.views_credentials` (another module): this page asks it
for the tab's context and includes its template.
"""

import functools
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from iamconsole.backends.errors import IAMError, NoSuchEntity, ValidationError
from iamconsole.htmx import redirect_or_client_redirect
from policies.can import arn, can

from .forms_detail import (
    ADD_OPTIONS,
    OPTION_COPY,
    OPTION_GROUPS,
    TAGS_PER_USER,
    AddPermissionsForm,
    BoundaryForm,
    InlinePolicyForm,
    RemovePermissionForm,
    RenameUserForm,
    TagFormSet,
    field_for_error,
    tag_row_for_error,
)

try:
    from .views_credentials import security_credentials_context
except ImportError as error:  # the Security credentials tab is built separately; until then, a placeholder
    if error.name != f"{__package__}.views_credentials":
        raise
    security_credentials_context = None

TEMPLATE = "users/user_detail.html"
TABS = [
    ("permissions", "Permissions"),
    ("groups", "Groups"),
    ("tags", "Tags"),
    ("security_credentials", "Security credentials"),
    ("access_advisor", "Access Advisor"),
]
RETURN_TABS = {"permissions", "groups", "tags"}  # where an action may send the operator back to
MAX_MATCHES = 50  # search results shown at once on the choosers
NEW_POLICY_DOCUMENT = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "Statement1",\n'
    '      "Effect": "Allow",\n      "Action": [],\n      "Resource": []\n    }\n  ]\n}'
)


# -- helpers --------------------------------------------------------------------------------------


def _user_or_404(request, user_name: str) -> dict:
    """GetUser, or 404 for a name that is unknown (or not even a valid IAM name)."""
    try:
        return request.iam.get_user(UserName=user_name)["User"]
    except (NoSuchEntity, ValidationError):
        raise Http404(f"No user named {user_name}.")


def _all(call, key: str, **params) -> list:
    """Every item of a paginated IAM list (follows Marker until IsTruncated is false)."""
    items, marker = [], None
    while True:
        page = call(**params, **({"Marker": marker} if marker else {}))
        items += page[key]
        if not page.get("IsTruncated"):
            return items
        marker = page["Marker"]


def _tab_url(user_name: str, tab: str = "permissions") -> str:
    return f"{reverse('users:user_detail', args=[user_name])}?{urlencode({'tab': tab})}"


def _return_tab(data, default: str = "permissions") -> str:
    tab = data.get("next", default)
    return tab if tab in RETURN_TABS else default


def _render(request, page: str, context: dict, partial: str | None = None):
    """The page `page` of the details template, or only its region `partial` for htmx."""
    template = TEMPLATE
    if partial and request.htmx and not request.htmx.boosted:
        template += f"#{partial}"
    return render(request, template, {"page": page, "tabs": TABS, **context})


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _policy_type(arn: str) -> str:
    """The console's Type column: AWS managed (job function), or customer managed."""
    if ":aws:policy/job-function/" in arn:
        return "AWS managed - job function"
    return "AWS managed" if ":aws:policy/" in arn else "Customer managed"


def _document_text(document, indent: int | None = 2) -> str:
    """A policy document as JSON text: IAM returns it decoded (a dict, as boto3 does), indented here
    for the editor; a string is kept as it is."""
    return document if isinstance(document, str) else json.dumps(document, indent=indent)


def _run_steps(steps) -> tuple[list[str], str | None]:
    """Run (label, call) pairs in order, stopping at the first IAM error: (labels done, error text)."""
    done = []
    for label, call in steps:
        try:
            call()
        except IAMError as error:
            return done, f"{label}: {error.message}"
        done.append(label)
    return done, None


def _key_activity(iam, user_name: str) -> list[dict]:
    """The user's access keys, each with GetAccessKeyLastUsed's answer as `LastUsed`."""
    keys = _all(iam.list_access_keys, "AccessKeyMetadata", UserName=user_name)
    for key in keys:
        key["LastUsed"] = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    return keys


# -- the page and its tabs ------------------------------------------------------------------------


def _summary(iam, user: dict) -> dict:
    """The summary container: console access (GetLoginProfile) and the access keys."""
    try:
        iam.get_login_profile(UserName=user["UserName"])
        console_access = True
    except NoSuchEntity:
        console_access = False
    return {"console_access": console_access, "access_keys": _key_activity(iam, user["UserName"])}


def _permissions_tab(request, user: dict) -> dict:
    """Policies attached directly, inline, and through each group ("Attached via"), and the boundary."""
    iam, name = request.iam, user["UserName"]
    rows = [
        {
            "name": p["PolicyName"],
            "arn": p["PolicyArn"],
            "type": _policy_type(p["PolicyArn"]),
            "kind": "managed",
        }
        for p in _all(iam.list_attached_user_policies, "AttachedPolicies", UserName=name)
    ]
    rows += [
        {"name": n, "type": "Customer inline", "kind": "inline"}
        for n in _all(iam.list_user_policies, "PolicyNames", UserName=name)
    ]
    for group in _all(iam.list_groups_for_user, "Groups", UserName=name):
        group_name = group["GroupName"]
        rows += [
            {
                "name": p["PolicyName"],
                "arn": p["PolicyArn"],
                "type": _policy_type(p["PolicyArn"]),
                "group": group_name,
            }
            for p in _all(iam.list_attached_group_policies, "AttachedPolicies", GroupName=group_name)
        ]
        rows += [
            {"name": n, "type": "Customer inline", "group": group_name}
            for n in _all(iam.list_group_policies, "PolicyNames", GroupName=group_name)
        ]
    boundary = user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    if boundary:
        boundary = {"arn": boundary, "name": _policy_name(boundary), "type": _policy_type(boundary)}
    return {"policies": rows, "boundary": boundary}


def _groups_tab(request, user: dict) -> dict:
    """The user's groups with the managed policies attached to each (at most 10 groups per user)."""
    iam = request.iam
    groups = _all(iam.list_groups_for_user, "Groups", UserName=user["UserName"])
    for group in groups:
        attached = _all(iam.list_attached_group_policies, "AttachedPolicies", GroupName=group["GroupName"])
        group["AttachedPolicyNames"] = [p["PolicyName"] for p in attached]
    return {"groups": groups}


def _tags_tab(request, user: dict) -> dict:
    return {"tags": _all(request.iam.list_user_tags, "Tags", UserName=user["UserName"])}


def _access_advisor_tab(request, user: dict) -> dict:
    """What the local account records of the user's activity: each access key's last use (service,
    region, date) and the last console sign-in, most recent first."""
    rows = [
        {
            "service": key["LastUsed"]["ServiceName"],
            "last_accessed": key["LastUsed"]["LastUsedDate"],
            "credential": f"Access key {key['AccessKeyId']}",
            "region": key["LastUsed"]["Region"],
        }
        for key in _key_activity(request.iam, user["UserName"])
        if key["LastUsed"].get("LastUsedDate")
    ]
    if user.get("PasswordLastUsed"):
        rows.append(
            {
                "service": "AWS Management Console",
                "last_accessed": user["PasswordLastUsed"],
                "credential": "Console password",
                "region": "",
            }
        )
    return {"activity": sorted(rows, key=lambda row: row["last_accessed"], reverse=True)}


def _security_credentials_tab(request, user: dict) -> dict:
    if security_credentials_context is None:
        return {"credentials_pending": True}
    return security_credentials_context(request, user["UserName"])


TAB_CONTEXTS = {
    "permissions": _permissions_tab,
    "groups": _groups_tab,
    "tags": _tags_tab,
    "security_credentials": _security_credentials_tab,
    "access_advisor": _access_advisor_tab,
}


def _can(request, user: dict):
    """Which of the page's controls the operator may use (one allowed_actions call for them all)."""
    here = user["Arn"]
    return can(
        request,
        {
            "rename": ("iam:UpdateUser", here),
            "delete": ("iam:DeleteUser", here),
            "attach": ("iam:AttachUserPolicy", here),
            "inline": ("iam:PutUserPolicy", here),
            "boundary": ("iam:PutUserPermissionsBoundary", here),
            "unbound": ("iam:DeleteUserPermissionsBoundary", here),
            "groups": ("iam:AddUserToGroup", arn(request, "group/*")),
            "tags": ("iam:TagUser", here),
            # the Security credentials tab's buttons
            "console_create": ("iam:CreateLoginProfile", here),
            "console_manage": ("iam:UpdateLoginProfile", here),
            "mfa": ("iam:EnableMFADevice", here),
            "access_key": ("iam:CreateAccessKey", here),
            "ssh": ("iam:UploadSSHPublicKey", here),
            "git": ("iam:CreateServiceSpecificCredential", here),
            "cert": ("iam:UploadSigningCertificate", here),
        },
    )


@require_GET
def user_detail(request, user_name):
    """The user's summary and one tab (`?tab=`, Permissions by default); htmx swaps only the tabs."""
    user = _user_or_404(request, user_name)
    tab = request.GET.get("tab", "permissions")
    tab = tab if tab in TAB_CONTEXTS else "permissions"
    try:
        tab_context = TAB_CONTEXTS[tab](request, user)
    except IAMError as error:  # e.g. AccessDenied for an IAM-user operator: say it in the tab
        tab_context = {"tab_error": error.message}
    context = {**tab_context, "user": user, "tab": tab, "can": _can(request, user)}
    if request.htmx and not request.htmx.boosted:
        return _render(request, "detail", context, partial="user-tabs")
    try:
        context["summary"] = _summary(request.iam, user)
    except IAMError as error:
        context["summary"] = {"error": error.message}
    return _render(request, "detail", context)


# -- rename and move ------------------------------------------------------------------------------

RENAME_FIELDS = {"newUserName": "user_name", "newPath": "path", "path": "path"}


def _renamed_message(user: dict, changes: dict) -> str:
    old = user["UserName"]
    if "NewUserName" in changes and "NewPath" in changes:
        return f"User {old} renamed to {changes['NewUserName']} and moved to path {changes['NewPath']}."
    if "NewUserName" in changes:
        return f"User {old} renamed to {changes['NewUserName']}."
    return f"User {old} moved to path {changes['NewPath']}."


@require_http_methods(["GET", "POST"])
def user_rename(request, user_name):
    """UpdateUser (NewUserName, NewPath) from the console; then the user's new URL."""
    user = _user_or_404(request, user_name)
    form = RenameUserForm(request.POST or None, initial={"user_name": user["UserName"], "path": user["Path"]})
    if request.method == "POST" and form.is_valid():
        new_name, new_path = form.cleaned_data["user_name"], form.cleaned_data["path"]
        changes = {"NewUserName": new_name} if new_name != user["UserName"] else {}
        changes |= {"NewPath": new_path} if new_path != user["Path"] else {}
        if not changes:
            messages.info(request, f"User {user['UserName']} was not changed.")
            return redirect_or_client_redirect(request, _tab_url(user["UserName"]))
        try:
            request.iam.update_user(UserName=user["UserName"], **changes)
        except IAMError as error:
            form.add_error(field_for_error(error, RENAME_FIELDS, "user_name"), error.message)
        else:
            messages.success(request, _renamed_message(user, changes))
            return redirect_or_client_redirect(request, _tab_url(new_name))
    context = {"user": user, "form": form, "page_title": "Edit user name and path"}
    return _render(request, "rename", context, partial="rename-dialog")


# -- remove (detach, delete inline, leave a group, drop the boundary) -----------------------------

REMOVALS = {
    "managed": (
        lambda iam, user, target: iam.detach_user_policy(UserName=user, PolicyArn=target),
        "Policy {name} detached from user {user}.",
    ),
    "inline": (
        lambda iam, user, target: iam.delete_user_policy(UserName=user, PolicyName=target),
        "Inline policy {name} deleted from user {user}.",
    ),
    "group": (
        lambda iam, user, target: iam.remove_user_from_group(GroupName=target, UserName=user),
        "User {user} removed from group {name}.",
    ),
    "boundary": (
        lambda iam, user, target: iam.delete_user_permissions_boundary(UserName=user),
        "Permissions boundary removed from user {user}.",
    ),
}

REMOVE_TITLES = {
    "managed": "Remove policy",
    "inline": "Delete inline policy",
    "group": "Remove from group",
    "boundary": "Remove permissions boundary",
}


@require_http_methods(["GET", "POST"])
def user_permission_remove(request, user_name):
    """Confirm, then remove one thing from the user (`kind` managed|inline|group|boundary, `target`)."""
    user = _user_or_404(request, user_name)
    data = request.POST if request.method == "POST" else request.GET
    form = RemovePermissionForm(data)
    back = _tab_url(user["UserName"], _return_tab(data))
    valid = form.is_valid()
    kind, target = (form.cleaned_data["kind"], form.cleaned_data["target"]) if valid else ("", "")
    name = _policy_name(target) if kind == "managed" else target
    if request.method == "POST" and valid:
        remove, done = REMOVALS[kind]
        try:
            remove(request.iam, user["UserName"], target)
        except IAMError as error:
            what = name or "the permissions boundary"
            messages.error(request, f"Could not remove {what} from user {user['UserName']}: {error.message}")
        else:
            messages.success(request, done.format(name=name, user=user["UserName"]))
        return redirect_or_client_redirect(request, back)
    context = {"user": user, "form": form, "kind": kind, "target": target, "target_name": name}
    context |= {"back_url": back, "next": _return_tab(data), "page_title": REMOVE_TITLES.get(kind, "Remove")}
    return _render(request, "remove", context, partial="remove-dialog")


# -- add permissions ------------------------------------------------------------------------------


def _groups_choice(request, user: dict, query: str) -> dict:
    """Every group of the account with its policies (one GetAccountAuthorizationDetails walk)."""
    groups = _all(
        request.iam.get_account_authorization_details, "GroupDetailList", Filter=["Group"], MaxItems=1000
    )
    member_of = {
        g["GroupName"] for g in _all(request.iam.list_groups_for_user, "Groups", UserName=user["UserName"])
    }
    shown = [g for g in groups if query.lower() in g["GroupName"].lower()]
    for group in shown:
        group["Member"] = group["GroupName"] in member_of
    return {
        "groups": shown,
        "group_total": len(groups),
        "choices": {"groups": [g["GroupName"] for g in groups]},
    }


def _users_choice(request, user: dict, query: str) -> dict:
    """Users to copy from: up to 50 matching the search (the user itself excluded)."""
    found = request.iam.list_users_overview(search=query, per_page=MAX_MATCHES + 1)
    users = [u for u in found["Users"] if u["UserName"].lower() != user["UserName"].lower()]
    return {"users": users[:MAX_MATCHES], "user_total": found["Total"], "choices": {}}


def _all_policies(iam) -> list[dict]:
    """Every managed policy a user can have (AWS's service-role policies attach to roles only)."""
    return [
        p
        for p in _all(iam.list_policies, "Policies", Scope="All", MaxItems=1000)
        if not p["Path"].startswith("/aws-service-role/")
    ]


def _policies_choice(request, query: str, scope: str, selected: list[str], attached=()) -> dict:
    """At most 50 policies matching the search and type, the selected ones kept apart when not shown;
    those in `attached` (ARNs) are marked."""
    policies = _all_policies(request.iam)
    by_arn = {p["Arn"]: p for p in policies}
    matches = [
        p
        for p in policies
        if query.lower() in p["PolicyName"].lower()
        and (scope == "All" or (scope == "AWS") == (":aws:policy/" in p["Arn"]))
    ]
    for policy in policies:
        policy["Type"] = _policy_type(policy["Arn"])
        policy["Attached"] = policy["Arn"] in attached
    shown = {p["Arn"] for p in matches[:MAX_MATCHES]}
    return {
        "policies": matches[:MAX_MATCHES],
        "policy_matches": len(matches),
        "selected_policies": [by_arn[arn] for arn in selected if arn in by_arn and arn not in shown],
        "choices": {"policies": list(by_arn)},
    }


def _copy_steps(iam, user_name: str, source: str) -> list:
    """AddUserToGroup, AttachUserPolicy, PutUserPolicy and PutUserPermissionsBoundary for everything
    the source user has (facts §1.1: groups, managed policies, inline policies, boundary)."""
    steps = [
        (
            f"Add to group {g['GroupName']}",
            functools.partial(iam.add_user_to_group, GroupName=g["GroupName"], UserName=user_name),
        )
        for g in _all(iam.list_groups_for_user, "Groups", UserName=source)
    ]
    steps += [
        (
            f"Attach {p['PolicyName']}",
            functools.partial(iam.attach_user_policy, UserName=user_name, PolicyArn=p["PolicyArn"]),
        )
        for p in _all(iam.list_attached_user_policies, "AttachedPolicies", UserName=source)
    ]
    for name in _all(iam.list_user_policies, "PolicyNames", UserName=source):
        document = _document_text(
            iam.get_user_policy(UserName=source, PolicyName=name)["PolicyDocument"], None
        )
        steps.append(
            (
                f"Copy inline policy {name}",
                functools.partial(
                    iam.put_user_policy, UserName=user_name, PolicyName=name, PolicyDocument=document
                ),
            )
        )
    boundary = iam.get_user(UserName=source)["User"].get("PermissionsBoundary")
    if boundary:
        arn = boundary["PermissionsBoundaryArn"]
        steps.append(
            (
                f"Set permissions boundary {_policy_name(arn)}",
                functools.partial(
                    iam.put_user_permissions_boundary, UserName=user_name, PermissionsBoundary=arn
                ),
            )
        )
    return steps


def _add_permissions(request, user_name: str, data: dict) -> str | None:
    """Apply the chosen option; flash what was done; return IAM's error text if a step failed."""
    iam, option = request.iam, data["option"]
    if option == OPTION_GROUPS:
        steps = [
            (f"Add to group {g}", functools.partial(iam.add_user_to_group, GroupName=g, UserName=user_name))
            for g in data["group"]
        ]
    elif option == OPTION_COPY:
        try:
            steps = _copy_steps(iam, user_name, data["source_user"])
        except IAMError as error:
            return f"Could not read the permissions of {data['source_user']}: {error.message}"
    else:
        steps = [
            (
                f"Attach {_policy_name(arn)}",
                functools.partial(iam.attach_user_policy, UserName=user_name, PolicyArn=arn),
            )
            for arn in data["policy"]
        ]
    done, error = _run_steps(steps)
    if done:
        messages.success(request, f"Permissions added to user {user_name}: {'; '.join(done)}.")
    elif not error:
        messages.info(request, f"User {data['source_user']} has no permissions to copy to user {user_name}.")
    return error


def _search_terms(data) -> tuple[str, str]:
    """The chooser's search text and policy type filter (All | AWS | Local)."""
    scope = data.get("scope", "All")
    return data.get("q", "").strip()[:128], scope if scope in ("All", "AWS", "Local") else "All"


def _add_choices(request, user: dict, option: str, data) -> dict:
    """What the chosen option offers, searched with `q` (and `scope` for policies)."""
    query, scope = _search_terms(data)
    if option == OPTION_GROUPS:
        found = _groups_choice(request, user, query)
    elif option == OPTION_COPY:
        found = _users_choice(request, user, query)
    else:
        attached = _all(
            request.iam.list_attached_user_policies, "AttachedPolicies", UserName=user["UserName"]
        )
        arns = {p["PolicyArn"] for p in attached}
        found = _policies_choice(request, query, scope, data.getlist("policy"), arns)
    return {**found, "query": query, "scope": scope}


@require_http_methods(["GET", "POST"])
def user_permissions_add(request, user_name):
    """Add permissions: join groups, copy another user's permissions, or attach managed policies
    (searched on the server, at most 50 shown, selections kept across searches)."""
    user = _user_or_404(request, user_name)
    data = request.POST if request.method == "POST" else request.GET
    option = data.get("option") if data.get("option") in dict(ADD_OPTIONS) else OPTION_GROUPS
    found = _add_choices(request, user, option, data)
    adding = request.method == "POST" and request.POST.get("action") == "add"
    form = AddPermissionsForm(request.POST if adding else None, **found.pop("choices"))
    if adding and form.is_valid():
        error = _add_permissions(request, user["UserName"], form.cleaned_data)
        if error is None:
            return redirect_or_client_redirect(request, _tab_url(user["UserName"], _return_tab(data)))
        form.add_error(None, error)
    context = {"user": user, "form": form, "option": option, "options": ADD_OPTIONS, **found}
    context |= {"selected": data.getlist("policy") + data.getlist("group"), "next": _return_tab(data)}
    context |= {"source_user": data.get("source_user", ""), "page_title": "Add permissions"}
    return _render(request, "add", context, partial="add-choices")


# -- inline policies ------------------------------------------------------------------------------

INLINE_FIELDS = {
    "policyName": "policy_name",
    "policyDocument": "document",
    "MalformedPolicyDocument": "document",
    "LimitExceeded": "document",
}


def _inline_policy_page(request, user: dict, policy_name: str | None, document: str):
    """The editor for a new (`policy_name` None) or existing inline policy; PutUserPolicy on save."""
    form = InlinePolicyForm(request.POST or None, initial={"policy_name": policy_name, "document": document})
    form.fields["policy_name"].disabled = policy_name is not None  # an existing policy keeps its name
    if request.method == "POST" and form.is_valid():
        name, user_name = form.cleaned_data["policy_name"], user["UserName"]
        existing = _all(request.iam.list_user_policies, "PolicyNames", UserName=user_name)
        if policy_name is None and name in existing:
            form.add_error("policy_name", f"User {user_name} already has an inline policy named {name}.")
        else:
            try:
                request.iam.put_user_policy(
                    UserName=user_name, PolicyName=name, PolicyDocument=form.cleaned_data["document"]
                )
            except IAMError as error:
                form.add_error(field_for_error(error, INLINE_FIELDS, "document"), error.message)
            else:
                verb = "created for" if policy_name is None else "updated on"
                messages.success(request, f"Inline policy {name} {verb} user {user_name}.")
                return redirect_or_client_redirect(request, _tab_url(user_name))
    title = "Create inline policy" if policy_name is None else f"Edit inline policy {policy_name}"
    context = {"user": user, "form": form, "policy_name": policy_name, "page_title": title}
    return _render(request, "inline", context, partial="inline-policy-form")


@require_http_methods(["GET", "POST"])
def user_inline_policy_create(request, user_name):
    """A new inline policy (PutUserPolicy); a name already in use is refused rather than replaced."""
    user = _user_or_404(request, user_name)
    return _inline_policy_page(request, user, None, NEW_POLICY_DOCUMENT)


@require_http_methods(["GET", "POST"])
def user_inline_policy_edit(request, user_name, policy_name):
    """Edit an inline policy's document (GetUserPolicy, then PutUserPolicy)."""
    user = _user_or_404(request, user_name)
    try:
        found = request.iam.get_user_policy(UserName=user["UserName"], PolicyName=policy_name)
    except (NoSuchEntity, ValidationError):
        raise Http404(f"User {user['UserName']} has no inline policy {policy_name}.")
    return _inline_policy_page(request, user, found["PolicyName"], _document_text(found["PolicyDocument"]))


# -- permissions boundary -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def user_boundary_set(request, user_name):
    """Set or change the permissions boundary: one managed policy, searched like "Attach policies"."""
    user = _user_or_404(request, user_name)
    data = request.POST if request.method == "POST" else request.GET
    current = user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn", "")
    chosen = data.get("policy", current)
    query, scope = _search_terms(data)
    found = _policies_choice(request, query, scope, [chosen] if chosen else [])
    saving = request.method == "POST" and request.POST.get("action") == "set"
    form = BoundaryForm(request.POST if saving else None, initial={"policy": current})
    if saving and form.is_valid():
        arn = form.cleaned_data["policy"]
        try:
            request.iam.put_user_permissions_boundary(UserName=user["UserName"], PermissionsBoundary=arn)
        except IAMError as error:
            form.add_error("policy", error.message)
        else:
            message = f"Permissions boundary {_policy_name(arn)} set for user {user['UserName']}."
            messages.success(request, message)
            return redirect_or_client_redirect(request, _tab_url(user["UserName"]))
    context = {"user": user, "form": form, "chosen": chosen, "current": current, **found}
    context |= {"query": query, "scope": scope, "page_title": "Set permissions boundary"}
    return _render(request, "boundary", context, partial="boundary-choices")


# -- tags -----------------------------------------------------------------------------------------


def _rows(formset) -> list[dict]:
    """The editor's rows as typed (valid or not), to re-render after "Add new tag" or "Remove"."""
    return [
        {"key": form["key"].value() or "", "value": form["value"].value() or ""} for form in formset.forms
    ]


def _save_tags(request, user_name: str, current: list[dict], formset) -> str | None:
    """TagUser what is new or changed and UntagUser the keys that went, in one of two orders: tag first,
    so that a refused tag loses nothing; untag first only when the new keys fit under the 50-tag quota
    only after the removals. IAM's error goes on the row and field it names, else it is returned."""
    wanted = formset.tags()
    keep = {tag["Key"].lower() for tag in wanted}
    removed = [tag["Key"] for tag in current if tag["Key"].lower() not in keep]
    changed = [(i, tag) for i, tag in enumerate(wanted) if tag not in current]
    added_keys = keep - {tag["Key"].lower() for tag in current}
    calls = []
    if changed:
        tags = [tag for _, tag in changed]
        calls.append(functools.partial(request.iam.tag_user, UserName=user_name, Tags=tags))
    if removed:
        untag = functools.partial(request.iam.untag_user, UserName=user_name, TagKeys=removed)
        calls.insert(0 if len(current) + len(added_keys) > TAGS_PER_USER else len(calls), untag)
    try:
        for call in calls:
            call()
    except IAMError as error:
        row = tag_row_for_error(error)
        if row is None or row[0] >= len(changed):
            return error.message
        filled = [form for form in formset.forms if not form.is_blank]
        filled[changed[row[0]][0]].add_error(row[1], error.message)
        return "Correct the tag marked below."
    if calls:
        messages.success(request, f"Tags of user {user_name} saved.")
    else:
        messages.info(request, f"The tags of user {user_name} were not changed.")
    return None


@require_http_methods(["GET", "POST"])
def user_tags_edit(request, user_name):
    """Add, edit and remove the user's tags in one editor; "Add new tag" and "Remove" re-render it."""
    user = _user_or_404(request, user_name)
    current = _all(request.iam.list_user_tags, "Tags", UserName=user["UserName"])
    action, error = request.POST.get("action", "save"), None
    if request.method == "GET":
        formset = TagFormSet(initial=[{"key": t["Key"], "value": t["Value"]} for t in current] or [{}])
    elif action == "add" or action.startswith("remove-"):
        rows = _rows(TagFormSet(request.POST))
        index = action.removeprefix("remove-")
        if action == "add" and len(rows) < TAGS_PER_USER:
            rows.append({"key": "", "value": ""})
        elif index.isdigit() and int(index) < len(rows):
            del rows[int(index)]
        formset = TagFormSet(initial=rows or [{}])
    else:
        formset = TagFormSet(request.POST)
        if formset.is_valid():
            error = _save_tags(request, user["UserName"], current, formset)
            if error is None:
                return redirect_or_client_redirect(request, _tab_url(user["UserName"], "tags"))
    context = {"user": user, "formset": formset, "tags_error": error, "page_title": "Edit tags"}
    context["tags_left"] = max(0, TAGS_PER_USER - len(formset.forms))
    return _render(request, "tags", context, partial="tags-editor")
