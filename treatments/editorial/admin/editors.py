""" "Add an editor" (issue 15, part 5): one form that makes a staff login in the Editors or
Clinical reviewers group, with the name and title a reviewer signs with.

Stock Django needs two pages for this and a "Staff status" tick that is easy to miss.
The password follows Django's own add-user form: an initial password to hand over, or
none, and then the user's page has the "Set password" link.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from treatments.models import EDITORS_GROUP, REVIEWERS_GROUP, StaffProfile

ROLES = {
    EDITORS_GROUP: "Editor: writes and changes what patients read",
    REVIEWERS_GROUP: "Clinical reviewer: checks and approves it before it goes live",
}


def _profile_field(name: str) -> forms.Field:
    """A staff profile's field, asked only of clinical reviewers."""
    model_field = StaffProfile._meta.get_field(name)
    return model_field.formfield(
        required=False, help_text=f"Clinical reviewers only. {model_field.help_text}"
    )


class AddEditorForm(AdminUserCreationForm):
    """A staff login with its role; for a reviewer, the name and title shown to patients."""

    role = forms.ChoiceField(choices=ROLES, widget=forms.RadioSelect, initial=EDITORS_GROUP)
    public_name = _profile_field("public_name")
    professional_title = _profile_field("professional_title")

    class Meta(AdminUserCreationForm.Meta):
        fields = ["first_name", "last_name", "email", "username"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        self.order_fields(["first_name", "last_name", "email", "role", "public_name"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == REVIEWERS_GROUP:
            for name in ("public_name", "professional_title"):
                if not cleaned.get(name, "").strip():
                    self.add_error(
                        name, "A clinical reviewer's approvals show this to patients: fill it in."
                    )
        return cleaned

    @transaction.atomic
    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=self.cleaned_data["role"]))
        if self.cleaned_data["role"] == REVIEWERS_GROUP:
            StaffProfile.objects.create(
                user=user,
                public_name=self.cleaned_data["public_name"].strip(),
                professional_title=self.cleaned_data["professional_title"].strip(),
            )
        return user


class AddEditorMixin:
    """The form's view, on the users' admin (whose add permission it needs)."""

    def add_editor_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [path("add-editor/", wrap(self.add_editor_view), name="auth_user_add_editor")]

    def add_editor_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = AddEditorForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = form.save()
            self.log_addition(request, user, [{"added": {}}])
            role = "an editor" if form.cleaned_data["role"] == EDITORS_GROUP else "a reviewer"
            signing_in = (
                "They can sign in now with the username and password you chose."
                if user.has_usable_password()
                else "Before they can sign in, press “Set password” below."
            )
            messages.success(request, f"{user.get_full_name()} is now {role}. {signing_in}")
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Add an editor or clinical reviewer",
            "form": form,
            "opts": self.opts,
        }
        return render(request, "admin/auth/user/add_editor.html", context)
