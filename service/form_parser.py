"""Form bodies (application/x-www-form-urlencoded) parsed by ada, the WHATWG URL library in
C++: the same fields Werkzeug's parser gives, in a fraction of its time. The stdlib parser
decodes every %XX escape in Python; a largest Akismet form of escaped text cost ~60 ms of CPU
there, ~1 ms here (bench/adversarial.py, `akismet_parse`).

Percent-escapes that decode to bytes which are not UTF-8 are refused with a 400 (Werkzeug kept
them as `%XX` text; a raw body that is not UTF-8 it silently read as an empty form)."""

import ada_url
from flask import Request
from werkzeug.exceptions import BadRequest
from werkzeug.formparser import FormDataParser

NOT_UTF8 = "The form is not UTF-8: a field, or a percent-escape in it, holds other bytes."


class FormParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        # The stream is already limited to MAX_CONTENT_LENGTH, as Werkzeug's own parser assumes.
        body = stream.read()
        if body.startswith(b"?"):  # URLSearchParams drops one leading "?"; a form keeps it
            body = b"%3F" + body[1:]
        try:
            items = list(ada_url.URLSearchParams(body.decode()).items())
        except UnicodeDecodeError:
            raise BadRequest(NOT_UTF8) from None
        return stream, self.cls(items), self.cls()


class ServiceRequest(Request):
    form_data_parser_class = FormParser
