"""`python -m flower_power.serve` reads its settings from the environment: good values become
nginx's and granian's configuration, bad ones stop it with a message naming the variable."""

import pytest

from flower_power.serve import Config, ConfigError, granian_argv, nginx_conf


def test_defaults_bind_every_address_with_one_worker_per_cpu(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    config = Config.from_env({})

    assert (config.host, config.port, config.workers) == ("0.0.0.0", 8000, 3)
    assert (config.header_timeout, config.body_timeout) == (10, 10)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WEB_BIND": "8000"}, "WEB_BIND"),
        ({"WEB_BIND": "0.0.0.0:70000"}, "WEB_BIND"),
        ({"WEB_CONCURRENCY": "two"}, "WEB_CONCURRENCY"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
        ({"WEB_HEADER_TIMEOUT": "61"}, "WEB_HEADER_TIMEOUT"),
        ({"WEB_ACCESS_LOG": "maybe"}, "WEB_ACCESS_LOG"),
        ({"WEB_LOG_LEVEL": "loud"}, "WEB_LOG_LEVEL"),
    ],
)
def test_a_bad_value_stops_the_server_naming_the_variable(env, named):
    with pytest.raises(ConfigError) as refused:
        Config.from_env(env)

    assert str(refused.value.code).startswith(named)


def test_timeouts_and_limits_reach_nginx_and_granian(tmp_path):
    config = Config.from_env({
        "WEB_BIND": "127.0.0.1:9001", "WEB_HEADER_TIMEOUT": "3", "WEB_BODY_TIMEOUT": "4",
        "REQUEST_BODY_MAX_BYTES": "1000", "WEB_CONCURRENCY": "2", "WEB_WORKER_LIFETIME": "0",
    })
    conf = nginx_conf(config, tmp_path, tmp_path / "app.sock")
    argv = granian_argv(config, tmp_path / "app.sock")

    assert "listen 127.0.0.1:9001" in conf
    assert "client_header_timeout 3s;" in conf and "client_body_timeout 4s;" in conf
    # Twice the app's limit: below it the app answers its own 413 envelope.
    assert "client_max_body_size 2000;" in conf
    assert argv[argv.index("--workers") + 1] == "2"
    assert argv[argv.index("--http1-header-read-timeout") + 1] == "3000"
    assert "--workers-lifetime" not in argv
