from django.conf import settings
from django.utils import translation


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
