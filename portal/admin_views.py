"""Views of the Django admin's wiring that replace the stock ones."""

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" shortcut (/admin/r/<content type>/<id>/), for objects the user may see.

    Django's own shortcut redirects any staff member to any object's page, so a 302 against a 404
    told a regional manager that an object of another region exists. Here an object outside the
    model admin's queryset for the user, or of a model he may not view, is a 404 like a missing one.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    model_admin = admin.site._registry.get(model) if model else None
    if model_admin is None:
        raise Http404
    obj = model_admin.get_object(request, object_id)
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)
