"""Pages for IAM users. Views orchestrate; the backend decides (STYLE.md 1-2)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .console import COLUMNS, visible_columns
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
        "columns": visible_columns(request),
        "all_columns": COLUMNS,
        "page_numbers": range(1, result["Pages"] + 1),
    }
    template = "users/user_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#users-table"
    return render(request, template, context)
