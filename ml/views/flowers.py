import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.api.permissions import IsManager
from flower_power.errors import NotFound
from ml.dataset import FEATURES
from ml.models import FlowerSample, Source, Species, Split
from ml.selectors import (
    flower_sample_random_train,
    flower_samples_listed,
    flower_species_ranges,
)
from ml.serializers import (
    FlowerSampleSerializer,
    RandomFlowerQuerySerializer,
    SpeciesRangeSerializer,
    SpeciesRulesSerializer,
    StudyFlowerSerializer,
)
from ml.services import flower_sample_create, flower_sample_update
from ml.teaching import species_photo, species_rules


def study_flower_payload(sample: FlowerSample) -> dict:
    # Only this app's own photo URL: the page must never make a request to another host.
    photo = species_photo(sample.species)
    return {
        "id": sample.id,
        "name": sample.species,
        "url": photo["url"] if photo else None,
        "photo_attribution": photo["attribution"] if photo else None,
        "data": {"keys": list(FEATURES), "values": sample.measurements},
    }


def random_train_sample(species: str | None = None) -> FlowerSample:
    sample = flower_sample_random_train(species=species)
    if sample is None:
        raise NotFound(_("There are no training flowers yet; load the data first."))
    return sample


class FlowerFilter(django_filters.FilterSet):
    species = django_filters.ChoiceFilter(choices=Species.choices, help_text="Only this species.")
    split = django_filters.ChoiceFilter(choices=Split.choices, help_text="Only this split.")
    source = django_filters.ChoiceFilter(choices=Source.choices, help_text="Only this source.")
    ordering = django_filters.OrderingFilter(
        fields=("id", "species", "created_at", "updated_at"),
        help_text="Sort by id, species, created_at or updated_at; `-` first for descending.",
    )

    class Meta:
        model = FlowerSample
        fields = ["species", "split", "source"]


class FlowerListCreateApi(generics.ListAPIView):
    """Labelled flower samples: managers only (trainees must never list test flowers)."""

    permission_classes = [IsManager]
    serializer_class = FlowerSampleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FlowerFilter

    def get_queryset(self):
        return flower_samples_listed()

    @extend_schema(request=FlowerSampleSerializer, responses={201: FlowerSampleSerializer})
    def post(self, request):
        serializer = FlowerSampleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sample = flower_sample_create(
            measurements={name: data[name] for name in FEATURES},
            species=data["species"], added_by=request.user,
        )
        return Response(FlowerSampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class FlowerDetailApi(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsManager]
    serializer_class = FlowerSampleSerializer

    def get_queryset(self):
        return flower_samples_listed()

    def perform_update(self, serializer):
        serializer.instance = flower_sample_update(
            sample=serializer.instance, data=serializer.validated_data
        )


class RandomFlowerApi(APIView):
    @extend_schema(
        parameters=[RandomFlowerQuerySerializer],
        responses={200: StudyFlowerSerializer},
        summary="A random training flower to study, with its species and photo",
    )
    def get(self, request):
        # A plain dict: DRF reads a QueryDict's `species=` as "not given"; it is a bad species.
        query = RandomFlowerQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        sample = random_train_sample(query.validated_data.get("species"))
        return Response(study_flower_payload(sample))


class SpeciesRangesApi(APIView):
    @extend_schema(
        responses={200: SpeciesRangeSerializer(many=True)},
        summary="Per-species min/max/mean of each measurement over the training split",
    )
    def get(self, request):
        return Response(flower_species_ranges())


class SpeciesRulesApi(APIView):
    @extend_schema(
        responses={200: SpeciesRulesSerializer},
        summary="Rules that tell the species apart, learnt from the training split",
        description="The leaves of a depth-2 decision tree (CART, gini) fitted on the training "
        "flowers: each rule's conditions (cm), its species, how many training flowers reach "
        "it and how many of them it names correctly.",
    )
    def get(self, request):
        return Response(SpeciesRulesSerializer(species_rules()).data)
