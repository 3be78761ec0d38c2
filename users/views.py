"""Pages for IAM users. Views orchestrate; the backend decides (STYLE.md 1-2)."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from iamconsole.htmx import redirect_or_client_redirect
from policies.can import arn, can

from .cascade import delete_user_cascade
from .console import COLUMNS, remember_columns, visible_columns, visible_keys
from .forms import DeleteUsersForm, selected_user_names
from .ops_console import SORTS


@require_GET
def user_list(request):
    """Users (N): search by name or access key ID, sort by any column, paginate; htmx swaps the table."""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    descending = request.GET.get("dir") == "desc"
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    search = request.GET.get("q", "")[:128]
    result = request.iam.list_users_overview(search=search, sort=sort, descending=descending, page=page)
    context = {
        "result": result,
        "users": result["Users"],
        "search": search,
        "sort": sort,
        "descending": descending,
        "columns": visible_columns(request.user),
        "all_columns": COLUMNS,
        "page_numbers": range(1, result["Pages"] + 1),
        "can": can(
            request,
            {
                "create": ("iam:CreateUser", arn(request, "user/*")),
                "delete": ("iam:DeleteUser", arn(request, "user/*")),
            },
        ),
    }
    template = "users/user_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#users-table"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def user_delete(request):
    """Delete the selected users after a typed confirmation, with the console's cascade (facts §1.3)."""
    names = selected_user_names(request.POST if request.method == "POST" else request.GET)
    form = DeleteUsersForm(names, request.POST or None)
    if request.method == "POST" and form.is_valid():
        for deletion in [delete_user_cascade(request.iam, name) for name in names]:
            if deletion.deleted:
                messages.success(request, f"User {deletion.user_name} deleted.")
            else:
                done = [f"{s.action} {s.target}" for s in deletion.steps if s.ok]
                failed = deletion.steps[-1]
                note = f" Removed before the failure: {', '.join(done)}." if done else ""
                messages.error(request, f"User {deletion.user_name} was not deleted: {failed.error}.{note}")
        return redirect_or_client_redirect(request, reverse("users:user_list"))
    return render(request, "users/user_delete.html", {"form": form, "names": names})


@require_http_methods(["GET", "POST"])
def user_columns(request):
    """ "Manage columns": choose the users list's visible columns, remembered for this operator."""
    if request.method == "POST":
        remember_columns(request.user, request.POST.getlist("column"))
        messages.success(request, "Column preferences saved.")
        return redirect_or_client_redirect(request, reverse("users:user_list"))
    context = {"all_columns": COLUMNS, "visible": visible_keys(request.user)}
    template = "users/user_columns.html" + ("#dialog" if request.htmx else "")
    return render(request, template, context)
