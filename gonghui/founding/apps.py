from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoundingConfig(AppConfig):
    name = "gonghui.founding"
    label = "founding"
    verbose_name = _("Founding unions")
