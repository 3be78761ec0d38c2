"""Server certificates on Account settings: list, upload, rename / change path, delete."""

import pytest

from iamconsole.backends import errors, get_backend
from tests.contract.test_server_certificates import certificate, key_pem, pem, rsa_key, server_pair


def upload(iam, name: str, path: str = "/"):
    body, key, _ = server_pair()
    return iam.upload_server_certificate(
        ServerCertificateName=name, Path=path, CertificateBody=body, PrivateKey=key
    )


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    return get_backend(account)


def _form(name="web", path="/", **extra):
    body, key, _ = server_pair()
    return {"name": name, "path": path, "certificate_body": body, "private_key": key, **extra}


def _names(iam) -> list[str]:
    return [
        c["ServerCertificateName"] for c in iam.list_server_certificates()["ServerCertificateMetadataList"]
    ]


# -- list -----------------------------------------------------------------------------------------


def test_the_list_shows_name_path_expiry_days_left_and_id(signed_in, iam):
    meta = upload(iam, "web", "/cloudfront/")["ServerCertificateMetadata"]

    body = signed_in.get("/account/settings").content.decode()

    assert "<strong>web</strong>" in body
    assert '<td class="mono">/cloudfront/</td>' in body
    assert meta["ServerCertificateId"] in body
    assert "363 days" in body or "364 days" in body
    assert "PRIVATE KEY" not in body


def test_an_expiring_certificate_is_flagged(signed_in, iam):
    key = rsa_key("server")
    body = pem(certificate("soon.example.com", key, days=11))
    iam.upload_server_certificate(ServerCertificateName="soon", CertificateBody=body, PrivateKey=key_pem(key))

    page = signed_in.get("/account/settings").content.decode()

    assert '<span class="status warn"><span aria-hidden="true">!</span> 9 days</span>' in page


# -- upload ---------------------------------------------------------------------------------------


def test_the_upload_form_asks_for_every_part(signed_in):
    body = signed_in.get("/account/settings/server-certificates/upload").content.decode()

    for label in (
        "Certificate name",
        "Path",
        "Certificate body",
        "Certificate private key",
        "Certificate chain",
    ):
        assert f">{label}" in body


def test_htmx_gets_the_upload_dialog(signed_in):
    body = signed_in.get(
        "/account/settings/server-certificates/upload", headers={"HX-Request": "true"}
    ).content.decode()

    assert body.lstrip().startswith('<div class="dialog-backdrop detail-dialog">')
    assert "<html" not in body


def test_uploading_stores_the_certificate(signed_in, iam):
    response = signed_in.post(
        "/account/settings/server-certificates/upload", _form(path="/elb/"), follow=True
    )

    assert "Server certificate web uploaded." in response.content.decode()
    certificate_ = iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]
    assert certificate_["ServerCertificateMetadata"]["Path"] == "/elb/"


def test_a_taken_name_comes_back_on_the_name_with_the_key_not_echoed(signed_in, iam):
    upload(iam, "web")

    response = signed_in.post("/account/settings/server-certificates/upload", _form())

    body = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="error" id="id_name_error">The Server Certificate with name web already exists.</p>' in body
    )
    assert "PRIVATE KEY" not in body
    assert response["Cache-Control"].count("no-store") == 1


def test_a_key_of_another_certificate_comes_back_on_the_key(signed_in, iam):
    response = signed_in.post(
        "/account/settings/server-certificates/upload", _form(private_key=key_pem(rsa_key("other")))
    )

    body = response.content.decode()
    assert '<p class="error" id="id_private_key_error">Public Key Certificate and Private Key' in body
    assert "PRIVATE KEY-----" not in body
    assert _names(iam) == []


def test_an_unparsable_body_comes_back_on_the_body(signed_in, iam):
    broken = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"

    body = signed_in.post(
        "/account/settings/server-certificates/upload", _form(certificate_body=broken)
    ).content.decode()

    assert '<p class="error" id="id_certificate_body_error">Unable to parse certificate.' in body
    assert _names(iam) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "bad name", "Use only letters, digits and + = , . @ _ -"),
        ("path", "elb", "The path must begin and end with /"),
        ("certificate_body", "hello", "Paste the certificate body in PEM format"),
        ("private_key", "hello", "Paste the private key in PEM format"),
    ],
)
def test_invalid_input_is_re_rendered_on_its_field(signed_in, iam, field, value, message):
    response = signed_in.post("/account/settings/server-certificates/upload", _form(**{field: value}))

    assert response.status_code == 200
    assert f'<p class="error" id="id_{field}_error">{message}' in response.content.decode()
    assert _names(iam) == []


def test_htmx_upload_answers_a_client_redirect(signed_in, iam):
    response = signed_in.post(
        "/account/settings/server-certificates/upload", _form(), headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == "/account/settings"
    assert _names(iam) == ["web"]


# -- edit -----------------------------------------------------------------------------------------


def test_the_edit_form_shows_the_name_and_path(signed_in, iam):
    upload(iam, "web", "/elb/")

    body = signed_in.get("/account/settings/server-certificates/web/edit").content.decode()

    assert 'id="id_name" value="web"' in body and 'id="id_path" value="/elb/"' in body


def test_renaming_and_moving_goes_through_the_backend(signed_in, iam):
    upload(iam, "web")

    response = signed_in.post(
        "/account/settings/server-certificates/web/edit",
        {"name": "web-2026", "path": "/cloudfront/"},
        follow=True,
    )

    assert "Server certificate web-2026 updated." in response.content.decode()
    meta = iam.get_server_certificate(ServerCertificateName="web-2026")["ServerCertificate"]
    assert meta["ServerCertificateMetadata"]["Path"] == "/cloudfront/"


def test_renaming_to_a_taken_name_comes_back_on_the_name(signed_in, iam):
    upload(iam, "web")
    upload(iam, "api")

    response = signed_in.post("/account/settings/server-certificates/web/edit", {"name": "api", "path": "/"})

    assert response.status_code == 200
    assert '<p class="error" id="id_name_error">The Server Certificate with name api already exists.</p>' in (
        response.content.decode()
    )
    assert sorted(_names(iam)) == ["api", "web"]


def test_htmx_gets_the_edit_dialog(signed_in, iam):
    upload(iam, "web")

    body = signed_in.get(
        "/account/settings/server-certificates/web/edit", headers={"HX-Request": "true"}
    ).content.decode()

    assert body.lstrip().startswith('<div class="dialog-backdrop detail-dialog">')


def test_an_unknown_certificate_is_404(signed_in):
    assert signed_in.get("/account/settings/server-certificates/nope/edit").status_code == 404
    assert signed_in.get("/account/settings/server-certificates/nope/delete").status_code == 404


# -- delete ---------------------------------------------------------------------------------------


def test_delete_asks_for_the_name(signed_in, iam):
    upload(iam, "web")

    body = signed_in.get("/account/settings/server-certificates/web/delete").content.decode()

    assert 'To confirm deletion, enter <strong class="mono">web</strong>' in body


def test_a_wrong_confirmation_deletes_nothing(signed_in, iam):
    upload(iam, "web")

    response = signed_in.post("/account/settings/server-certificates/web/delete", {"confirmation": "Web"})

    assert response.status_code == 200
    assert "Enter “web” to confirm the deletion." in response.content.decode()
    assert _names(iam) == ["web"]


def test_the_typed_name_deletes_it(signed_in, iam):
    upload(iam, "web")

    response = signed_in.post(
        "/account/settings/server-certificates/web/delete", {"confirmation": "web"}, follow=True
    )

    assert "Server certificate web deleted." in response.content.decode()
    with pytest.raises(errors.NoSuchEntity):
        iam.get_server_certificate(ServerCertificateName="web")


def test_the_certificate_pages_need_sign_in_and_refuse_other_methods(client, signed_in, iam):
    upload(iam, "web")
    for url in (
        "/account/settings/server-certificates/upload",
        "/account/settings/server-certificates/web/edit",
        "/account/settings/server-certificates/web/delete",
    ):
        assert signed_in.put(url).status_code == 405
    client.logout()
    assert (
        client.post("/account/settings/server-certificates/web/delete", {"confirmation": "web"}).status_code
        == 302
    )
    assert _names(iam) == ["web"]
