"""Staff editing in the Django admin, one module per screen.

- ``treatments``: a treatment with its sections and FAQs, preview, publish, history,
  export, checks, and the edit lock that refuses to overwrite someone else's save;
- ``images``: the image library;
- ``site``: site settings (one row), pages and former addresses;
- ``feedback``: what patients told us (page feedback, searches that found nothing);
- ``review``: clinical review: the panel on each edit page, the review queue, and the
  name and title a reviewer signs with.
"""

# First: registers the models with django-reversion as we want them (treatments follow
# their sections and FAQs) before a VersionAdmin would register them its own way.
from treatments.editorial import history  # noqa: F401, I001
from treatments.editorial.admin import feedback  # noqa: F401 - each registers its admins
from treatments.editorial.admin import images  # noqa: F401 - each registers its admins
from treatments.editorial.admin import review  # noqa: F401 - each registers its admins
from treatments.editorial.admin import search  # noqa: F401 - each registers its admins
from treatments.editorial.admin import site  # noqa: F401 - each registers its admins
from treatments.editorial.admin import treatments  # noqa: F401 - each registers its admins
from django.contrib import admin

admin.site.site_header = "Clinic website: staff editing"
admin.site.site_title = "Staff editing"
admin.site.index_title = "What patients read"
