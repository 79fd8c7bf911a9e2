from django.urls import path

from lienthong.exchange import views

app_name = "exchange"

urlpatterns = [
    path("v1/envelopes", views.envelopes, name="envelopes"),
    path("v1/directory", views.directory, name="directory"),
]
