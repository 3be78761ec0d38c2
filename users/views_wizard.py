"""The add-users wizard (legacy AWS console flow, facts §1.1): details → permissions → tags → review
→ create → success. State is server-side (users/wizard.py); every step is validated on the server and
the whole batch again before the first write."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import downloads
from iamconsole.backends import IAMError
from iamconsole.backends.model import validate_input
from iamconsole.htmx import redirect_or_client_redirect

from . import push, wizard
from .forms_wizard import MAX_TAGS, DetailsForm, PermissionsForm, rows, tag_rows
from .wizard_lists import group_choices, policy_choices, user_choices


def _step_context(state, step, **extra):
    return {"state": state, "step": step, "steps": wizard.STEPS, **extra}


@sensitive_post_parameters("custom_password")
@require_http_methods(["GET", "POST"])
def wizard_details(request):
    """Step 1: user names (Add another user, up to 10), access type, console password."""
    if request.method == "GET" and request.GET.get("restart") != "0":
        wizard.clear(request.session)
    state = wizard.load(request.session)
    details = state["details"]
    names = (
        rows(request.POST, "user_name", wizard.MAX_USERS) if request.method == "POST" else details["names"]
    )
    form = DetailsForm(request.POST or None, names=names, initial=details)
    row_errors = {}
    if request.method == "POST":
        if "add_user" in request.POST and len(names) < wizard.MAX_USERS:
            names.append("")
        elif "remove_user" in request.POST:
            index = _int(request.POST["remove_user"])
            if 0 <= index < len(names) and len(names) > 1:
                names.pop(index)
        elif form.is_valid():
            row_errors = wizard.check_names(request.iam, names)
            data = form.cleaned_data
            if (
                not data["custom_password"]
                and details["custom_password"]
                and data["password_type"] == "custom"
            ):
                data["custom_password"] = wizard.open_password(details["custom_password"])
            violations = []
            if data["console"] and data["password_type"] == "custom":
                violations = request.iam.check_password(Password=data["custom_password"])["Violations"]
                for violation in violations:
                    form.add_error("custom_password", violation)
            if not row_errors and not violations:
                state["details"] = {
                    "names": names,
                    "programmatic": data["programmatic"],
                    "console": data["console"],
                    "password_type": data["password_type"],
                    "custom_password": wizard.seal_password(
                        data["custom_password"] if data["console"] else ""
                    ),
                    "require_reset": data["require_reset"],
                }
                state["done"] = ["details"]
                wizard.save(request.session, state)
                return redirect("users:wizard_permissions")
    context = _step_context(state, "details", form=form, names=names, row_errors=row_errors)
    context["max_users"] = wizard.MAX_USERS
    return render(request, "users/wizard_details.html", context)


@require_http_methods(["GET", "POST"])
def wizard_permissions(request):
    """Step 2: add to groups, copy from a user, or attach policies; optional permissions boundary."""
    state = wizard.load(request.session)
    if missing := wizard.first_missing_step(state, "permissions"):
        return redirect(f"users:wizard_{missing}")
    chosen = state["permissions"]
    data = request.POST if request.method == "POST" else None
    form = PermissionsForm(data, initial={**chosen, "boundary_enabled": bool(chosen["boundary"])})
    selected_groups = data.getlist("group") if data else chosen["groups"]
    selected_policies = data.getlist("policy") if data else chosen["policies"]
    query, boundary_query = request.POST.get("q", "")[:128], request.POST.get("bq", "")[:128]
    policy_type = request.POST.get("type", "all")
    if data and "next" in data and form.is_valid():
        groups = {g["GroupName"] for g in group_choices(request.iam)}
        unknown = [g for g in selected_groups if g not in groups]
        if unknown:
            form.add_error(None, f"The group with name {unknown[0]} cannot be found.")
        elif form.cleaned_data["option"] == "group" and not selected_groups:
            form.add_error(None, "Select at least one group, or choose another option.")
        elif form.cleaned_data["option"] == "attach" and not selected_policies:
            form.add_error(None, "Select at least one policy, or choose another option.")
        else:
            state["permissions"] = {
                "option": form.cleaned_data["option"],
                "groups": selected_groups[:10],
                "copy_from": form.cleaned_data["copy_from"],
                "policies": selected_policies[:20],
                "boundary": form.cleaned_data["boundary"] if form.cleaned_data["boundary_enabled"] else "",
            }
            state["done"] = ["details", "permissions"]
            wizard.save(request.session, state)
            return redirect("users:wizard_tags")
    policies, total = policy_choices(request.iam, query, policy_type, keep=selected_policies)
    boundaries, boundary_total = policy_choices(
        request.iam, boundary_query, "all", keep=[chosen["boundary"]] if chosen["boundary"] else []
    )
    context = _step_context(
        state,
        "permissions",
        form=form,
        groups=group_choices(request.iam),
        users=user_choices(request.iam),
        policies=policies,
        policy_total=total,
        boundaries=boundaries,
        boundary_total=boundary_total,
        selected_groups=selected_groups,
        selected_policies=selected_policies,
        selected_boundary=request.POST.get("boundary", chosen["boundary"]),
        query=query,
        boundary_query=boundary_query,
        policy_type=policy_type,
    )
    template = "users/wizard_permissions.html"
    if request.htmx and request.POST.get("search"):
        template += "#" + ("boundary-table" if request.POST["search"] == "boundary" else "policy-table")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def wizard_group_create(request):
    """ "Create group" from the permissions step: a name and policies to attach, in a dialog (htmx) or a
    page; the new group is then selected for the users."""
    state = wizard.load(request.session)
    if wizard.first_missing_step(state, "permissions"):
        return redirect("users:wizard_details")
    error = ""
    name = request.POST.get("group_name", "").strip()[:128]
    chosen = request.POST.getlist("group_policy")[:10]
    query = request.POST.get("q", "")[:128]
    if request.method == "POST" and "create" in request.POST:
        try:
            with request.iam.batch():
                request.iam.create_group(GroupName=name)
                for arn in chosen:
                    request.iam.attach_group_policy(GroupName=name, PolicyArn=arn)
            state["permissions"] = {**state["permissions"], "option": "group"}
            state["permissions"]["groups"] = [*state["permissions"]["groups"], name][:10]
            wizard.save(request.session, state)
            messages.success(request, f"User group {name} created.")
            return redirect("users:wizard_permissions")
        except IAMError as exc:
            error = exc.message
    policies, total = policy_choices(request.iam, query, "all", keep=chosen)
    context = {
        "name": name,
        "error": error,
        "policies": policies,
        "total": total,
        "chosen": chosen,
        "query": query,
    }
    template = "users/wizard_group_create.html" + ("#dialog" if request.htmx else "")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def wizard_tags(request):
    """Step 3: up to 50 tags (AWS's key and value rules), checked on the server."""
    state = wizard.load(request.session)
    if missing := wizard.first_missing_step(state, "tags"):
        return redirect(f"users:wizard_{missing}")
    tags = tag_rows(request.POST) if request.method == "POST" else list(state["tags"])
    error = ""
    if request.method == "POST":
        if "add_tag" in request.POST and len(tags) < MAX_TAGS:
            tags.append({"Key": "", "Value": ""})
        elif "remove_tag" in request.POST:
            index = _int(request.POST["remove_tag"])
            if 0 <= index < len(tags):
                tags.pop(index)
        elif (error := _tag_error(request.iam, tags)) == "":
            state["tags"], state["done"] = tags, ["details", "permissions", "tags"]
            wizard.save(request.session, state)
            return redirect("users:wizard_review")
    context = _step_context(state, "tags", tags=tags, error=error, max_tags=MAX_TAGS)
    return render(request, "users/wizard_tags.html", context)


def _tag_error(iam, tags) -> str:
    if len(tags) > MAX_TAGS:
        return f"You can add up to {MAX_TAGS} tags."
    keys = [t["Key"].lower() for t in tags]
    if len(set(keys)) != len(keys):
        return "Each tag key must be unique (keys on users are not case-sensitive)."
    if any(t["Key"].lower().startswith("aws:") for t in tags):
        return "Tag keys cannot start with aws: (reserved for AWS use)."
    try:
        if tags:
            validate_input("TagUser", {"UserName": "x", "Tags": tags})
    except IAMError as error:
        return error.message
    return ""


@require_http_methods(["GET", "POST"])
def wizard_review(request):
    """Step 4: what will be created; "Create users" validates the whole batch, then writes it."""
    state = wizard.load(request.session)
    if missing := wizard.first_missing_step(state, "review"):
        return redirect(f"users:wizard_{missing}")
    errors = wizard.validate_batch(request.iam, state)
    context = _step_context(state, "review", errors=errors)
    return render(request, "users/wizard_review.html", context)


@require_POST
@cache_control(no_store=True, no_cache=True, must_revalidate=True, private=True)
def wizard_create(request):
    """Create the users; the response is the success page, the only place the secrets are shown."""
    state = wizard.load(request.session)
    if request.POST.get("wizard_id") != state["id"] or wizard.first_missing_step(state, "review"):
        messages.error(request, "These users were already created, or the wizard expired. Start again.")
        return redirect("users:user_list")
    errors = wizard.validate_batch(request.iam, state)
    if errors:
        return render(request, "users/wizard_review.html", _step_context(state, "review", errors=errors))
    if request.iam.kind == "aws":  # no atomic batch on AWS: a resumable job, run in the background
        try:
            job = push.start(request.iam, request.user, state)
        except IAMError as error:  # reading the copy-from user failed: nothing was created
            messages.error(request, f"No users were created: {error.code}: {error.message}")
            return redirect("users:wizard_review")
        wizard.clear(request.session)
        return redirect("users:wizard_push", job_id=job.id)
    try:
        results = wizard.create_users(request.iam, state)
    except IAMError as error:
        messages.error(request, f"No users were created: {error.code}: {error.message}")
        return redirect("users:wizard_review")
    wizard.clear(request.session)
    token = downloads.offer(
        request.account,
        request.user,
        "credentials.csv",
        wizard.credentials_csv(results, request.account.sign_in_url),
    )
    context = {"results": results, "token": token, "sign_in_url": request.account.sign_in_url}
    return render(request, "users/wizard_success.html", context)


# -- the push to a connected AWS account (users/push.py) ----------------------------------------------


def _job_or_404(request, job_id):
    job = push.get_job(request.account, request.user, job_id)
    if job is None:
        raise Http404("No such push of users.")
    return job


@require_GET
def wizard_push(request, job_id):
    """The push's progress, user by user; htmx polls the progress region every second while it runs."""
    job = _job_or_404(request, job_id)
    context = {"job": job, "rows": push.view_rows(job), "running": job.status == "running"}
    context["unshown"] = [r for r in context["rows"] if r["state"] == "done" and not r.get("shown")]
    context["failed"] = next((r for r in context["rows"] if r["state"] == "failed"), None)
    template = "users/wizard_push.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(request, template, context)


@require_POST
@cache_control(no_store=True, no_cache=True, must_revalidate=True, private=True)
def wizard_push_credentials(request, job_id):
    """The finished users' passwords and secret keys: shown in this response only, then deleted."""
    job = _job_or_404(request, job_id)
    with transaction.atomic():  # the secrets leave the job only together with their one-time CSV
        results = push.take_credentials(job)
        token = results and downloads.offer(
            request.account,
            request.user,
            "credentials.csv",
            wizard.credentials_csv(results, request.account.sign_in_url),
        )
    if not results:
        messages.error(request, "These credentials were already shown, or no user is finished yet.")
        return redirect_or_client_redirect(request, reverse("users:wizard_push", args=[job.id]))
    context = {"results": results, "token": token, "sign_in_url": request.account.sign_in_url, "job": job}
    return render(request, "users/wizard_success.html", context)


@require_POST
def wizard_push_retry(request, job_id):
    """Retry: the failed user from its failed step, then the users not started."""
    job = _job_or_404(request, job_id)
    if not push.retry(job):
        messages.error(request, "This push is not stopped on a failure.")
    return redirect_or_client_redirect(request, reverse("users:wizard_push", args=[job.id]))


@require_POST
def wizard_push_rollback(request, job_id):
    """Roll back: delete the half-made user (and what it has); the users not started are not made."""
    job = _job_or_404(request, job_id)
    row = next((r for r in job.progress if r["state"] == "failed"), None)
    if row is None:
        messages.error(request, "This push is not stopped on a failure.")
    elif push.roll_back(job):
        messages.success(request, f"User {row['name']} rolled back.")
    else:
        messages.error(request, f"User {row['name']} could not be rolled back; see the steps below.")
    return redirect_or_client_redirect(request, reverse("users:wizard_push", args=[job.id]))


@require_POST
def download(request, token):
    """A one-time download (the credentials .csv): served once, then gone."""
    redeemed = downloads.redeem(request.account, request.user, token)
    if redeemed is None:
        raise Http404("This download was already used or has expired.")
    filename, content = redeemed
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
