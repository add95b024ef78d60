"""Taking feedback from pages that anyone may be served from the page cache.

A public page is the same bytes for every visitor and sets no cookie, so the form in
it cannot carry Django's CSRF token. A post is protected another way:

- **It comes from this site.** Browsers say where a request comes from
  (``Sec-Fetch-Site``, ``Origin``, else ``Referer``): another site's page cannot post
  here in a visitor's name. A request that says nothing about where it comes from is
  refused too.
- **It answers a page we served.** The page carries a signed token (``page_token``):
  the publication the page was made from, which page it is and the day it was made,
  signed with the site's secret. It is the same in every copy of the stored page (and
  in every page made that day: the day, not the second, so a page made again is the
  same bytes), so it identifies no one; it only proves the page existed, and expires
  ``FEEDBACK_TOKEN_MAX_DAYS`` days later.
- **A person filled it in.** A field people never see (the honeypot) is left empty;
  a post that fills it is thanked and dropped.
- **Not too often.** Each client may post ``FEEDBACK_RATE_LIMIT`` times an hour,
  counted in the cache under a keyed hash of its address whose key changes every day
  (``client_hash``): the address itself is never stored, the database never sees the
  hash, and yesterday's hashes cannot be matched with today's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from treatments.models import Feedback, Publication, Treatment
from treatments.models.feedback import MAX_COMMENT_LENGTH, PageKind

logger = logging.getLogger(__name__)

PAGE_SALT = "treatments.feedback.page"
ANSWER_SALT = "treatments.feedback.answer"
# How long after answering "no" a patient may still add a comment.
COMMENT_MAX_AGE = 2 * 60 * 60
HONEYPOT = "website"


# -- Where a post comes from -----------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def own_origins(request: HttpRequest) -> set[str]:
    """The origins this site answers at: the request's own, the configured address and
    the trusted origins of CSRF_TRUSTED_ORIGINS (a proxy may change the host)."""
    origins = {f"{request.scheme}://{request.get_host()}".lower(), _origin(settings.SITE_BASE_URL)}
    return origins | {o.lower() for o in settings.CSRF_TRUSTED_ORIGINS if "*" not in o}


def from_this_site(request: HttpRequest) -> bool:
    """Whether the browser says the post comes from one of this site's pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin") or _origin(request.headers.get("Referer", ""))
    if not origin:
        return fetch_site == "same-origin"
    return origin.lower() in own_origins(request)


# -- How often -------------------------------------------------------------------------


def client_hash(request: HttpRequest) -> str:
    """The client's address, hashed with a key that changes every day (settings'
    ``CLIENT_IP_CALLABLE`` finds the address behind trusted proxies)."""
    address = import_string(settings.CLIENT_IP_CALLABLE)(request)
    day = timezone.localdate().isoformat()
    return salted_hmac(f"{PAGE_SALT}.client.{day}", address, algorithm="sha256").hexdigest()[:32]


def within_rate_limit(request: HttpRequest) -> bool:
    """Count this post against the client's hour; False once over the limit, or when the
    cache cannot count (a post refused is better than a flood let through)."""
    cache = caches["default"]
    key = f"treatments:feedback:{client_hash(request)}:{timezone.now():%Y%m%d%H}"
    try:
        count = 1 if cache.add(key, 1, timeout=60 * 60) else cache.incr(key)
    except ValueError:
        # Expired between add and incr: a new hour.
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    except Exception as exc:
        logger.warning("Feedback refused: the cache cannot count posts (%r)", exc)
        return False
    return count <= settings.FEEDBACK_RATE_LIMIT


# -- Tokens ----------------------------------------------------------------------------


def page_token(publication_id: int, page: str) -> str:
    """What the page's form carries: the publication it was made from, which page, and
    the day."""
    day = timezone.localdate().toordinal()
    return signing.Signer(salt=PAGE_SALT).sign_object([publication_id, page, day])


class TokenExpired(Exception):
    """A page token of ours, from a page made too long ago."""


def read_page_token(token: str) -> tuple[int, str]:
    """The publication and page a page token names; ``TokenExpired`` when its day is more
    than ``FEEDBACK_TOKEN_MAX_DAYS`` ago, ``signing.BadSignature`` when it is not ours."""
    try:
        publication_id, page, day = signing.Signer(salt=PAGE_SALT).unsign_object(token)
    except (TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed") from exc
    age = timezone.localdate().toordinal() - day
    if not 0 <= age <= settings.FEEDBACK_TOKEN_MAX_DAYS:
        raise TokenExpired
    return publication_id, page


@dataclass(frozen=True)
class Answered:
    """Where a patient is after answering: their answer (None when it was dropped) and
    the page to go back to."""

    feedback_id: int | None
    publication_id: int
    page: str

    def token(self) -> str:
        return signing.dumps([self.feedback_id, self.publication_id, self.page], salt=ANSWER_SALT)

    @classmethod
    def from_token(cls, token: str) -> Answered | None:
        try:
            feedback_id, publication_id, page = signing.loads(
                token, salt=ANSWER_SALT, max_age=COMMENT_MAX_AGE
            )
        except (signing.BadSignature, TypeError, ValueError):
            return None
        return cls(feedback_id, publication_id, page)

    def done(self) -> Answered:
        """The same place with nothing more to add."""
        return Answered(None, self.publication_id, self.page)

    def open_feedback(self) -> Feedback | None:
        """The "no" still waiting for its optional comment, if any."""
        if self.feedback_id is None:
            return None
        return Feedback.objects.filter(pk=self.feedback_id, helpful=False, comment="").first()

    def back_url(self) -> str:
        """The page the patient answered on, at the question."""
        slug = (
            Publication.objects.filter(pk=self.publication_id)
            .values_list("slug", flat=True)
            .first()
        )
        if slug is None or self.page not in PageKind.values:
            return reverse("treatments:home")
        return reverse(f"treatments:{self.page}", kwargs={"slug": slug}) + "#feedback"


# -- Forms -----------------------------------------------------------------------------


class _Guarded(forms.Form):
    website = forms.CharField(required=False)

    @property
    def is_trapped(self) -> bool:
        """A field no person sees was filled in: a robot."""
        return bool(self.data.get(HONEYPOT, "").strip())


class AnswerForm(_Guarded):
    """Yes or no, from a page's form."""

    token = forms.CharField(max_length=200)
    helpful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])

    def clean_token(self) -> tuple[Publication, str]:
        try:
            publication_id, page = read_page_token(self.cleaned_data["token"])
        except TokenExpired:
            raise forms.ValidationError("expired", code="expired") from None
        except signing.BadSignature:
            raise forms.ValidationError("invalid", code="invalid") from None
        publication = (
            Publication.objects.of_model(Treatment)
            .filter(pk=publication_id, withdrawn=False)
            .first()
            if isinstance(publication_id, int)
            else None
        )
        if publication is None or page not in PageKind.values:
            raise forms.ValidationError("invalid", code="invalid")
        return publication, page

    def save(self) -> Answered:
        publication, page = self.cleaned_data["token"]
        if self.is_trapped:
            return Answered(None, publication.pk, page)
        feedback = Feedback.record(publication, page, self.cleaned_data["helpful"] == "yes")
        return Answered(feedback.pk if not feedback.helpful else None, publication.pk, page)


class CommentForm(_Guarded):
    """What was missing or unclear, after "no"."""

    token = forms.CharField(max_length=200)
    # Longer than a comment may be: a browser counts a line break as one character against
    # the box's maxlength but sends two. ``Feedback.add_comment`` cuts it to length.
    comment = forms.CharField(max_length=2 * MAX_COMMENT_LENGTH, required=False)

    def clean_token(self) -> Answered:
        answered = Answered.from_token(self.cleaned_data["token"])
        if answered is None:
            raise forms.ValidationError("expired", code="expired")
        return answered

    def save(self) -> Answered:
        answered = self.cleaned_data["token"]
        feedback = answered.open_feedback()
        if feedback is not None and not self.is_trapped:
            feedback.add_comment(self.cleaned_data["comment"])
        return answered.done()
