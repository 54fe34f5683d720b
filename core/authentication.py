"""Authentication that honours the access policy's `may_sign_in`: a user of an inactive organisation (or an
inactive account) is refused on every request, by session, password or token, from the moment it is set."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core import policy


class PolicyModelBackend(ModelBackend):
    """Django's password and session backend; the user's organisation is loaded with the user (one query),
    so the policy's checks cost nothing more on each request."""

    def user_can_authenticate(self, user):
        return policy.may_sign_in(user)

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class PolicyTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens of users the policy no longer lets sign in."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        token = model.objects.select_related("user__organisation").filter(key=key).first()
        if token is None or not policy.may_sign_in(token.user):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token
