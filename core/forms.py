"""Form fields for every form of the project, the admin's included."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput

from core import json_depth


class JSONField(forms.JSONField):
    """Django's JSON form field, taking JSON nested deeper than `json_depth.MAX_DEPTH` as invalid input: Django's
    own parses it with `json.loads`, whose recursion turned 100,000 levels into a 500."""

    def to_python(self, value):
        if isinstance(value, str) and json_depth.nesting_exceeds(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value[:100]})
        return super().to_python(value)

    def bound_data(self, data, initial):
        if isinstance(data, str) and not self.disabled and json_depth.nesting_exceeds(data):
            return InvalidJSONInput(data)
        return super().bound_data(data, initial)
