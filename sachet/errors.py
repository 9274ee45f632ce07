"""Friendly error pages."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context: the error may have come from a context processor or the database.
    return HttpResponseServerError(loader.get_template("500.html").render())
