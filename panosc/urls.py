"""``/panosc-api/``: the PaNOSC search API's routes, as LoopBack names them (``Datasets``...).

PIDs and DOIs hold ``/``: raw or percent-encoded (``%2F`` arrives decoded), both work. The
``files``/``count`` routes come first, so a pid followed by them is never read as a longer pid.
"""

from django.urls import URLPattern, re_path

from panosc import views

app_name = "panosc"


def _any_case(word: str) -> str:
    """``word`` in any letter case, as a pattern Django can still reverse (an inline ``(?i:...)``
    flag cannot be: every ``reverse()`` of the site then fails with "Non-reversible reg-exp")."""
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


_D, _DOC, _I = _any_case("datasets"), _any_case("documents"), _any_case("instruments")

urlpatterns: list[URLPattern] = [
    re_path(rf"^{_D}/?$", views.dataset_list, name="datasets"),
    re_path(rf"^{_D}/count/?$", views.dataset_count, name="dataset_count"),
    re_path(
        rf"^{_D}/(?P<pid>.+)/files/count/?$",
        views.dataset_files_count,
        name="dataset_files_count",
    ),
    re_path(rf"^{_D}/(?P<pid>.+)/files/?$", views.dataset_files, name="dataset_files"),
    re_path(rf"^{_D}/(?P<pid>.+?)/?$", views.dataset_detail, name="dataset"),
    re_path(rf"^{_DOC}/?$", views.document_list, name="documents"),
    re_path(rf"^{_DOC}/count/?$", views.document_count, name="document_count"),
    re_path(rf"^{_DOC}/(?P<pid>.+?)/?$", views.document_detail, name="document"),
    re_path(rf"^{_I}/?$", views.instrument_list, name="instruments"),
    re_path(rf"^{_I}/count/?$", views.instrument_count, name="instrument_count"),
    re_path(rf"^{_I}/(?P<pid>.+?)/?$", views.instrument_detail, name="instrument"),
]
