"""What a browser posts back from a Django admin change page: its form and every inline, as rendered."""

from django import forms


def _form_data(form: forms.BaseForm) -> dict:
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        key, value = form.add_prefix(name), form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(field.widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = "" if value is None else str(value)
    return data


def change_form_data(response) -> dict:
    """The POST data of the admin change (or add) page `response`, unchanged, with "Save" pressed."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    data["_save"] = "Save"
    return data
