from django.urls import path

from . import views

app_name = "suggestions"

urlpatterns = [
    path("claims/<int:pk>/suggest/", views.claim_suggest, name="claim"),
    path("suggest/", views.cell_suggest, name="cell"),
    path("suggest/thanks/", views.thanks, name="thanks"),
]
