"""Words of the back office that come from Django's admin and Django REST framework's token admin without an
Albanian or Serbian translation (Django's catalogues leave them empty; DRF ships none), listed for makemessages so
that ours translate them: a clerk reads the whole page in one language. Never called."""

from django.utils.translation import gettext_noop

MESSAGES = (
    # django.contrib.admin (app_list.html, auth/user/add_form.html)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    # rest_framework.authtoken
    gettext_noop("Auth Token"),
    gettext_noop("Token"),
    gettext_noop("Tokens"),
    gettext_noop("Key"),
    gettext_noop("Created"),
    gettext_noop("Username"),
)
