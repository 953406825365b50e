from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.errors import NotFound
from ml.dataset import SPECIES
from ml.serializers import SpeciesPhotosSerializer
from ml.teaching import species_photo_etag, species_photo_file, species_photos

PHOTO_CACHE_CONTROL = "private, max-age=3600"
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class SpeciesPhotoListApi(APIView):
    @extend_schema(
        responses={200: SpeciesPhotosSerializer},
        summary="Each species' photo (served by this app) with its attribution, or null",
    )
    def get(self, request):
        return Response(species_photos())


class ErrorsAsJson(BaseContentNegotiation):
    """Whatever an <img> accepts, errors are rendered by the first (JSON) renderer."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _matches(if_none_match: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): a proxy may have weakened our strong ETag.
    return "*" in (tags := parse_etags(if_none_match)) or etag.removeprefix("W/") in {
        tag.removeprefix("W/") for tag in tags
    }


class SpeciesPhotoFileView(APIView):
    """A species photo's bytes for any logged-in user (session or token), with an ETag."""

    content_negotiation_class = ErrorsAsJson

    @extend_schema(
        parameters=[OpenApiParameter("species", str, OpenApiParameter.PATH, enum=SPECIES)],
        responses={
            **{(200, media): OpenApiResponse(OpenApiTypes.BINARY) for media in PHOTO_TYPES},
            304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
        },
        summary="A species' photo (JPEG, PNG or WebP) with an ETag",
    )
    def get(self, request, species: str):
        if species not in SPECIES:
            raise NotFound(_("Unknown species %(species)r.") % {"species": species})
        headers = {"Cache-Control": PHOTO_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"}
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match:
            # Checked before the bytes are read: a revalidation costs one small query.
            etag = species_photo_etag(species)
            if etag and _matches(if_none_match, etag):
                return HttpResponseNotModified(headers={**headers, "ETag": etag})
        photo = species_photo_file(species)
        if photo is None:
            raise NotFound(_("There is no photo of this species yet."), code="no_photo")
        return HttpResponse(
            photo.image, content_type=photo.content_type, headers={**headers, "ETag": photo.etag}
        )
