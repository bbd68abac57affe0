"""URLs of the accounts app, mounted by portal/urls.py under three prefixes."""

from django.urls import path

from . import cabinet, views

registration_patterns = ([
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("confirm-email/<str:token>/", views.confirm_email, name="confirm_email"),
    path("invitation/<str:uidb64>/<str:token>/", views.invitation, name="invitation"),
    # Replaces allauth's page at the same address (allauth's URLs are mounted after these).
    path("email/", views.login_email, name="email"),
], "accounts")

cabinet_patterns = ([
    path("", cabinet.profile, name="profile"),
    path("legal-entities/", cabinet.legal_entities, name="legal_entities"),
    path("legal-entities/add/", cabinet.legal_entity_add, name="legal_entity_add"),
    path("legal-entities/<int:pk>/", cabinet.legal_entity_edit, name="legal_entity_edit"),
    path("legal-entities/<int:pk>/contract-request/", cabinet.contract_request, name="contract_request"),
    path("users/", cabinet.users, name="users"),
    path("users/<int:pk>/role/", cabinet.user_role, name="user_role"),
    path("users/<int:pk>/active/", cabinet.user_active, name="user_active"),
], "cabinet")

notification_patterns = ([
    path("", views.notification_list, name="list"),
    path("bell/", views.notification_bell, name="bell"),
    path("read/", views.notification_read, name="read_all"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("preferences/", views.notification_preferences, name="preferences"),
], "notifications")
