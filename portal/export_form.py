"""import-export's export form, made to work under the portal's Content Security Policy.

Its template wires the "Select all" box with an inline ``onchange=`` attribute, which
``script-src 'self'`` (portal/settings.py) does not run: the box did nothing. A static script
(static/js/export-select-all.js) binds the same handler instead. The browser still reports the
refused attribute when it reads the page; only a copy of the template would avoid that."""

from import_export.forms import SelectableFieldsExportForm


class PolicyExportForm(SelectableFieldsExportForm):
    class Media:
        js = ["js/export-select-all.js"]  # after import-export's own script, whose handler it binds
