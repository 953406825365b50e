from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models.functions import Length
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ml.models import SpeciesPhoto
from ml.services.photos import species_photo_check, species_photo_check_size, species_photo_store
from ml.teaching import species_photo


class SpeciesPhotoForm(forms.ModelForm):
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    # Declared for assume_scheme: a link typed without a scheme is https, not http.
    source_url = forms.URLField(
        label=gettext_lazy("source"), required=False, max_length=200, assume_scheme="https",
        help_text=gettext_lazy("Where the photo comes from (optional)."),
    )

    class Meta:
        model = SpeciesPhoto
        fields = ["species", "attribution", "source_url"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        photo = self.fields["photo"]
        limit = {"size": filesizeformat(settings.SPECIES_PHOTO_MAX_BYTES)}
        if self.instance.pk is None:
            photo.help_text = _("A JPEG, PNG or WebP image of at most %(size)s.") % limit
            # Offer only the species that have no photo yet (one photo per species).
            taken = set(SpeciesPhoto.objects.values_list("species", flat=True))
            species = self.fields["species"]
            species.choices = [(v, label) for v, label in species.choices if v not in taken]
        else:
            photo.required = False
            photo.help_text = _(
                "A JPEG, PNG or WebP image of at most %(size)s; leave it empty to keep the "
                "current photo."
            ) % limit

    def clean_photo(self) -> bytes | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        # The size first: a huge upload is refused without being read into memory.
        species_photo_check_size(upload.size)
        data = upload.read()
        species_photo_check(data)
        return data


@admin.register(SpeciesPhoto)
class SpeciesPhotoAdmin(admin.ModelAdmin):
    form = SpeciesPhotoForm
    list_display = ("species", "attribution", "content_type", "size", "uploaded_by", "updated_at")
    list_select_related = ("uploaded_by",)
    readonly_fields = ("preview", "content_type", "size", "uploaded_by", "updated_at")

    def get_queryset(self, request):
        # Pages show the photo through its served URL: never load the bytes for a page.
        return super().get_queryset(request).defer("image").annotate(image_size=Length("image"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("species", "photo", "attribution", "source_url")
        return (
            "species", "preview", "photo", "attribution", "source_url", *self.readonly_fields[1:]
        )

    def get_readonly_fields(self, request, obj=None):
        # A photo stays its species' photo; upload another species' photo separately.
        return self.readonly_fields if obj is None else ("species", *self.readonly_fields)

    @admin.display(description=gettext_lazy("size"), ordering="image_size")
    def size(self, photo):
        size = getattr(photo, "image_size", None)
        return self.get_empty_value_display() if size is None else filesizeformat(size)

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, photo):
        info = species_photo(photo.species) if photo.pk else None
        if info is None:
            return self.get_empty_value_display()
        return format_html(
            '<img src="{}" alt="{}" style="max-width: 240px; max-height: 240px">',
            info["url"], photo.get_species_display(),
        )

    def save_model(self, request, obj, form, change):
        species_photo_store(
            photo=obj, species=obj.species, attribution=form.cleaned_data["attribution"],
            source_url=form.cleaned_data.get("source_url", ""),
            image=form.cleaned_data.get("photo"), uploaded_by=request.user,
        )
