"""Species photos: uploaded by managers in the admin, served by the app, never by another host."""

import re
import struct
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ml.models import SpeciesPhoto
from ml.services.photos import image_content_type, species_photo_store
from ml.teaching import species_photo, species_photos

pytestmark = pytest.mark.django_db

ADD = reverse("admin:ml_speciesphoto_add")
CHANGELIST = reverse("admin:ml_speciesphoto_changelist")
PHOTOS = "/api/v1/flowers/photos/"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, valid PNG: red pixels, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png()


def photo_url(species: str) -> str:
    return reverse("flower-photo", kwargs={"species": species})


@pytest.fixture
def setosa_photo(manager):
    return species_photo_store(
        species="setosa", image=PNG, attribution="Photo: A. Gardener, CC BY-SA 4.0",
        source_url="https://commons.example.org/setosa", uploaded_by=manager,
    )


def upload(client, content: bytes, name: str = "setosa.png", content_type: str = "image/png",
           **fields):
    data = {"species": "setosa", "attribution": "Photo: A. Gardener, CC BY-SA 4.0",
            "source_url": "https://commons.example.org/setosa", **fields}
    if content is not None:
        data["photo"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(ADD, data)


def form_errors(response) -> str:
    assert response.status_code == 200  # the form again, not a redirect
    return " ".join(str(error) for error in response.context["adminform"].form.errors.values())


# Uploading in the admin


def test_a_manager_uploads_a_png_which_is_stored_with_its_type(manager_client, manager):
    response = upload(manager_client, PNG)

    assert response.status_code == 302, form_errors(response)
    photo = SpeciesPhoto.objects.get(species="setosa")
    assert bytes(photo.image) == PNG
    assert photo.content_type == "image/png"
    assert photo.uploaded_by == manager
    assert photo.attribution == "Photo: A. Gardener, CC BY-SA 4.0"


def test_a_photo_larger_than_the_limit_is_refused_and_nothing_stored(manager_client):
    too_big = PNG + b"\x00" * (settings.SPECIES_PHOTO_MAX_BYTES - len(PNG) + 1)

    errors = form_errors(upload(manager_client, too_big))

    assert "it may be at most" in errors
    assert not SpeciesPhoto.objects.exists()


def test_a_photo_at_the_limit_is_accepted(manager_client, settings):
    settings.SPECIES_PHOTO_MAX_BYTES = len(PNG)

    assert upload(manager_client, PNG).status_code == 302


@pytest.mark.parametrize(
    "content,name",
    [
        (b"<html><script>alert(1)</script></html>", "setosa.jpg"),
        (b"GIF89a\x01\x00\x01\x00", "setosa.png"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "setosa.webp"),
        (b"", "setosa.png"),
    ],
    ids=["html-as-jpg", "gif", "riff-not-webp", "empty"],
)
def test_a_file_that_is_not_jpeg_png_or_webp_is_refused_whatever_its_name(
    manager_client, content, name
):
    response = upload(manager_client, content, name=name, content_type="image/jpeg")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not SpeciesPhoto.objects.exists()


def test_a_non_image_gets_a_clear_error(manager_client):
    errors = form_errors(upload(manager_client, b"just some text", name="iris.jpg"))

    assert "not a JPEG, PNG or WebP image" in errors


def test_an_upload_needs_a_photo(manager_client):
    errors = form_errors(upload(manager_client, None))

    assert "required" in errors
    assert not SpeciesPhoto.objects.exists()


@pytest.mark.parametrize(
    "head,content_type",
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x89PNG\r\n", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
    ],
)
def test_the_type_comes_from_the_magic_bytes(head, content_type):
    assert image_content_type(head) == content_type


def test_the_add_form_offers_only_species_without_a_photo(manager_client, setosa_photo):
    html = manager_client.get(ADD).content.decode()

    assert 'value="setosa"' not in html
    assert 'value="versicolor"' in html and 'value="virginica"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_change_without_a_new_file_keeps_the_photo(manager_client, setosa_photo):
    url = reverse("admin:ml_speciesphoto_change", args=[setosa_photo.pk])

    response = manager_client.post(url, {"attribution": "Photo: B. Botanist", "source_url": ""})

    assert response.status_code == 302, form_errors(response)
    setosa_photo.refresh_from_db()
    assert bytes(setosa_photo.image) == PNG
    assert setosa_photo.attribution == "Photo: B. Botanist"


def test_a_new_file_replaces_the_photo_and_its_url(manager_client, setosa_photo):
    url = reverse("admin:ml_speciesphoto_change", args=[setosa_photo.pk])
    before = species_photo("setosa")["url"]
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64

    response = manager_client.post(url, {
        "attribution": "Photo: B. Botanist", "source_url": "",
        "photo": SimpleUploadedFile("new.jpg", jpeg, content_type="image/jpeg"),
    })

    assert response.status_code == 302, form_errors(response)
    setosa_photo.refresh_from_db()
    assert (bytes(setosa_photo.image), setosa_photo.content_type) == (jpeg, "image/jpeg")
    assert species_photo("setosa")["url"] != before  # browsers do not keep the old one


def test_the_change_page_previews_the_served_photo(manager_client, setosa_photo):
    url = reverse("admin:ml_speciesphoto_change", args=[setosa_photo.pk])

    html = manager_client.get(url).content.decode()

    assert f'<img src="{species_photo("setosa")["url"]}"' in html.replace("&amp;", "&")


def test_the_changelist_never_loads_the_image_bytes(manager_client, setosa_photo):
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(CHANGELIST)

    assert response.status_code == 200
    assert "setosa" in response.content.decode()
    for query in queries.captured_queries:
        sql = query["sql"].replace('LENGTH("ml_speciesphoto"."image")', "")
        assert '"ml_speciesphoto"."image"' not in sql, sql


@pytest.mark.parametrize("url", [CHANGELIST, ADD])
def test_a_trainee_cannot_reach_the_photo_admin(client, trainee, url):
    client.force_login(trainee)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_trainee_cannot_upload_a_photo(client, trainee):
    client.force_login(trainee)

    upload(client, PNG)

    assert not SpeciesPhoto.objects.exists()


# Serving


def test_a_trainee_gets_the_photo_with_its_type_and_caching_headers(trainee_api, setosa_photo):
    response = trainee_api.get(photo_url("setosa"))

    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert re.fullmatch(r'"[0-9a-f]+"', response["ETag"])


def test_the_photo_is_served_to_a_browser_session_too(client, trainee, setosa_photo):
    client.force_login(trainee)

    response = client.get(photo_url("setosa"), HTTP_ACCEPT="image/avif,image/webp,*/*;q=0.8")

    assert response.status_code == 200
    assert response.content == PNG


def test_an_image_only_accept_header_still_gets_the_photo(trainee_api, setosa_photo):
    response = trainee_api.get(photo_url("setosa"), HTTP_ACCEPT="image/png")

    assert response.status_code == 200


def test_a_matching_if_none_match_gets_a_304_without_the_bytes(trainee_api, setosa_photo):
    etag = trainee_api.get(photo_url("setosa"))["ETag"]

    with CaptureQueriesContext(connection) as queries:
        response = trainee_api.get(photo_url("setosa"), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "private, max-age=3600"
    assert not any('"ml_speciesphoto"."image"' in q["sql"] for q in queries.captured_queries)
    assert trainee_api.get(photo_url("setosa"), HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304


def test_a_stale_etag_gets_the_new_photo(trainee_api, setosa_photo):
    etag = trainee_api.get(photo_url("setosa"))["ETag"]
    species_photo_store(photo=setosa_photo, species="setosa", attribution="x",
                        image=b"\xff\xd8\xff" + b"\x00" * 8)

    response = trainee_api.get(photo_url("setosa"), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["ETag"] != etag


def test_anonymous_gets_no_photo(anon, setosa_photo):
    response = anon.get(photo_url("setosa"))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("species", ["versicolor", "rose"])
def test_a_missing_photo_or_unknown_species_is_a_404_in_json(trainee_api, setosa_photo, species):
    response = trainee_api.get(photo_url(species), HTTP_ACCEPT="image/*")

    assert response.status_code == 404
    assert response.json()["error"]["code"] in ("no_photo", "not_found")


# Reading them: the list, the study flower


def test_the_list_names_each_species_photo_or_null(trainee_api, setosa_photo):
    body = trainee_api.get(PHOTOS).json()

    assert body == {
        "setosa": {
            "url": species_photo("setosa")["url"],
            "attribution": "Photo: A. Gardener, CC BY-SA 4.0",
            "source_url": "https://commons.example.org/setosa",
        },
        "versicolor": None,
        "virginica": None,
    }
    assert body["setosa"]["url"].startswith(photo_url("setosa"))
    assert trainee_api.get(body["setosa"]["url"]).content == PNG
    assert species_photos() == body


def test_anonymous_gets_no_photo_list(anon):
    assert anon.get(PHOTOS).status_code == 401


def test_without_photos_the_list_is_all_null(trainee_api):
    assert trainee_api.get(PHOTOS).json() == dict.fromkeys(("setosa", "versicolor", "virginica"))


def outside_hosts(content: bytes) -> set[str]:
    hosts = set(re.findall(r"https?:(?:\\?/){2}([^/\\\"'\s]+)", content.decode()))
    return hosts - {"testserver"}


@pytest.mark.parametrize("route", ["/api/v1/flowers/random/?species=setosa", "/get_random_flower"])
def test_the_study_flower_never_names_an_outside_url(trainee_api, flowers, route):
    # The photo's attribution may link to its source in the list, never in the study payload.
    for _ in range(10):
        response = trainee_api.get(route)
        assert not outside_hosts(response.content), response.content


def test_the_study_flower_carries_our_photo_and_its_attribution(trainee_api, flowers, setosa_photo):
    response = trainee_api.get("/api/v1/flowers/random/?species=setosa")

    body = response.json()
    assert body["url"] == species_photo("setosa")["url"]
    assert body["url"].startswith("/flowers/photos/setosa/")
    assert body["photo_attribution"] == "Photo: A. Gardener, CC BY-SA 4.0"
    assert not outside_hosts(response.content)
    assert trainee_api.get(body["url"]).content == PNG


def test_a_species_without_a_photo_has_a_null_url(trainee_api, flowers, setosa_photo):
    body = trainee_api.get("/api/v1/flowers/random/?species=virginica").json()

    assert body["url"] is None and body["photo_attribution"] is None


def test_photo_urls_are_gone_from_the_settings():
    assert not hasattr(settings, "ML_SPECIES_PHOTOS")
    assert settings.SPECIES_PHOTO_MAX_BYTES == 2_000_000
