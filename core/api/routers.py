from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """Routes that answer with or without the trailing slash, without a redirect (a POST never loses its
    body). DRF's constructor turns any truthy `trailing_slash` into "/", hence setting it afterwards."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
