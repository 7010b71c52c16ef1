"""The opt-in rate limit (a token bucket per client address) and the client address
behind trusted proxies."""

from ipaddress import ip_network

from fastapi.testclient import TestClient

from imagegen.app import create_app
from imagegen.observe import client_address
from imagegen.ratelimit import TokenBuckets
from imagegen.settings import Settings

TRUSTED = (ip_network("10.0.0.1"), ip_network("192.168.0.0/16"))


def limited(peer: str = "203.0.113.9", **settings) -> TestClient:
    settings = {"rate_limit": 1.0, "rate_limit_burst": 3} | settings
    app = create_app(Settings.defaults().model_copy(update=settings))
    return TestClient(app, client=(peer, 40000))


def test_bucket_refills_at_its_rate():
    buckets = TokenBuckets(rate=2.0, burst=3, max_keys=10)
    assert [buckets.take("a", 100.0) for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a", 100.0) == 0.5  # one token in half a second
    assert buckets.take("a", 100.5) == 0
    assert buckets.take("b", 100.5) == 0  # another client, its own bucket
    assert buckets.take("a", 110.0) == 0  # refilled, to at most `burst`
    assert [buckets.take("a", 110.0) for _ in range(3)][-1] > 0


def test_buckets_forget_the_least_recently_seen_client():
    buckets = TokenBuckets(rate=1.0, burst=1, max_keys=2)
    assert buckets.take("a", 0.0) == 0 and buckets.take("a", 0.0) > 0
    buckets.take("b", 0.0)
    buckets.take("c", 0.0)  # "a" is forgotten: it comes back with a full bucket
    assert buckets.take("a", 0.0) == 0


def test_over_the_rate_is_a_json_429_with_retry_after():
    client = limited()
    assert [client.get("/placeholder/10x10").status_code for _ in range(3)] == [200] * 3
    response = client.get("/placeholder/10x10")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["error"] == "rate_limited" and "1 a second" in body["message"]
    # Health and metrics are for the machines that run the server: never limited.
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert "imagegen_rate_limited_responses_total 1.0" in client.get("/metrics").text


def test_off_by_default():
    client = TestClient(create_app(Settings.defaults()))
    assert all(client.get("/placeholder/10x10").status_code == 200 for _ in range(60))


def test_forwarded_for_counts_only_from_trusted_proxies():
    proxy = limited("10.0.0.1", trusted_proxies=TRUSTED)
    for client in ("198.51.100.1", "198.51.100.2"):
        headers = {"X-Forwarded-For": client}
        codes = [proxy.get("/placeholder/10x10", headers=headers).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429], client  # a bucket per forwarded client
    # An untrusted peer cannot pick its address: it has one bucket, whatever it sends.
    direct = limited("198.51.100.7", trusted_proxies=TRUSTED)
    codes = [
        direct.get("/placeholder/10x10", headers={"X-Forwarded-For": f"1.1.1.{i}"}).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def scope(peer: str, forwarded: str | None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"client": (peer, 1), "headers": headers}


def test_client_address_is_the_rightmost_untrusted_hop():
    assert client_address(scope("10.0.0.1", "6.6.6.6, 7.7.7.7"), TRUSTED) == "7.7.7.7"
    assert client_address(scope("10.0.0.1", "6.6.6.6, 7.7.7.7, 192.168.1.2"), TRUSTED) == (
        "7.7.7.7"
    )
    assert client_address(scope("10.0.0.1", None), TRUSTED) == "10.0.0.1"
    assert client_address(scope("10.0.0.1", "192.168.0.5"), TRUSTED) == "192.168.0.5"
    assert client_address(scope("8.8.8.8", "7.7.7.7"), TRUSTED) == "8.8.8.8"
    assert client_address(scope("10.0.0.1", "7.7.7.7"), ()) == "10.0.0.1"
    assert client_address({"client": None, "headers": []}, TRUSTED) == "-"


def test_access_log_shows_the_forwarded_client(capsys):
    client = limited("10.0.0.1", trusted_proxies=TRUSTED, rate_limit=0.0)
    client.get("/placeholder/10x10", headers={"X-Forwarded-For": "198.51.100.4"})
    client.app.observer.flush()
    assert ' 198.51.100.4 "GET /placeholder/10x10" 200 ' in capsys.readouterr().out
