from allauth.account.adapter import DefaultAccountAdapter


class KringAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by functional administrators, never by self sign-up."""

    def is_open_for_signup(self, request):
        return False
