"""The contract: a client generated from the live schema with openapi-python-client, used as
generated (nothing edited), does what a client developer would do with it."""

import base64
import importlib
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# Generator configuration, not client edits: image bodies come back as bytes.
CONFIG = """\
post_hooks: []
project_name_override: flower_power_client
package_name_override: flower_power_client
content_type_overrides:
  image/png: application/octet-stream
  image/jpeg: application/octet-stream
  image/webp: application/octet-stream
"""


@pytest.fixture
def api(live_server, tmp_path):
    """The generated package, from the schema the live server serves, in a temp dir."""
    request = urllib.request.Request(
        f"{live_server.url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        (tmp_path / "schema.json").write_bytes(response.read())
    (tmp_path / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", "schema.json", "--config", "config.yaml",
         "--meta", "none", "--fail-on-warning"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    sys.path.insert(0, str(tmp_path))
    try:
        for name in [n for n in sys.modules if n.startswith("flower_power_client")]:
            del sys.modules[name]
        yield importlib.import_module("flower_power_client")
    finally:
        sys.path.remove(str(tmp_path))


def test_a_generated_client_logs_in_predicts_plays_and_polls(
    api, live_server, trainee, active_version
):
    from flower_power_client import AuthenticatedClient, Client
    from flower_power_client.api.auth import token_obtain
    from flower_power_client.api.challenges import (
        challenge_options,
        challenge_read,
        challenge_round_answer,
        challenge_start,
    )
    from flower_power_client.api.me import me_read
    from flower_power_client.api.predict import predict
    from flower_power_client.api.scoreboard import scoreboard_read
    from flower_power_client.models import (
        ChallengeStartInputRequest,
        ChallengeStatusEnum,
        GuessInputRequest,
        LevelEnum,
        PeriodEnum,
        PredictBatch,
        PredictOne,
        SpeciesEnum,
        TokenObtainInputRequest,
    )
    from flower_power_client.types import UNSET

    anonymous = Client(base_url=live_server.url)
    token = token_obtain.sync(
        client=anonymous, body=TokenObtainInputRequest(username=trainee.username,
                                                       password=PASSWORD),
    )
    client = AuthenticatedClient(base_url=live_server.url, token=token.token, prefix="Token")

    one = predict.sync(client=client, body=PredictOne(
        sepal_length=5.1, sepal_width=3.5, petal_length=1.4, petal_width=0.2))
    assert one.model_version == 1
    assert one.predictions[0].species is SpeciesEnum.SETOSA
    assert one.predictions[0].probabilities.setosa > 0.5
    batch = predict.sync(client=client, body=PredictBatch(instances=[
        [5.1, 3.5, 1.4, 0.2],
        PredictOne(sepal_length=6.7, sepal_width=3.3, petal_length=5.7, petal_width=2.5),
    ]))
    assert [p.species for p in batch.predictions] == [SpeciesEnum.SETOSA, SpeciesEnum.VIRGINICA]

    options = challenge_options.sync(client=client)
    assert [level.level for level in options.levels] == [
        LevelEnum.APPRENTICE, LevelEnum.FLORIST, LevelEnum.BOTANIST]
    assert 0 <= options.levels[0].accuracy <= 1
    assert options.default_level is LevelEnum.APPRENTICE

    started = challenge_start.sync_detailed(
        client=client, body=ChallengeStartInputRequest(rounds=2, level=LevelEnum.APPRENTICE))
    assert started.status_code == 201
    assert started.headers["Location"].startswith(live_server.url)
    session = started.parsed
    assert session.status is ChallengeStatusEnum.ACTIVE
    assert session.outcome is None
    assert session.rounds[0].data.values and session.rounds[0].result is UNSET
    answered = challenge_round_answer.sync_detailed(
        session.id, 1, client=client, body=GuessInputRequest(guess=SpeciesEnum.SETOSA),
        idempotency_key="first-try",
    )
    assert answered.status_code == 200
    assert answered.parsed.guess == SpeciesEnum.SETOSA
    assert isinstance(answered.parsed.correct_species, SpeciesEnum)
    read = challenge_read.sync(session.id, client=client)
    assert read.rounds[0].result.guess is SpeciesEnum.SETOSA
    assert read.rounds[0].result.correct_species is answered.parsed.correct_species
    replayed = challenge_round_answer.sync_detailed(
        session.id, 1, client=client, body=GuessInputRequest(guess=SpeciesEnum.SETOSA),
        idempotency_key="first-try",
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.parsed.to_dict() == answered.parsed.to_dict()

    board = scoreboard_read.sync_detailed(client=client)
    assert board.status_code == 200
    assert [row.username for row in board.parsed.trainees] == [trainee.username]
    assert board.parsed.period is PeriodEnum.ALL
    assert board.parsed.trainees[0].levels.apprentice.sessions == 1
    assert board.parsed.trainees[0].levels.botanist.sessions == 0

    me = me_read.sync(client=client)
    assert me.username == trainee.username
    assert (me.stats.sessions, me.stats.rounds) == (1, 1)
    assert me.stats.confusion.species == [
        SpeciesEnum.SETOSA, SpeciesEnum.VERSICOLOR, SpeciesEnum.VIRGINICA]
    truth = answered.parsed.correct_species.value
    assert getattr(me.stats.confusion.matrix, truth).setosa == 1
    assert me.additional_properties == {} and me.stats.additional_properties == {}
    etag = board.headers["ETag"]
    again = scoreboard_read.sync_detailed(client=client, if_none_match=etag)
    assert again.status_code == 304
    weak = scoreboard_read.sync_detailed(client=client, if_none_match=f"W/{etag}")
    assert weak.status_code == 304


def test_a_generated_client_fetches_a_plot_as_png_and_as_a_data_uri(
    api, live_server, trainee, active_version
):
    from flower_power_client import AuthenticatedClient
    from flower_power_client.api.models import model_active, model_plot, model_plot_data_uri
    from flower_power_client.models import ModelVersionStatusEnum, PlotKindEnum
    from flower_power_client.types import UNSET

    from trainees.services import token_issue

    client = AuthenticatedClient(
        base_url=live_server.url, token=token_issue(user=trainee)[1], prefix="Token"
    )
    version = model_active.sync(client=client)
    assert version.status is ModelVersionStatusEnum.READY
    assert 0.9 <= version.metrics.accuracy <= 1
    assert version.metrics.per_class.virginica.support > 0
    assert len(version.history.loss) == version.hyperparameters.epochs
    # The fixture stores a worker's result without running the promotion gate: `{}`.
    assert version.gate.code is UNSET and version.gate.additional_properties == {}
    assert version.plots.loss.endswith("/plots/loss/")

    png = model_plot.sync_detailed(1, PlotKindEnum.LOSS, client=client)
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    assert png.parsed.payload.read().startswith(b"\x89PNG")
    uri = model_plot_data_uri.sync(1, PlotKindEnum.CONFUSION, client=client)
    assert uri.data_uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.data_uri.split(",", 1)[1]).startswith(b"\x89PNG")
