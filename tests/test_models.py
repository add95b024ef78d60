import pytest
from django.db import IntegrityError

from tests.conftest import make_treatment
from treatments.models import FAQ, Section, Treatment
from treatments.models.section_kinds import SectionKind

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_and_sanitized_when_a_section_is_saved():
    treatment = make_treatment(sections={"overview": "Some **bold** <script>x()</script>"})
    section = treatment.sections.get()
    assert "<strong>bold</strong>" in section.body_html
    assert "<script>" not in section.body_html


def test_changing_the_body_re_renders_it():
    section = make_treatment(sections={"overview": "old"}).sections.get()
    section.body = "new *words*"
    section.save()
    section.refresh_from_db()
    assert section.body_html == "<p>new <em>words</em></p>"


def test_sections_default_to_reading_order():
    treatment = make_treatment(sections={"risks": "r", "overview": "o", "aftercare": "a"})
    assert [s.kind for s in treatment.sections.all()] == ["overview", "aftercare", "risks"]


def test_a_treatment_holds_one_section_of_each_kind():
    treatment = make_treatment(sections={"overview": "o"})
    with pytest.raises(IntegrityError):
        Section.objects.create(treatment=treatment, kind="overview", body="again")


def test_section_anchor_and_title_come_from_its_kind():
    section = Section(kind=SectionKind.CONTRAINDICATIONS)
    assert section.anchor == "contraindications"
    assert section.title == "Who should not have it"
    assert Section(kind=SectionKind.HOW_IT_WORKS).anchor == "how-it-works"


def test_faq_anchor_is_derived_from_the_question_and_kept_when_reordered():
    treatment = make_treatment(faqs=[("Does it hurt?", "A little."), ("Is it safe?", "Mostly.")])
    first, second = treatment.faqs.all()
    assert (first.anchor, second.anchor) == ("does-it-hurt", "is-it-safe")
    first.position, second.position = 2, 1
    first.save()
    second.save()
    assert [f.anchor for f in treatment.faqs.all()] == ["is-it-safe", "does-it-hurt"]


def test_faq_anchors_stay_unique_within_a_treatment():
    treatment = make_treatment(faqs=[("Why?", "One."), ("Why!", "Two.")])
    assert [f.anchor for f in treatment.faqs.all()] == ["why", "why-2"]
    other = make_treatment("other", faqs=[("Why?", "Three.")])
    assert other.faqs.get().anchor == "why"


def test_editing_a_faq_moves_the_treatments_last_change():
    treatment = make_treatment()
    before = Treatment.objects.get(pk=treatment.pk).updated_at
    FAQ.objects.create(treatment=treatment, question="New?", answer="Yes.")
    assert Treatment.objects.get(pk=treatment.pk).updated_at > before


def test_absolute_urls():
    treatment = Treatment(slug="microneedling")
    assert treatment.get_absolute_url() == "/treatments/microneedling/"
    assert treatment.get_faq_url() == "/treatments/microneedling/faq/"
