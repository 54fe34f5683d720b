"""A ceiling on uploaded files, before Django writes them to disk.

Django bounds a request's form fields (`DATA_UPLOAD_MAX_MEMORY_SIZE`) but not its files: an upload of any size is
streamed to a temporary file, and only then does a view see it and refuse a CSV above its own limit (5 MB for an
import, 512 KB for a list of candidates). A signed-in user could fill a web server's disk with one request. This
handler, first in `FILE_UPLOAD_HANDLERS`, refuses a multipart body above `UPLOAD_MAX_BYTES` from its announced
length, or as soon as more than that has arrived (a chunked body announces none): `RequestDataTooBig`, which Django
answers with a 400 (core.api.errors.bad_request: `too_large` under /api/). Nothing is written.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


def _too_big() -> RequestDataTooBig:
    return RequestDataTooBig(f"Upload larger than UPLOAD_MAX_BYTES ({settings.UPLOAD_MAX_BYTES} bytes).")


class UploadCeiling(FileUploadHandler):
    """Counts the bytes of every file in the request and refuses the request past the ceiling; the handlers after
    it store the files as Django does."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        if content_length and content_length > settings.UPLOAD_MAX_BYTES:
            raise _too_big()
        return None  # the next handlers parse the body

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise _too_big()
        return raw_data

    def file_complete(self, file_size):
        return None
