"""Rules for a safe production configuration, without Django: the settings refuse to start on them and
`manage.py check --deploy` reports them, so both say the same thing.
"""

# Words that people type where a secret belongs. A random key contains one of them by chance less often than
# once in a hundred thousand keys; that key is refused with the reason and the next one passes.
PLACEHOLDER_WORDS = (
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "passw0rd",
    "placeholder",
    "insecure",
    "example",
    "replace",
    "development",
    "qwerty",
    "letmein",
    "kring",
    "django",
)
MINIMUM_SECRET_KEY_LENGTH = 50
# Fifty random characters from any usual alphabet (hexadecimal included) have at least ten different ones.
MINIMUM_DISTINCT_CHARACTERS = 10


def secret_key_problem(key: str, development_key: str) -> str | None:
    """Why this secret key could be guessed, or None when it looks random."""
    if key == development_key:
        return "it is the development key"
    if len(key) < MINIMUM_SECRET_KEY_LENGTH:
        return f"it is shorter than {MINIMUM_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < MINIMUM_DISTINCT_CHARACTERS:
        return f"it has fewer than {MINIMUM_DISTINCT_CHARACTERS} different characters"
    if _repeats_itself(key):
        return "it is a short text repeated"
    lowered = key.lower()
    for word in PLACEHOLDER_WORDS:
        if word in lowered:
            return f"it contains the placeholder word '{word}'"
    return None


def _repeats_itself(text: str) -> bool:
    """True when the text is mostly a piece written out again ('abcabcab...', '0123456789' * 5 + 'x').

    In a random key almost every run of three characters is new; in repeated text most have been seen before.
    """
    runs = [text[index : index + 3] for index in range(len(text) - 2)]
    return len(set(runs)) < 0.75 * len(runs)


def allowed_hosts_problem(hosts: list[str]) -> str | None:
    """Why these allowed hosts would let any host name in, or None when each names a real host or domain."""
    for host in hosts:
        if "*" in host:
            return f"'{host}' accepts any host name"
        if host.startswith(".") and "." not in host.strip(".").strip():
            # '.' or '.nl' matches every host under a top-level domain; a subdomain pattern names a domain.
            return f"'{host}' is a wildcard without a domain"
        if not host.strip():
            return "it contains an empty entry"
    return None
