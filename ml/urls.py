from django.urls import include, path

from ml.views import flowers, models, photos, predict


def route(pattern: str, view, name: str | None = None):
    """`pattern` served by the class-based `view`."""
    return path(pattern, view.as_view(), name=name)


flower_urlpatterns = [
    route("", flowers.FlowerListCreateApi, "flower-list"),
    route("random/", flowers.RandomFlowerApi, "flower-random"),
    route("ranges/", flowers.SpeciesRangesApi, "flower-ranges"),
    route("rules/", flowers.SpeciesRulesApi, "flower-rules"),
    route("<int:pk>/", flowers.FlowerDetailApi, "flower-detail"),
]

model_urlpatterns = [
    route("", models.ModelVersionListApi, "model-list"),
    route("active/", models.ActiveModelVersionApi, "model-active"),
    route("<int:number>/", models.ModelVersionDetailApi, "model-detail"),
    route("<int:number>/activate/", models.ModelVersionActivateApi, "model-activate"),
    path("<int:number>/plots/<str:kind>/", include([
        route("", models.ModelVersionPlotApi, "model-plot"),
        route("data-uri/", models.ModelVersionPlotDataUriApi, "model-plot-data-uri"),
    ])),
]

api_urlpatterns = [
    path("flowers/", include(flower_urlpatterns)),
    route("flowers/photos/", photos.SpeciesPhotoListApi, "flower-photos"),
    route("predict/", predict.PredictApi, "predict"),
    path("models/", include(model_urlpatterns)),
]

# Outside /api/: an <img> source for the page, with the API's authentication and errors.
page_urlpatterns = [
    route("flowers/photos/<str:species>/", photos.SpeciesPhotoFileView, "flower-photo"),
]

legacy_urlpatterns = [
    route("get_random_flower", predict.LegacyRandomFlowerApi, "legacy-random"),
    route("predict_flower", predict.LegacyPredictFlowerApi, "legacy-predict"),
]
