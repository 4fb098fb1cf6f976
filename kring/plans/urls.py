"""Plan pages, mounted at /cases/<pk>/plans/. The pages come in three groups, each in its own module: the plan
itself, the Signs of Safety records, and the documents."""

from .urls_documents import urlpatterns as document_urls
from .urls_pages import urlpatterns as page_urls
from .urls_safety import urlpatterns as safety_urls

app_name = "plans"
urlpatterns = [*page_urls, *safety_urls, *document_urls]
