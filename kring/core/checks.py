"""Deployment checks (`manage.py check --deploy`) for what Kring's safety depends on beyond Django's own."""

import uuid

from django.conf import settings
from django.core.checks import Error, Tags, register

from .deployment import allowed_hosts_problem, secret_key_problem


@register(Tags.caches, deploy=True)
def cache_is_reachable(app_configs=None, **kwargs):
    """The login limits live in the cache: a cache that cannot be reached means no login works at all."""
    from django.core.cache import caches

    probe_key, probe_value = f"kring:deploy-check:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache = caches["default"]
    try:
        cache.set(probe_key, probe_value, timeout=30)
        answered = cache.get(probe_key)
        cache.delete(probe_key)
    except Exception as failure:  # any failure of any backend is the finding itself
        answered, reason = None, f"{type(failure).__name__}: {failure}"
    else:
        reason = "it did not return what was stored"
    if answered == probe_value:
        return []
    return [
        Error(
            f"The cache ({settings.CACHES['default']['BACKEND']}) cannot be reached: {reason}",
            hint="Start Redis at REDIS_URL, or without REDIS_URL run `manage.py createcachetable`.",
            id="kring.E001",
        )
    ]


@register(Tags.security, deploy=True)
def secret_key_is_not_guessable(app_configs=None, **kwargs):
    problem = secret_key_problem(settings.SECRET_KEY, settings.DEVELOPMENT_SECRET_KEY)
    if problem is None:
        return []
    return [
        Error(
            f"SECRET_KEY could be guessed: {problem}.",
            hint="Set SECRET_KEY to at least 50 random characters.",
            id="kring.E002",
        )
    ]


@register(Tags.security, deploy=True)
def allowed_hosts_name_real_hosts(app_configs=None, **kwargs):
    problem = allowed_hosts_problem(settings.ALLOWED_HOSTS)
    if problem is None:
        return []
    return [
        Error(
            f"ALLOWED_HOSTS lets any host name in: {problem}.",
            hint="Name the host(s) Kring is served on, e.g. kring.example.org.",
            id="kring.E003",
        )
    ]
