"""Revision history: every save of a treatment with its sections and FAQs, kept.

django-reversion stores the revisions (it follows a treatment to its sections and
FAQs, and finds deleted treatments to recover). This module adds what the admin
needs on top: a version as the Markdown ``export_content`` writes, a line diff of
two such texts that a non-technical editor can read, and a restore that keeps the
edit lock, the page's old addresses and its rendered HTML right.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import reversion
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from treatments.content.file_format import dump_document
from treatments.models import (
    EditConflict,
    FormerSlug,
    Image,
    Page,
    SiteSettings,
    Treatment,
)
from treatments.models.document import (
    Change,
    TreatmentDocument,
    child_models,
    document_from_rows,
)

# A treatment's revision holds every row of its copy: sections, questions, reminders,
# sources (whatever models.document declares).
for _model in child_models().values():
    reversion.register(_model)
reversion.register(Treatment, follow=tuple(child_models()))
reversion.register(Page)
reversion.register(SiteSettings)


def versions_of(treatment: Treatment):
    """The saved versions of a treatment, newest first, with who saved each."""
    return (
        Version.objects.get_for_object(treatment)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def document_from_version(version: Version) -> TreatmentDocument:
    """A treatment as it was in ``version``, every row of its copy included, without
    touching it."""
    pk = int(version.object_id)
    children = {}
    for name, model in child_models().items():
        rows = Version.objects.get_for_model(model).filter(revision=version.revision)
        children[name] = [
            {"id": int(v.object_id), **v.field_dict}
            for v in rows
            if v.field_dict.get("treatment_id") == pk
        ]
    return document_from_rows(version.field_dict, children)


def version_text(version: Version) -> str:
    return dump_document(document_from_version(version))


def version_number(version: Version) -> int | None:
    """The treatment's edit-lock number as that version left it."""
    return version.field_dict.get("version")


def version_at(treatment: Treatment, number: int) -> Version | None:
    """The saved version that had edit-lock number ``number``, if history holds it."""
    for version in versions_of(treatment)[:200]:
        if version_number(version) == number:
            return version
    return None


def describe(version: Version) -> str:
    """When and by whom a version was saved, e.g. "3 March 2027, 14:02 by Sam"."""
    when = date_format(timezone.localtime(version.revision.date_created), "j F Y, H:i")
    user = version.revision.user
    who = (user.get_full_name() or user.get_username()) if user else "the content import"
    return f"{when} by {who}"


# -- Differences ---------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: "same", "removed", "added" or "gap" (unchanged lines left out).

    ``parts`` is the text in pieces, each marked as changed or not, so the words that
    differ inside a changed line can be highlighted.
    """

    kind: str
    parts: tuple[tuple[bool, str], ...] = ()

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.parts)


_WORDS = re.compile(r"\s+|[^\s]+")


def _word_parts(old: str, new: str) -> tuple[tuple, tuple]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    old_parts, new_parts = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = op != "equal"
        if i2 > i1:
            old_parts.append((changed, "".join(old_words[i1:i2])))
        if j2 > j1:
            new_parts.append((changed, "".join(new_words[j1:j2])))
    return tuple(old_parts), tuple(new_parts)


def diff_lines(old_text: str, new_text: str, *, context: int = 2) -> list[DiffLine]:
    """Compare two texts line by line, showing ``context`` unchanged lines around changes.

    A line changed in place is shown as removed then added, with the changed words marked.
    An empty list means the texts are the same.
    """
    old, new = old_text.splitlines(), new_text.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    lines: list[DiffLine] = []
    for number, group in enumerate(matcher.get_grouped_opcodes(context)):
        if number or group[0][1] > 0:
            lines.append(DiffLine("gap"))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines += [DiffLine("same", ((False, line),)) for line in old[i1:i2]]
                continue
            removed, added = old[i1:i2], new[j1:j2]
            if op == "replace" and len(removed) == len(added):
                pairs = [_word_parts(a, b) for a, b in zip(removed, added, strict=True)]
                lines += [DiffLine("removed", parts) for parts, _ in pairs]
                lines += [DiffLine("added", parts) for _, parts in pairs]
            else:
                lines += [DiffLine("removed", ((True, line),)) for line in removed]
                lines += [DiffLine("added", ((True, line),)) for line in added]
        if group[-1][2] < len(old):
            lines.append(DiffLine("gap"))
    # Drop a trailing gap after the last line and merge neighbouring gaps.
    tidy: list[DiffLine] = []
    for line in lines:
        if line.kind == "gap" and tidy and tidy[-1].kind == "gap":
            continue
        tidy.append(line)
    return tidy


def word_diffs(changes: list[Change]) -> list[dict]:
    """Each change (``models.document.changes_between``) with its before and after compared
    word by word, for the templates (``admin/treatments/changes.html``)."""
    return [{"label": c.label, "diff": diff_lines(c.before, c.after)} for c in changes]


# -- Restore -------------------------------------------------------------------------


class RestoreRefused(Exception):
    """A restore that cannot be done, with a reason for the editor."""


def restore(version: Version, *, user, expected_version: int) -> list[str]:
    """Put a treatment back as it was in ``version``; returns notes for the editor.

    The treatment must still be at ``expected_version`` (what the editor looked at
    when choosing to restore), else ``EditConflict``. The restore is itself a new
    revision, so it can be undone the same way.
    """
    notes = []
    with transaction.atomic():
        current = Treatment.objects.select_for_update().get(pk=version.object_id)
        if current.version != expected_version:
            raise EditConflict(f"{current} changed since version {expected_version}.")
        old = version.field_dict
        clash = Treatment.objects.filter(slug=old["slug"]).exclude(pk=current.pk).first()
        if clash is not None:
            raise RestoreRefused(
                f"The page address /treatments/{old['slug']}/ now belongs to “{clash}”. "
                "Give that treatment another address first, then restore this version."
            )
        with reversion.create_revision():
            version.revision.revert(delete=True)
            treatment = Treatment.objects.get(pk=current.pk)
            if treatment.hero_image_id and not Image.objects.filter(pk=treatment.hero_image_id):
                treatment.hero_image = None
                notes.append(
                    "The picture at the top of that version has since been deleted, "
                    "so the page now has no picture at the top."
                )
            # The revert wrote the old lock number back; carry on from the current one.
            Treatment.objects.filter(pk=treatment.pk).update(version=current.version)
            treatment.version = current.version
            treatment.updated_by = user
            treatment.save()
            FormerSlug.objects.remember(treatment, current.slug)
            # Re-render with today's sanitizer rather than trust stored HTML. The treatment
            # was saved just above, so the rows need not mark it changed one by one.
            for section in treatment.sections.all():
                section.save(mark_changed=False)
            for faq in treatment.faqs.all():
                faq.save(mark_changed=False)
            reversion.set_user(user)
            reversion.set_comment(f"Restored the version saved {describe(version)}.")
    return notes
