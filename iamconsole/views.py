"""The IAM dashboard."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def dashboard(request):
    summary = request.iam.get_account_summary()["SummaryMap"]
    context = {
        "summary": summary,
        "recommendations": request.iam.security_recommendations(),
        "account": request.account,
        "sign_in_url": request.account.sign_in_url,
    }
    return render(request, "iamconsole/dashboard.html", context)
