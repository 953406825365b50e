from django.urls import path

from ml.views import flowers, models, photos, predict

api_urlpatterns = [
    path("flowers/", flowers.FlowerListCreateApi.as_view(), name="flower-list"),
    path("flowers/random/", flowers.RandomFlowerApi.as_view(), name="flower-random"),
    path("flowers/ranges/", flowers.SpeciesRangesApi.as_view(), name="flower-ranges"),
    path("flowers/rules/", flowers.SpeciesRulesApi.as_view(), name="flower-rules"),
    path("flowers/photos/", photos.SpeciesPhotoListApi.as_view(), name="flower-photos"),
    path("flowers/<int:pk>/", flowers.FlowerDetailApi.as_view(), name="flower-detail"),
    path("predict/", predict.PredictApi.as_view(), name="predict"),
    path("models/", models.ModelVersionListApi.as_view(), name="model-list"),
    path("models/active/", models.ActiveModelVersionApi.as_view(), name="model-active"),
    path("models/<int:number>/", models.ModelVersionDetailApi.as_view(), name="model-detail"),
    path(
        "models/<int:number>/activate/", models.ModelVersionActivateApi.as_view(),
        name="model-activate",
    ),
    path(
        "models/<int:number>/plots/<str:kind>/", models.ModelVersionPlotApi.as_view(),
        name="model-plot",
    ),
    path(
        "models/<int:number>/plots/<str:kind>/data-uri/",
        models.ModelVersionPlotDataUriApi.as_view(), name="model-plot-data-uri",
    ),
]

# Outside /api/: an <img> source for the page, with the API's authentication and errors.
page_urlpatterns = [
    path(
        "flowers/photos/<str:species>/", photos.SpeciesPhotoFileView.as_view(),
        name="flower-photo",
    ),
]

legacy_urlpatterns = [
    path("get_random_flower", predict.LegacyRandomFlowerApi.as_view(), name="legacy-random"),
    path("predict_flower", predict.LegacyPredictFlowerApi.as_view(), name="legacy-predict"),
]
