"""The Policy simulator and "What can this user do?" (effective permissions). Views orchestrate; the
backend's simulator decides (STYLE.md 1-2); policies/effective.py turns its answers into rows."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from iamconsole.backends.errors import IAMError, NoSuchEntity, ValidationError

from . import effective
from .forms_simulator import SimulatorForm


def _error_field(form: SimulatorForm, error: IAMError) -> str | None:
    """The form field an error of the simulator concerns (None: the form as a whole)."""
    message = error.message
    if isinstance(error, NoSuchEntity):
        return form.cleaned_data.get("mode")
    if message.startswith("PermissionsBoundaryPolicyInputList"):
        return "boundary"
    if message.startswith("PolicyInputList"):
        return "policies"
    if message.startswith(("Action", "Actions/")):
        return "actions"
    return None


@require_http_methods(["GET", "POST"])
def simulator(request):
    """Choose a user, a group or pasted policies, actions, resources and context; "Run simulation"
    shows the decision per action and resource. An htmx POST gets only the results region."""
    iam = request.iam
    try:
        users, groups, list_error = effective.user_names(iam), effective.group_names(iam), None
    except IAMError as error:  # e.g. AccessDenied on a connected account: pasted policies still work
        users, groups, list_error = [], [], error.message
    form = SimulatorForm(request.POST or None, users=users, groups=groups)
    rows = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = effective.simulate(iam, form.cleaned_data)
        except IAMError as error:
            form.add_error(_error_field(form, error), error.message)
    context = {"form": form, "rows": rows, "catalog": effective.catalog_source(), "list_error": list_error}
    template = "policies/simulator.html"
    if request.htmx and not request.htmx.boosted and request.method == "POST":
        template += "#simulator-results"
    return render(request, template, context)


@require_GET
def effective_permissions(request, user_name):
    """ "What can this user do?": the allowed actions on `*` of each service the user's policies name,
    by service and access level."""
    iam = request.iam
    try:
        user = iam.get_user(UserName=user_name)["User"]
    except (NoSuchEntity, ValidationError):
        raise Http404(f"No user named {user_name}.")
    error, services = None, []
    try:
        prefixes = effective.mentioned_services(effective.user_documents(iam, user["UserName"]))
        services = effective.effective_permissions(iam, user["Arn"], prefixes)
    except IAMError as exc:  # e.g. AccessDenied for an IAM-user operator: say it on the page
        error = exc.message
    context = {
        "user": user,
        "services": services,
        "error": error,
        "catalog": effective.catalog_source(),
        "access_levels": effective.ACCESS_LEVELS,
    }
    template = "policies/effective_permissions.html"
    if request.htmx and not request.htmx.boosted:
        template += "#effective-services"
    return render(request, template, context)
