"""The clinic's own details, one row."""

from django.db import models


class SiteSettings(models.Model):
    """The clinic's details, one row, edited in the admin and shown on every page."""

    clinic_name = models.CharField(max_length=120, default="Skin Clinic")
    phone = models.CharField(max_length=40, blank=True, help_text="As patients should dial it.")
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, help_text="One line per part of the address.")
    opening_hours = models.TextField(
        blank=True, help_text="One line per day or range, e.g. 'Monday-Friday 09:00-18:00'."
    )
    booking_url = models.URLField(blank=True, help_text="Where the 'Book' button goes.")
    out_of_hours = models.TextField(
        "out-of-hours advice",
        blank=True,
        default=(
            "If you are worried about your skin after treatment and we are closed, "
            "call your out-of-hours health service. In an emergency, call the emergency number."
        ),
    )
    disclaimer = models.TextField(
        blank=True,
        default=(
            "This information is for education. It does not replace a consultation with a "
            "clinician who knows your health."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"

    def save(self, *args, **kwargs) -> None:
        # One row only: whatever the form says, it is row 1.
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteSettings":
        """The settings row, or the defaults while nobody has saved it: one read, no write,
        so serving a page never writes to the database."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def opening_hours_lines(self) -> list[str]:
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]

    @property
    def phone_href(self) -> str:
        """The phone number as a ``tel:`` address, spaces and dashes dropped, or ''."""
        digits = "".join(c for c in self.phone if c.isdigit() or c == "+")
        return f"tel:{digits}" if digits else ""

    # The details patients need to reach the clinic, as the admin's "finish setting up"
    # panel names them: (field, what to call it).
    CONTACT_DETAILS = (
        ("phone", "phone number"),
        ("address", "address"),
        ("opening_hours", "opening hours"),
        ("booking_url", "booking link"),
    )

    @property
    def missing_contact_details(self) -> list[str]:
        """What patients cannot yet be told, in words for staff: [] when all is set."""
        return [label for name, label in self.CONTACT_DETAILS if not getattr(self, name).strip()]
