"""Error reports without full ID numbers (issue 7: "no ... error report shows a full ID number").

Django's error report (the DEBUG page, and the e-mail of a production error when a mail handler
is configured) shows the exception message, the request's GET and POST data, its headers and the
local variables of every frame; a form that was being checked when something failed would put a
resident's number in it. This reporter masks every 18-character ID number in the finished report,
the way pages show them (``370303********1223``), so nothing that reaches the report can carry
one. Enabled by ``DEFAULT_EXCEPTION_REPORTER = "portal.privacy.error_reports.MaskingExceptionReporter"``.
"""

import re

from django.views.debug import ExceptionReporter

FULL_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9Xx])")


def mask_id_numbers(text: str) -> str:
    return FULL_ID_NUMBER.sub(r"\1********\2", text)


class MaskingExceptionReporter(ExceptionReporter):
    def get_traceback_html(self):
        return mask_id_numbers(str(super().get_traceback_html()))

    def get_traceback_text(self):
        return mask_id_numbers(str(super().get_traceback_text()))
