"""Routes the Query API's two paths straight to its view, ahead of the console's middleware.

An API request carries no cookie, session, CSRF token or htmx header, and its answer is XML, not a page:
the session, CSRF, authentication, messages, framing and htmx layers and the URL resolver would only cost
time on every call. Placed after the request log and SecurityMiddleware, so API requests are still
logged, redirected to HTTPS when that is required, and given the security headers.
"""

from .views import query_api

API_PATHS = frozenset({"/aws", "/aws/"})


class QueryApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in API_PATHS:
            return query_api(request)
        return self.get_response(request)
