import time

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control


class LanguageMiddleware:
    """Dutch unless the person chose otherwise.

    Pages follow the language cookie (set by the language switch), never the browser's Accept-Language, so a
    Flemish or Dutch team sees Dutch by default. API clients may ask for a language with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
            if request.path.startswith("/api/"):
                asked = translation.get_language_from_request(request)
                if asked in self.supported:
                    language = asked
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class SecurityHeadersMiddleware:
    """Permissions-Policy and `Cache-Control: no-store` on every answer Kring itself produces.

    Every page and API answer may carry case data or at least the logged-in person's name, so none may stay in
    a browser's or proxy's cache after logout. Static files never reach this middleware (WhiteNoise answers them
    first, with their own long caching). The Content-Security-Policy comes from django-csp's middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.KRING_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        # Added to whatever a view set (e.g. never_cache's directives), never replacing it.
        patch_cache_control(response, no_store=True)
        return response


class IdleSessionMiddleware:
    """Keeps the idle clock of a session: a request pushes its server-side expiry forward (SESSION_COOKIE_AGE).

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) wrote the session row on every page view:
    three queries and a write per GET. The push is written at most once per IDLE_PUSH_SECONDS, so a session ends
    between SESSION_COOKIE_AGE minus that and SESSION_COOKIE_AGE after the last request.
    """

    IDLE_PUSH_SECONDS = 60
    KEY = "_kring_idle_pushed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request used and that still holds something (not a visitor's, not one just ended).
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.IDLE_PUSH_SECONDS:
                session[self.KEY] = now  # modified: the session middleware saves it with a fresh expiry
        return response
