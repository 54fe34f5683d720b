"""Helpers for the back-office tests: a signed-in client (English, so the messages asserted do not depend on the
catalogues), and the POST data an admin change page would send as it stands."""

from __future__ import annotations

import datetime

from django.test import Client


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def _put(data: dict, name: str, field, value) -> None:
    from django import forms

    if isinstance(field.widget, forms.CheckboxInput):
        if value:
            data[name] = "on"
        return
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        data[name] = [str(v) for v in _value(list(value or []))]
        return
    value = _value(value)
    if isinstance(value, list):
        data[name] = [str(v) for v in value]
    else:
        data[name] = "" if value is None else str(value)


def page_data(response) -> dict:
    """The form of an admin add/change page, with its inline formsets, as the browser would post it."""
    data: dict = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        _put(data, name, field, form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = str(management[name].value())
        for row in formset.forms:
            for name, field in row.fields.items():
                _put(data, row.add_prefix(name), field, row[name].value())
    return data


def add_inline_rows(data: dict, prefix: str, rows: list[dict]) -> dict:
    """Append new rows to the inline formset `prefix` of `data` (from `page_data`)."""
    total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    data.setdefault(f"{prefix}-MIN_NUM_FORMS", "0")
    data.setdefault(f"{prefix}-MAX_NUM_FORMS", "1000")
    for offset, row in enumerate(rows):
        for name, value in row.items():
            if isinstance(value, bool):
                if value:
                    data[f"{prefix}-{total + offset}-{name}"] = "on"
            else:
                data[f"{prefix}-{total + offset}-{name}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + len(rows))
    return data
